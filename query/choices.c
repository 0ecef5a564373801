/*
 * choices — the words an analysis's clause value is chosen from. See
 * choices.h.
 */
#include "choices.h"

#include <string.h>

const char *const qry_by_level_words[] = {"school_district", "ward", NULL};
const char *const qry_by_group_words[] = {"sector", "ward", "community", NULL};
const char *const qry_centrality_of_words[] = {"organisations", "programs", NULL};
const char *const qry_via_words[] = {"referral", "any", NULL};
const char *const qry_cluster_words[] = {"sector", "ward", "community", "forum", NULL};
const char *const qry_label_words[] = {"ja", "en", NULL};
const char *const qry_highlight_words[] = {"gaps", "brokers", "thin", "suggestions", NULL};
const char *const qry_export_formats[] = {"dot", "graphml", "json", NULL};
const char *const qry_render_formats[] = {"svg", "png", "pdf", NULL};
const char *const qry_report_words[] = {"gaps", NULL};
const char *const qry_report_formats[] = {"html", NULL};

/* COUNT … BY, as exec_count (eval.c) reads it: organisations and programs
 * by sector, ward, school_district, forum, target, need; forums by kind,
 * ward, school_district; ties by kind; districts by level. */
static const struct {
    const char *plural, *singular;
    const char *by[7];
} count_by[] = {
    {"organisations", "organisation", {"sector", "ward", "school_district", "forum", "target", "need", NULL}},
    {"organizations", "organization", {"sector", "ward", "school_district", "forum", "target", "need", NULL}},
    {"programs", "program", {"sector", "ward", "school_district", "forum", "target", "need", NULL}},
    {"forums", "forum", {"kind", "ward", "school_district", NULL}},
    {"ties", "tie", {"kind", NULL}},
    {"districts", "district", {"level", NULL}},
};

const char *qry_count_by_word(const char *kind, size_t i)
{
    for (size_t k = 0; kind && k < sizeof count_by / sizeof count_by[0]; k++)
        if (!strcmp(kind, count_by[k].plural) || !strcmp(kind, count_by[k].singular)) {
            for (size_t j = 0; j < i; j++)
                if (!count_by[k].by[j]) return NULL;
            return count_by[k].by[i];
        }
    return NULL;
}
