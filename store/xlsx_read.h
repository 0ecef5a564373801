/*
 * xlsx_read — the cells of an XLSX workbook as text, for survey-in: the
 * ZIP read with minizip, xl/workbook.xml (sheet names and their parts
 * through xl/_rels/workbook.xml.rels), xl/sharedStrings.xml and each
 * sheet's XML read with expat. Only what a filled-in form holds is read:
 * shared, inline and plain strings, numbers (as Excel stores them, "3" not
 * "3.0"), booleans; formulas give their cached value; styles, dates as
 * numbers and everything else are not interpreted.
 *
 * On success *out holds *n grids (survey.h, one per sheet in workbook
 * order, hidden ones included) owned by the caller (sv_grid_free each, then
 * free the array). A file that is not a workbook, or a damaged one, is
 * TSG_EINPUT naming the file. Sizes are bounded (SV_XLSX_MAX_*) so a
 * hostile file cannot make it allocate without end.
 */
#ifndef TSG_STORE_XLSX_READ_H
#define TSG_STORE_XLSX_READ_H

#include "survey.h"

#define SV_XLSX_MAX_PART (64u << 20) /* bytes of one uncompressed XML part */
#define SV_XLSX_MAX_ROWS 20000 /* a form has a row per program or tie: a city's largest member has hundreds */
#define SV_XLSX_MAX_COLS 64

tsg_status_t sv_xlsx_read(const char *path, const char *label, sv_grid_t **out, size_t *n, tsg_error_t *err);

#endif
