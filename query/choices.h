/*
 * choices — the words the value of an analysis's clause is chosen from
 * (BY, VIA, CLUSTER BY, LABELS, EXPORT's format, RENDER's file types, and
 * COUNT … BY per kind), in one place for the two readers of a clause: the
 * evaluator that takes the word and the REPL's Tab that offers it
 * (complete.c). Each table ends with NULL; the words are ASCII, read
 * whatever the case (qry_choice).
 *
 * eval.c (COUNT … BY), eval_gaps.c (BY), eval_paths.c (VIA) and
 * eval_structure.c (THIN LINKS BY) read these tables (tests/unit/
 * choices_check.py); export.c still holds copies of the EXPORT/RENDER ones,
 * which tests/unit/test_complete.c keeps in step (docs/decisions.md, "Issue
 * 19: completion of values").
 */
#ifndef TSG_QUERY_CHOICES_H
#define TSG_QUERY_CHOICES_H

#include <stddef.h>

/* GAPS, COVERAGE and REPORT: BY school_district|ward. */
extern const char *const qry_by_level_words[];
/* THIN LINKS BY sector|ward|community. */
extern const char *const qry_by_group_words[];
/* CENTRALITY … OF organisations|programs (it also reads the singulars and
 * the other spellings; these are the words offered). */
extern const char *const qry_centrality_of_words[];
/* PATH and REACH: VIA referral|any. */
extern const char *const qry_via_words[];
/* EXPORT and RENDER: CLUSTER BY, LABELS, HIGHLIGHT. */
extern const char *const qry_cluster_words[];
extern const char *const qry_label_words[];
extern const char *const qry_highlight_words[];
/* EXPORT's format word (the file's extension is the same word) and the
 * file types RENDER writes, by extension. */
extern const char *const qry_export_formats[];
extern const char *const qry_render_formats[];
/* REPORT's word (REPORT GAPS …) and the one file type it writes. */
extern const char *const qry_report_words[];
extern const char *const qry_report_formats[];

/* The i-th word COUNT <kind> … BY takes (kind as written: plural or
 * singular), NULL past the last or for a word that names no kind. */
const char *qry_count_by_word(const char *kind, size_t i);

#endif
