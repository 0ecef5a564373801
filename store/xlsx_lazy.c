/*
 * xlsx_lazy — the functions of libxlsxwriter (workbooks written: --xlsx,
 * survey-out) and of minizip (workbooks read: survey-in) that tsunagi
 * calls, opening each library when the first is called (util/lazy.h), so
 * that a process that neither writes nor reads a workbook never maps them,
 * nor OpenSSL's libcrypto that libxlsxwriter needs: about 7 ms of CPU of a
 * one-statement script, and more when they are not in the page cache
 * (docs/decisions.md, "Issue 23: the sample city's cold start"). A call of
 * a function not listed here fails to link: add a line.
 *
 * The work that needs a library asks for it first (store_xlsxwriter_open,
 * store_minizip_open; store/xlsx_lazy.h), so that a missing library is
 * reported as such. If it cannot be opened all the same, errno is ELIBACC
 * and: workbook_new and
 * unzOpen return NULL (their callers report the file with strerror),
 * lxw_strerror says what the loader said, the other functions return an
 * error status or do nothing (they are only reached with a workbook or a
 * file that was opened).
 */
#include "xlsx_lazy.h"
#include "lazy.h"

#include <stddef.h>

/* TSG_SONAME_XLSXWRITER, TSG_SONAME_MINIZIP: the libraries' names for
 * dlopen, set by CMakeLists.txt (TSG_DLOPEN); without one the program is
 * linked against that library and its gate says yes. */
#ifndef TSG_SONAME_XLSXWRITER
tsg_status_t store_xlsxwriter_open(tsg_error_t *err)
{
    (void)err;
    return TSG_OK;
}
#else
#include <xlsxwriter.h>

static util_lazy_t xlsxwriter = {.soname = TSG_SONAME_XLSXWRITER};

tsg_status_t store_xlsxwriter_open(tsg_error_t *err) { return util_lazy_open(&xlsxwriter, err); }

#define LAZY(ret, fail, name, params, args) UTIL_LAZY(xlsxwriter, ret, fail, name, params, args)
#define LAZY_VOID(name, params, args) UTIL_LAZY_VOID(xlsxwriter, name, params, args)

char *lxw_strerror(lxw_error error_num)
{
    static char *(*fn)(lxw_error);
    if (!fn) *(void **)&fn = util_lazy_sym(&xlsxwriter, "lxw_strerror");
    return fn ? fn(error_num) : xlsxwriter.why;
}

LAZY(lxw_workbook *, NULL, workbook_new, (const char *filename), (filename))
LAZY(lxw_error, LXW_ERROR_MEMORY_MALLOC_FAILED, workbook_close, (lxw_workbook * workbook), (workbook))
LAZY(lxw_format *, NULL, workbook_add_format, (lxw_workbook * workbook), (workbook))
LAZY(lxw_worksheet *, NULL, workbook_add_worksheet, (lxw_workbook * workbook, const char *sheetname),
     (workbook, sheetname))
LAZY_VOID(format_set_bg_color, (lxw_format * format, lxw_color_t color), (format, color))
LAZY_VOID(format_set_bold, (lxw_format * format), (format))
LAZY_VOID(format_set_bottom, (lxw_format * format, uint8_t style), (format, style))
LAZY_VOID(worksheet_activate, (lxw_worksheet * worksheet), (worksheet))
LAZY_VOID(worksheet_hide, (lxw_worksheet * worksheet), (worksheet))
LAZY_VOID(worksheet_freeze_panes, (lxw_worksheet * worksheet, lxw_row_t row, lxw_col_t col), (worksheet, row, col))
LAZY(lxw_error, LXW_ERROR_MEMORY_MALLOC_FAILED, worksheet_autofilter,
     (lxw_worksheet * worksheet, lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row, lxw_col_t last_col),
     (worksheet, first_row, first_col, last_row, last_col))
LAZY(lxw_error, LXW_ERROR_MEMORY_MALLOC_FAILED, worksheet_data_validation_range,
     (lxw_worksheet * worksheet, lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row, lxw_col_t last_col,
      lxw_data_validation *validation),
     (worksheet, first_row, first_col, last_row, last_col, validation))
LAZY(lxw_error, LXW_ERROR_MEMORY_MALLOC_FAILED, worksheet_set_column,
     (lxw_worksheet * worksheet, lxw_col_t first_col, lxw_col_t last_col, double width, lxw_format *format),
     (worksheet, first_col, last_col, width, format))
LAZY(lxw_error, LXW_ERROR_MEMORY_MALLOC_FAILED, worksheet_write_blank,
     (lxw_worksheet * worksheet, lxw_row_t row, lxw_col_t col, lxw_format *format), (worksheet, row, col, format))
LAZY(lxw_error, LXW_ERROR_MEMORY_MALLOC_FAILED, worksheet_write_number,
     (lxw_worksheet * worksheet, lxw_row_t row, lxw_col_t col, double number, lxw_format *format),
     (worksheet, row, col, number, format))
LAZY(lxw_error, LXW_ERROR_MEMORY_MALLOC_FAILED, worksheet_write_string,
     (lxw_worksheet * worksheet, lxw_row_t row, lxw_col_t col, const char *string, lxw_format *format),
     (worksheet, row, col, string, format))

#undef LAZY
#undef LAZY_VOID
#endif

#ifndef TSG_SONAME_MINIZIP
tsg_status_t store_minizip_open(tsg_error_t *err)
{
    (void)err;
    return TSG_OK;
}
#else
#include <unzip.h>

static util_lazy_t minizip = {.soname = TSG_SONAME_MINIZIP};

tsg_status_t store_minizip_open(tsg_error_t *err) { return util_lazy_open(&minizip, err); }

#define LAZY(ret, fail, name, params, args) UTIL_LAZY(minizip, ret, fail, name, params, args)

LAZY(unzFile, NULL, unzOpen, (const char *path), (path))
LAZY(int, UNZ_INTERNALERROR, unzClose, (unzFile file), (file))
LAZY(int, UNZ_INTERNALERROR, unzLocateFile, (unzFile file, const char *szFileName, int iCaseSensitivity),
     (file, szFileName, iCaseSensitivity))
LAZY(int, UNZ_INTERNALERROR, unzGetCurrentFileInfo,
     (unzFile file, unz_file_info *pfile_info, char *szFileName, uLong fileNameBufferSize, void *extraField,
      uLong extraFieldBufferSize, char *szComment, uLong commentBufferSize),
     (file, pfile_info, szFileName, fileNameBufferSize, extraField, extraFieldBufferSize, szComment,
      commentBufferSize))
LAZY(int, UNZ_INTERNALERROR, unzOpenCurrentFile, (unzFile file), (file))
LAZY(int, UNZ_INTERNALERROR, unzReadCurrentFile, (unzFile file, voidp buf, unsigned len), (file, buf, len))
LAZY(int, UNZ_INTERNALERROR, unzCloseCurrentFile, (unzFile file), (file))

#undef LAZY
#endif
