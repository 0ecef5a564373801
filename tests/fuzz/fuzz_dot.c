/* fuzz_dot — organisations named with random bytes, drawn as DOT, GraphML
 * and JSON. GraphViz's own parser (cgraph) must read the DOT back with
 * every label as written (quotes and backslashes escaped, line breaks as
 * \n), and jansson the JSON with every name exact; bytes that are not
 * UTF-8 come out as U+FFFD. The names are set in a
 * transaction that is rolled back, so the database never changes. */
#include "draw.h"
#include "fuzz.h"
#include "query.h"
#include "store.h"

#include <graphviz/cgraph.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tsg_db_t *db;

static void setup(void)
{
    char cache[200], path[256];
    snprintf(cache, sizeof cache, "%s/cache", fuzz_workdir());
    setenv("XDG_CACHE_HOME", cache, 1);
    tsg_error_t err = {0};
    tsg_db_t *sample;
    FUZZ_CHECK(!tsg_open_sample(&sample, &err), "%s", err.text);
    snprintf(path, sizeof path, "%s/dot.db", fuzz_workdir());
    fuzz_copy(tsg_db_path(sample), path);
    tsg_close(sample);
    FUZZ_CHECK(!tsg_open(path, &db, &err), "%s", err.text);
}

/* Bytes of the UTF-8 character at p, or 0 when they are not one (written
 * here from RFC 3629, apart from the library's utf8proc). */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80) return 1;
    size_t n = p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3 : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && p[0] == 0xE0 && p[1] < 0xA0) return 0; /* overlong */
    if (n == 3 && p[0] == 0xED && p[1] >= 0xA0) return 0; /* surrogate */
    if (n == 4 && p[0] == 0xF0 && p[1] < 0x90) return 0;  /* overlong */
    if (n == 4 && p[0] == 0xF4 && p[1] >= 0x90) return 0; /* past U+10FFFF */
    return n;
}

/* Whether a picture shows code point c as "[U+XXXX]" (docs/language.md,
 * hidden characters): C0 controls but tab and line breaks, DEL and C1, the
 * bidirectional controls and the zero-width characters. Written here from
 * the rule, apart from the library's util_hidden_char. */
static uint32_t code_point(const unsigned char *p, size_t n)
{
    return n == 1 ? p[0]
         : n == 2 ? (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F)
         : n == 3 ? (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F)
                  : (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 |
                        (p[3] & 0x3F);
}

static int shown_as_code(uint32_t c)
{
    if (c < 0x20) return c != '\t' && c != '\n' && c != '\r';
    if (c >= 0x7F && c <= 0x9F) return 1;
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069) || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}

/* The name as the writers must give it: U+FFFD for each byte that is not
 * UTF-8; for DOT also as cgraph hands a label back (its parser undoes only
 * \", so \\ and \n stay two characters), without carriage returns, and
 * each hidden character as [U+XXXX]. JSON keeps the hidden ones exact. */
static char *expected(const char *name, int dot)
{
    char *out = malloc(8 * strlen(name) + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
        size_t n = utf8_len(p);
        if (!n) {
            memcpy(o, "\xEF\xBF\xBD", 3), o += 3, p++;
            continue;
        }
        if (dot && shown_as_code(code_point(p, n))) o += sprintf(o, "[U+%04X]", (unsigned)code_point(p, n));
        else if (dot && *p == '\\') *o++ = '\\', *o++ = '\\';
        else if (dot && *p == '\n') *o++ = '\\', *o++ = 'n';
        else if (!dot || *p != '\r') memcpy(o, p, n), o += n;
        p += n;
    }
    *o = '\0';
    return out;
}

static void check_dot(const eng_net_t *net, const util_buf_t *b)
{
    Agraph_t *g = agmemread(b->data);
    FUZZ_CHECK(g, "GraphViz cannot read the DOT:\n%s", b->data);
    for (int64_t v = 1; v <= net->maxnid; v++) {
        if (net->type[v] != ENG_ORGANISATION) continue;
        char id[32];
        snprintf(id, sizeof id, "n%lld", (long long)v);
        Agnode_t *n = agnode(g, id, 0);
        if (!n) continue; /* not drawn (no district) */
        /* The full name is the node's tooltip; its label is the name broken
         * into short lines, with the count of its programs (issue 20). */
        char *want = expected(net->name[v], 1);
        const char *got = agget(n, "tooltip");
        FUZZ_CHECK(got && !strcmp(got, want), "tooltip of %s: '%s', not '%s'", id, got ? got : "(none)", want);
        free(want);
    }
    agclose(g);
}

static void check_json(const eng_net_t *net, const util_buf_t *b)
{
    json_error_t je;
    json_t *doc = json_loadb(b->data, b->len, 0, &je);
    FUZZ_CHECK(doc, "the JSON does not parse: %s (line %d)", je.text, je.line);
    json_t *nodes = json_object_get(doc, "nodes");
    size_t i;
    json_t *node;
    int64_t v = 1; /* the writer lists nodes in nid order: one pass finds each */
    json_array_foreach(nodes, i, node)
    {
        const char *id = json_string_value(json_object_get(node, "id"));
        const char *name = json_string_value(json_object_get(node, "name"));
        FUZZ_CHECK(id && name, "a JSON node without id or name");
        while (v <= net->maxnid && !(net->id[v] && !strcmp(net->id[v], id))) v++;
        FUZZ_CHECK(v <= net->maxnid, "JSON node %s out of order or unknown", id);
        char *want = expected(net->name[v], 0);
        FUZZ_CHECK(!strcmp(want, name), "JSON name of %s: '%s', not '%s'", id, name, want);
        free(want);
    }
    json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) setup();
    FUZZ_CHECK(sqlite3_exec(db->sql, "BEGIN", NULL, NULL, NULL) == SQLITE_OK, "BEGIN");
    sqlite3_stmt *up;
    FUZZ_CHECK(sqlite3_prepare_v2(db->sql,
                                  "UPDATE organisation SET name = ?1 WHERE nid = "
                                  "(SELECT nid FROM organisation ORDER BY nid LIMIT 1 OFFSET ?2)",
                                  -1, &up, NULL) == SQLITE_OK,
               "prepare");
    /* Names are the input's lines (NUL ends a name: C strings hold none). */
    const char *p = (const char *)data, *end = p + size;
    int k = 0;
    char title[256] = "";
    while (p < end && k < 64) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        size_t n = strnlen(p, (size_t)(eol - p));
        if (n) {
            sqlite3_bind_text(up, 1, p, (int)n, SQLITE_TRANSIENT);
            sqlite3_bind_int(up, 2, k);
            sqlite3_step(up); /* a name taken twice fails its check: fine */
            sqlite3_reset(up);
            if (k == 0) snprintf(title, sizeof title, "%.*s", (int)(n < 200 ? n : 200), p);
        }
        k++;
        p = nl ? nl + 1 : end;
    }
    sqlite3_finalize(up);

    tsg_session_t *s;
    tsg_error_t err = {0};
    FUZZ_CHECK(!tsg_session_open(db, &s, &err), "%s", err.text);
    const eng_net_t *net;
    FUZZ_CHECK(!qry_network(s, &net), "%s", s->ctx.msg);
    eng_draw_t d = {.title = title, .note = title, .cluster = ENG_CLUSTER_WARD};
    util_buf_t b = {0};
    FUZZ_CHECK(!eng_dot(net, &d, &b, &err), "%s", err.text);
    check_dot(net, &b);
    b.len = 0;
    FUZZ_CHECK(!eng_json(net, &d, &b, &err), "%s", err.text);
    check_json(net, &b);
    b.len = 0;
    FUZZ_CHECK(!eng_graphml(net, &d, &b, &err), "%s", err.text);
    util_buf_free(&b);
    tsg_session_close(s);
    FUZZ_CHECK(sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK, "ROLLBACK");
    return 0;
}
