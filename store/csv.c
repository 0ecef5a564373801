/* csv — see csv.h. */
#include "csv.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

void store_csv_init(store_csv_t *c, const char *file, const char *data, size_t len)
{
    memset(c, 0, sizeof *c);
    c->file = file;
    c->p = data;
    c->end = data + len;
    c->line = 1;
    c->col = 1;
}

void store_csv_free(store_csv_t *c)
{
    util_buf_free(&c->text);
    free(c->off);
    free(c->fline);
    free(c->fcol);
    free(c->field);
    c->off = NULL;
    c->fline = c->fcol = NULL;
    c->field = NULL;
    c->n = c->cap = 0;
}

/* Moves past one byte, keeping line and column. */
static void advance(store_csv_t *c)
{
    unsigned char b = (unsigned char)*c->p++;
    if (b == '\n' || (b == '\r' && (c->p >= c->end || *c->p != '\n'))) {
        c->line++;
        c->col = 1;
    } else if ((b & 0xC0) != 0x80) {
        c->col++;
    }
}

/* Consumes a line end (LF, CRLF or a lone CR) if one is at p. */
static int eat_newline(store_csv_t *c)
{
    if (c->p < c->end && *c->p == '\r') {
        c->p++;
        if (c->p < c->end && *c->p == '\n') c->p++;
        c->line++;
        c->col = 1;
        return 1;
    }
    if (c->p < c->end && *c->p == '\n') {
        advance(c);
        return 1;
    }
    return 0;
}

static int start_field(store_csv_t *c)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        size_t *off = realloc(c->off, cap * sizeof *off);
        if (!off) return -1;
        c->off = off;
        long *fl = realloc(c->fline, cap * sizeof *fl);
        if (!fl) return -1;
        c->fline = fl;
        long *fc = realloc(c->fcol, cap * sizeof *fc);
        if (!fc) return -1;
        c->fcol = fc;
        char **f = realloc(c->field, cap * sizeof *f);
        if (!f) return -1;
        c->field = f;
        c->cap = cap;
    }
    c->off[c->n] = c->text.len;
    c->fline[c->n] = c->line;
    c->fcol[c->n] = c->col;
    c->n++;
    return 0;
}

static tsg_status_t nomem(store_csv_t *c, tsg_error_t *err)
{
    return util_fail(err, TSG_ENOMEM, _("%s:%ld:%ld: out of memory"), c->file, c->line, c->col);
}

tsg_status_t store_csv_next(store_csv_t *c, int *have, tsg_error_t *err)
{
    *have = 0;
    c->n = 0;
    c->text.len = 0;
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) eat_newline(c);
    if (c->p >= c->end) return TSG_OK;
    c->rec_line = c->line;
    for (;;) {
        if (start_field(c)) return nomem(c, err);
        if (c->p < c->end && *c->p == '"') {
            long qline = c->line, qcol = c->col;
            advance(c);
            /* Positions inside the field count from its first character. */
            c->fline[c->n - 1] = c->line;
            c->fcol[c->n - 1] = c->col;
            for (;;) {
                if (c->p >= c->end)
                    return util_fail(err, TSG_EINPUT,
                                     _("%s:%ld:%ld: quoted field never closes (missing \")"),
                                     c->file, qline, qcol);
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        if (util_buf_addc(&c->text, '"')) return nomem(c, err);
                        advance(c);
                        advance(c);
                        continue;
                    }
                    advance(c);
                    break;
                }
                if (util_buf_addc(&c->text, *c->p)) return nomem(c, err);
                advance(c);
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
                return util_fail(err, TSG_EINPUT,
                                 _("%s:%ld:%ld: unexpected text after a closing quote "
                                 "(a quote inside a field is written \"\")"),
                                 c->file, c->line, c->col);
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                if (*c->p == '"')
                    return util_fail(err, TSG_EINPUT,
                                     _("%s:%ld:%ld: quote inside an unquoted field "
                                     "(quote the whole field and write the quote as \"\")"),
                                     c->file, c->line, c->col);
                if (util_buf_addc(&c->text, *c->p)) return nomem(c, err);
                advance(c);
            }
        }
        if (util_buf_addc(&c->text, '\0')) return nomem(c, err);
        if (c->p < c->end && *c->p == ',') {
            advance(c);
            continue;
        }
        eat_newline(c);
        break;
    }
    for (size_t i = 0; i < c->n; i++) c->field[i] = c->text.data + c->off[i];
    *have = 1;
    return TSG_OK;
}

int store_csv_put(util_buf_t *out, const char *field, int last)
{
    int rc = 0;
    if (field && field[strcspn(field, ",\"\r\n")]) {
        rc |= util_buf_addc(out, '"');
        for (const char *s = field; *s; s++) {
            if (*s == '"') rc |= util_buf_addc(out, '"');
            rc |= util_buf_addc(out, *s);
        }
        rc |= util_buf_addc(out, '"');
    } else if (field) {
        rc |= util_buf_adds(out, field);
    }
    rc |= util_buf_addc(out, last ? '\n' : ',');
    return rc ? -1 : 0;
}
