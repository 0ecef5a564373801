/*
 * runner — the data-driven language tests. A .test file is a list of cases
 * separated by lines "====". A case is statements, a line "----", and the
 * exact expected output: results as the table formatter prints them and
 * errors as "error: …" with the line and caret. Lines starting with "#"
 * before the statements are comments; a first line ".format csv|json|markdown"
 * sets the output format of that case, a line ".lang ja" its language (the
 * Japanese catalogue, as `--lang ja` gives it; every other case runs in
 * English whatever the environment says).
 *
 * Markdown files (docs/language.md) are read the same way: every ```tsq
 * block is a case whose expected output is the ```output block after it
 * (a first line ".mode …" in the block sets its format). More ```output
 * blocks may follow before the next ```tsq, each tagged with its language
 * (```output lang=ja): the same statements are run again in that language.
 *
 * Every case runs in its own session on a fresh copy of the sample city, so
 * cases cannot depend on each other. With --update the runner rewrites the
 * expected outputs of .test files instead (then read the diff!).
 *
 * usage: runner SAMPLE_DIR FILE…      prints "N passed, N failed"
 */
#include "tsunagi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct run_out {
    FILE *f;
    tsg_format_t format;
    int printed;
} run_out_t;

static tsg_status_t on_result(void *ctx, const tsg_result_t *r, tsg_error_t *err)
{
    run_out_t *o = ctx;
    /* A message is its line, and in JSON a document of the stream like a
     * table (as the program prints it; under CSV the program sends it to
     * standard error, which the runner reads in place, as it does errors). */
    if (r->kind == TSG_RESULT_MESSAGE && o->format != TSG_FMT_JSON) return tsg_result_print(r, o->format, o->f, err);
    if (o->printed++ && o->format != TSG_FMT_CSV) fputc('\n', o->f);
    return tsg_result_print(r, o->format, o->f, err);
}

static void on_error(void *ctx, const tsg_error_t *e)
{
    run_out_t *o = ctx;
    fprintf(o->f, "error: %s\n", e->text);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

static int copy_file(const char *from, const char *to)
{
    char *data = slurp(from);
    if (!data) return -1;
    FILE *f = fopen(to, "wb");
    if (!f) {
        free(data);
        return -1;
    }
    FILE *g = fopen(from, "rb");
    fseek(g, 0, SEEK_END);
    long n = ftell(g);
    fclose(g);
    fwrite(data, 1, (size_t)n, f);
    fclose(f);
    free(data);
    return 0;
}

/* Runs one case; returns its output (malloc'd). */
static char *run_case(const char *template_db, const char *work_db, const char *stmts, tsg_format_t format,
                      const char *lang)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    run_out_t o = {mem, format, 0};
    tsg_error_t err = {0};
    tsg_db_t *db = NULL;
    tsg_session_t *s = NULL;
    unlink(work_db);
    if (copy_file(template_db, work_db) || tsg_open(work_db, &db, &err) || tsg_session_open(db, &s, &err) ||
        tsg_session_lang(s, lang ? lang : "en", &err)) {
        fprintf(mem, "runner: %s\n", err.text[0] ? err.text : "cannot copy the sample database");
    } else {
        tsg_sink_t sink = {on_result, on_error, &o};
        tsg_session_param(s, "ward", "西区", &err);
        if (tsg_session_lang(s, lang, &err)) fprintf(mem, "runner: %s\n", err.text);
        tsg_session_run(s, stmts, NULL, 1, &sink, &err);
    }
    tsg_session_close(s);
    tsg_close(db);
    fclose(mem);
    return text;
}

typedef struct tcase {
    int line;          /* where the case starts in its file */
    char *stmts, *expected;
    const char *pre; /* .test: the comment and format lines before the statements, kept by --update */
    size_t pre_len;
    tsg_format_t format;
    const char *lang; /* "ja", or NULL for English */
    size_t out_at, out_len; /* Markdown: where the expected output sits in the file */
} tcase_t;

/* Splits a .test file into cases. */
static size_t parse_test(char *text, tcase_t *cases, size_t max)
{
    size_t n = 0;
    int line = 1;
    char *p = text;
    while (*p && n < max) {
        tcase_t *c = &cases[n];
        memset(c, 0, sizeof *c);
        c->format = TSG_FMT_TABLE;
        c->lang = "en";
        c->pre = p;
        /* comments and the format line */
        while (*p == '#' || *p == '\n' || !strncmp(p, ".format ", 8) || !strncmp(p, ".lang ", 6)) {
            if (!strncmp(p, ".lang ", 6))
                c->lang = !strncmp(p, ".lang ja\n", 9) ? "ja" : !strncmp(p, ".lang en\n", 9) ? "en" : "unknown";
            else if (!strncmp(p, ".format csv", 11)) c->format = TSG_FMT_CSV;
            else if (!strncmp(p, ".format json", 12)) c->format = TSG_FMT_JSON;
            else if (!strncmp(p, ".format markdown", 16)) c->format = TSG_FMT_MARKDOWN;
            else if (!strncmp(p, ".format line", 12)) c->format = TSG_FMT_LINE;
            char *nl = strchr(p, '\n');
            if (!nl) return n;
            p = nl + 1;
            line++;
        }
        if (!*p) break;
        c->pre_len = (size_t)(p - c->pre);
        c->line = line;
        c->stmts = p;
        char *sep = strstr(p, "\n----\n");
        if (!sep) {
            fprintf(stderr, "line %d: a case without '----'\n", line);
            return n;
        }
        *sep = '\0';
        for (char *q = p; q < sep; q++) line += *q == '\n';
        line += 2;
        c->expected = sep + 6;
        char *end = strstr(c->expected, "====\n");
        while (end && end != c->expected && end[-1] != '\n') end = strstr(end + 1, "====\n");
        if (end) {
            *end = '\0';
            for (char *q = c->expected; q < end; q++) line += *q == '\n';
            line++;
            p = end + 5;
        } else {
            for (char *q = c->expected; *q; q++) line += *q == '\n';
            p = c->expected + strlen(c->expected);
        }
        n++;
    }
    return n;
}

/* The ```output block at or after p and before limit (NULL: none), with its
 * language ("ja"; NULL for untagged, English) and where its body starts. */
static char *find_output(char *p, const char *limit, const char **lang, char **body)
{
    for (char *o = strstr(p, "```output"); o && (!limit || o < limit); o = strstr(o + 9, "```output")) {
        if (o != p && o[-1] != '\n') continue;
        char *rest = o + 9;
        if (*rest == '\n') *lang = NULL;
        else if (!strncmp(rest, " lang=ja\n", 9)) *lang = "ja", rest += 8;
        else if (!strncmp(rest, " lang=en\n", 9)) *lang = "en", rest += 8;
        else continue;
        *body = rest + 1;
        return o;
    }
    return NULL;
}

/* Cases from a Markdown file: ```tsq blocks followed by ```output blocks,
 * one per language shown. */
static size_t parse_markdown(char *text, tcase_t *cases, size_t max)
{
    size_t n = 0;
    char *p = text;
    while (n < max && (p = strstr(p, "```tsq\n"))) {
        int line = 1;
        for (char *q = text; q < p; q++) line += *q == '\n';
        char *body = p + 7, *end = strstr(body, "```");
        if (!end) break;
        *end = '\0';
        char *next = strstr(end + 3, "```tsq\n");
        const char *lang;
        char *obody;
        char *out = find_output(end + 3, next, &lang, &obody);
        if (!out) {
            fprintf(stderr, "line %d: a tsq example without an output block\n", line);
            p = end + 3;
            continue;
        }
        /* A first line ".mode csv|json|markdown" (the REPL's command, which
         * a reader can type) shows that format. */
        tsg_format_t format = TSG_FMT_TABLE;
        if (!strncmp(body, ".mode ", 6)) {
            char *nl = strchr(body, '\n');
            if (nl) {
                *nl = '\0';
                if (tsg_format_parse(body + 6, &format, NULL)) fprintf(stderr, "line %d: unknown format\n", line);
                body = nl + 1;
            }
        }
        p = end + 3;
        while (out && n < max) {
            char *oend = strstr(obody, "```");
            if (!oend) return n;
            *oend = '\0';
            cases[n++] = (tcase_t){.line = line, .stmts = body, .expected = obody, .format = format, .lang = lang,
                                   .out_at = (size_t)(obody - text), .out_len = (size_t)(oend - obody)};
            p = oend + 3;
            out = find_output(p, next, &lang, &obody);
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    int update = argc > 1 && !strcmp(argv[1], "--update");
    if (update) {
        argv++;
        argc--;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: runner [--update] SAMPLE_DIR FILE…\n");
        return 2;
    }
    char dir[] = "/tmp/tsunagi-lang-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    char template_db[256], work_db[256];
    snprintf(template_db, sizeof template_db, "%s/sample.db", dir);
    snprintf(work_db, sizeof work_db, "%s/case.db", dir);
    tsg_db_t *db;
    tsg_error_t err = {0};
    if (tsg_create(template_db, &db, &err) || tsg_import_csv(db, argv[1], TSG_ENC_UTF8, NULL, &err)) {
        fprintf(stderr, "runner: %s\n", err.text);
        return 2;
    }
    tsg_close(db);

    int passed = 0, failed = 0;
    static tcase_t cases[1000];
    for (int i = 2; i < argc; i++) {
        char *text = slurp(argv[i]);
        if (!text) {
            fprintf(stderr, "runner: cannot read %s\n", argv[i]);
            failed++;
            continue;
        }
        size_t len = strlen(argv[i]);
        int md = len > 3 && !strcmp(argv[i] + len - 3, ".md");
        char *copy = strdup(text);
        size_t n = md ? parse_markdown(copy, cases, 1000) : parse_test(copy, cases, 1000);
        FILE *rewrite = NULL;
        char *rewritten = NULL;
        size_t rlen = 0;
        if (update) rewrite = open_memstream(&rewritten, &rlen);
        size_t md_done = 0; /* Markdown: bytes of the original copied so far */
        for (size_t k = 0; k < n; k++) {
            char *got = run_case(template_db, work_db, cases[k].stmts, cases[k].format, cases[k].lang);
            if (rewrite && md) {
                fwrite(text + md_done, 1, cases[k].out_at - md_done, rewrite);
                fputs(got, rewrite);
                md_done = cases[k].out_at + cases[k].out_len;
            } else if (rewrite) {
                fwrite(cases[k].pre, 1, cases[k].pre_len, rewrite);
                fprintf(rewrite, "%s\n----\n%s%s", cases[k].stmts, got, k + 1 < n ? "====\n" : "");
            }
            if (!strcmp(got, cases[k].expected)) {
                passed++;
            } else {
                failed++;
                if (!update)
                    printf("FAIL %s:%d%s%s\n--- statements\n%s\n--- expected\n%s--- got\n%s\n", argv[i],
                           cases[k].line, cases[k].lang ? ", lang " : "", cases[k].lang ? cases[k].lang : "",
                           cases[k].stmts, cases[k].expected, got);
            }
            free(got);
        }
        if (rewrite && md) fputs(text + md_done, rewrite);
        if (rewrite) {
            fclose(rewrite);
            FILE *f = fopen(argv[i], "wb");
            fwrite(rewritten, 1, rlen, f);
            fclose(f);
            free(rewritten);
        }
        if (n == 0) {
            printf("FAIL %s: no cases\n", argv[i]);
            failed++;
        }
        free(copy);
        free(text);
    }
    unlink(template_db);
    unlink(work_db);
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", work_db);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", work_db);
    unlink(wal);
    rmdir(dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
