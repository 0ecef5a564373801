/*
 * xlsx_lazy — the gates of the workbook libraries, opened when first needed
 * (store/xlsx_lazy.c, util/lazy.h): libxlsxwriter writes workbooks (--xlsx,
 * survey-out), minizip reads them (survey-in). Each returns TSG_OK, or an
 * error saying the library cannot be loaded; call it before the library's
 * first function.
 */
#ifndef TSG_STORE_XLSX_LAZY_H
#define TSG_STORE_XLSX_LAZY_H

#include "tsunagi.h"

tsg_status_t store_xlsxwriter_open(tsg_error_t *err);
tsg_status_t store_minizip_open(tsg_error_t *err);

#endif
