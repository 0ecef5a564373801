/*
 * hsds_export — the network as an HSDS 3.0 tabular package.
 *
 * Each resource is one SQL query whose column names are HSDS field names;
 * the CSV header is the field list of the resource's schema in the official
 * 3.0 datapackage.json (compiled in from data/hsds), so a column the query
 * does not fill is written empty and the header always matches the schema.
 * What HSDS has no place for (districts, forums, ties, where organisations
 * are) goes to extension resources named x_tsunagi_*, described in the
 * package's own datapackage.json (docs/data-format.md §8).
 *
 * HSDS ids are UUIDs. tsunagi ids are not, so each is mapped to a name-based
 * UUID (version 5, SHA-1) of "entity/id": the same network exports the same
 * ids every time, and a re-export updates rather than duplicates.
 */
#include "csv.h"
#include "hsds.h"
#include "i18n.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <sys/stat.h>

/* ---- UUID version 5 --------------------------------------------------------- */

typedef struct sha1 {
    uint32_t h[5];
    uint64_t len;
    unsigned char block[64];
    size_t used;
} sha1_t;

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(sha1_t *s, const unsigned char *b)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 | (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], bb = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) f = (bb & c) | (~bb & d), k = 0x5a827999;
        else if (i < 40) f = bb ^ c ^ d, k = 0x6ed9eba1;
        else if (i < 60) f = (bb & c) | (bb & d) | (c & d), k = 0x8f1bbcdc;
        else f = bb ^ c ^ d, k = 0xca62c1d6;
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d, d = c, c = rol(bb, 30), bb = a, a = t;
    }
    s->h[0] += a, s->h[1] += bb, s->h[2] += c, s->h[3] += d, s->h[4] += e;
}

static void sha1_add(sha1_t *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->len += n;
    while (n--) {
        s->block[s->used++] = *p++;
        if (s->used == 64) sha1_block(s, s->block), s->used = 0;
    }
}

static void sha1_end(sha1_t *s, unsigned char out[20])
{
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80;
    sha1_add(s, &pad, 1);
    pad = 0;
    while (s->used != 56) sha1_add(s, &pad, 1);
    for (int i = 7; i >= 0; i--) {
        unsigned char c = (unsigned char)(bits >> (8 * i));
        sha1_add(s, &c, 1);
    }
    for (int i = 0; i < 20; i++) out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* tsunagi's namespace for name-based UUIDs (a random UUID fixed once). */
static const unsigned char uuid_ns[16] = {0x3b, 0x6c, 0x1f, 0x52, 0x9d, 0x0e, 0x4a, 0x57,
                                          0x8c, 0x21, 0x6e, 0xf4, 0x0b, 0x93, 0xd7, 0x15};

/* RFC 9562 §5.5: SHA-1 of namespace and name, version 5, variant 10. */
static void uuid5(const char *name, size_t n, char out[37])
{
    sha1_t s = {{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}, 0, {0}, 0};
    unsigned char d[20];
    sha1_add(&s, uuid_ns, sizeof uuid_ns);
    sha1_add(&s, name, n);
    sha1_end(&s, d);
    d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);
    d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *o++ = '-';
        o += sprintf(o, "%02x", d[i]);
    }
}

/* SQL: tsg_uuid(entity, id) → the UUID of "entity/id"; NULL id → NULL. */
static void sql_uuid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const char *entity = (const char *)sqlite3_value_text(argv[0]), *id = (const char *)sqlite3_value_text(argv[1]);
    char *name = entity && id ? util_printf("%s/%s", entity, id) : NULL;
    if (!name) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    char out[37];
    uuid5(name, strlen(name), out);
    free(name);
    sqlite3_result_text(ctx, out, 36, SQLITE_TRANSIENT);
}

/* tsg_published(count): the count as the package may publish it; a count of
 * people under the threshold (the function's user data) is left out, as
 * --suppress-below does in every other output. */
static void sql_published(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    long below = *(const long *)sqlite3_user_data(ctx);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || (below > 0 && sqlite3_value_int64(argv[0]) < below))
        sqlite3_result_null(ctx);
    else sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0]));
}

/* ---- resources --------------------------------------------------------------- */

#define ENTITY(type)                                                                                          \
    "CASE " type " WHEN 'organisation' THEN 'organization' WHEN 'program' THEN 'service'"                     \
    " WHEN 'forum' THEN 'x_tsunagi_forum' ELSE 'x_tsunagi_district' END"
#define LABEL(kind, key) "coalesce((SELECT label_ja FROM vocab WHERE kind = " kind " AND key = " key "), " key ")"
#define TARGETS                                                                                                \
    "(SELECT group_concat(" LABEL("'target'", "target") ", '、') FROM (SELECT target FROM program_target"        \
    " WHERE program = p.nid ORDER BY pos))"

#define KEYS(tbl, col) "(SELECT group_concat(" col ", ';') FROM (SELECT " col " FROM " tbl " WHERE program = p.nid ORDER BY pos))"

typedef struct resource {
    const char *name, *file, *sql;
    const char *description; /* extension resources only: they are not in the 3.0 package */
} resource_t;

static const resource_t resources[] = {
    {"organization", "organizations.csv",
     "SELECT tsg_uuid('organization', n.id) AS id, o.name AS name,"
     " " LABEL("'sector'", "o.sector") " || ' (' || o.sector || ')' || coalesce('、' || d.name, '') AS description"
     " FROM organisation o JOIN node n ON n.nid = o.nid LEFT JOIN district d ON d.nid = o.district ORDER BY o.nid",
     NULL},
    {"service", "services.csv",
     "SELECT tsg_uuid('service', n.id) AS id, tsg_uuid('organization', o.id) AS organization_id, p.name AS name,"
     " CASE WHEN p.ends IS NOT NULL AND p.ends || '-99' < date('now') THEN 'inactive' ELSE 'active' END AS status,"
     " " TARGETS " AS eligibility_description,"
     " p.age_min AS minimum_age, p.age_max AS maximum_age"
     " FROM program p JOIN node n ON n.nid = p.nid JOIN node o ON o.nid = p.org ORDER BY p.nid",
     NULL},
    {"service_area", "service_areas.csv",
     "SELECT id, service_id, name, description FROM ("
     " SELECT tsg_uuid('service_area', n.id || '/' || dn.id) AS id, tsg_uuid('service', n.id) AS service_id,"
     "  d.name AS name, 'tsunagi district ' || dn.id AS description, p.nid AS k1, a.pos AS k2"
     "  FROM program_area a JOIN program p ON p.nid = a.program JOIN node n ON n.nid = p.nid"
     "  JOIN node dn ON dn.nid = a.district JOIN district d ON d.nid = a.district"
     "  WHERE dn.id <> '" STORE_HSDS_UNKNOWN_PLACE "'"
     " UNION ALL"
     " SELECT tsg_uuid('service_area', n.id || '/*'), tsg_uuid('service', n.id), '広域 (wide-area)',"
     "  'available from anywhere', p.nid, 0 FROM program p JOIN node n ON n.nid = p.nid WHERE p.wide_area)"
     " ORDER BY k1, k2",
     NULL},
    /* Opening hours are free text: HSDS's place for that is a schedule's
     * description (its other fields are RRULE parts tsunagi does not have). */
    {"schedule", "schedules.csv",
     "SELECT tsg_uuid('schedule', n.id) AS id, tsg_uuid('service', n.id) AS service_id, p.hours AS description"
     " FROM program p JOIN node n ON n.nid = p.nid WHERE p.hours IS NOT NULL AND p.hours <> '' ORDER BY p.nid",
     NULL},
    {"taxonomy", "taxonomies.csv",
     "SELECT tsg_uuid('taxonomy', 'tsunagi') AS id, 'tsunagi' AS name,"
     " 'tsunagi''s vocabulary of sectors, target groups, needs and modes (docs/data-format.md §4)' AS description,"
     " '1' AS version",
     NULL},
    {"taxonomy_term", "taxonomy_terms.csv",
     "SELECT tsg_uuid('taxonomy_term', kind || ':' || key) AS id, kind || ':' || key AS code, label_ja AS name,"
     " kind || ' ' || key AS description, 'tsunagi' AS taxonomy, 'ja' AS language,"
     " tsg_uuid('taxonomy', 'tsunagi') AS taxonomy_id"
     " FROM vocab WHERE kind IN ('sector', 'target', 'need', 'mode', 'approach', 'in_system') ORDER BY rowid",
     NULL},
    {"attribute", "attributes.csv",
     "SELECT tsg_uuid('attribute', kind || ':' || id || ':' || key) AS id, tsg_uuid(entity, id) AS link_id,"
     " tsg_uuid('taxonomy_term', kind || ':' || key) AS taxonomy_term_id, kind AS link_type,"
     " entity AS link_entity FROM ("
     " SELECT 'sector' AS kind, n.id AS id, o.sector AS key, 'organization' AS entity, o.nid AS k1, 0 AS k2, 0 AS k3"
     "  FROM organisation o JOIN node n ON n.nid = o.nid"
     " UNION ALL SELECT 'target', n.id, t.target, 'service', t.program, 1, t.pos"
     "  FROM program_target t JOIN node n ON n.nid = t.program"
     " UNION ALL SELECT 'need', n.id, t.need, 'service', t.program, 2, t.pos"
     "  FROM program_need t JOIN node n ON n.nid = t.program"
     " UNION ALL SELECT 'mode', n.id, t.mode, 'service', t.program, 3, t.pos"
     "  FROM program_mode t JOIN node n ON n.nid = t.program"
     " UNION ALL SELECT 'approach', n.id, p.approach, 'service', p.nid, 4, 0"
     "  FROM program p JOIN node n ON n.nid = p.nid WHERE p.approach IS NOT NULL AND p.approach <> ''"
     " UNION ALL SELECT 'in_system', n.id, p.in_system, 'service', p.nid, 5, 0"
     "  FROM program p JOIN node n ON n.nid = p.nid WHERE p.in_system IS NOT NULL AND p.in_system <> '')"
     " ORDER BY k1, k2, k3",
     NULL},
    {"x_tsunagi_district", "x_tsunagi_districts.csv",
     "SELECT tsg_uuid('x_tsunagi_district', n.id) AS id, n.id AS tsunagi_id, d.name AS name, d.level AS level,"
     " tsg_uuid('x_tsunagi_district', pn.id) AS parent_id"
     " FROM district d JOIN node n ON n.nid = d.nid LEFT JOIN node pn ON pn.nid = d.parent ORDER BY d.nid",
     "tsunagi extension: the district tree (prefecture, municipality, ward, school district, neighbourhood)"},
    {"x_tsunagi_forum", "x_tsunagi_forums.csv",
     "SELECT tsg_uuid('x_tsunagi_forum', n.id) AS id, n.id AS tsunagi_id, f.name AS name, f.kind AS kind,"
     " tsg_uuid('x_tsunagi_district', dn.id) AS district_id"
     " FROM forum f JOIN node n ON n.nid = f.nid LEFT JOIN node dn ON dn.nid = f.district ORDER BY f.nid",
     "tsunagi extension: forums (councils, platforms, support meetings) that organisations belong to"},
    {"x_tsunagi_organization", "x_tsunagi_organizations.csv",
     "SELECT tsg_uuid('x_tsunagi_organization', n.id) AS id, tsg_uuid('organization', n.id) AS organization_id,"
     " n.id AS tsunagi_id, o.sector AS sector, tsg_uuid('x_tsunagi_district', dn.id) AS district_id"
     " FROM organisation o JOIN node n ON n.nid = o.nid LEFT JOIN node dn ON dn.nid = o.district ORDER BY o.nid",
     "tsunagi extension: each organisation's tsunagi id, sector key and the district it is based in"},
    {"x_tsunagi_service", "x_tsunagi_services.csv",
     "SELECT tsg_uuid('x_tsunagi_service', n.id) AS id, tsg_uuid('service', n.id) AS service_id, n.id AS tsunagi_id,"
     " " KEYS("program_target", "target") " AS targets, " KEYS("program_need", "need") " AS needs,"
     " " KEYS("program_mode", "mode") " AS modes, p.approach AS approach, p.in_system AS in_system,"
     " CASE WHEN p.wide_area THEN '*' ELSE (SELECT group_concat(id, ';') FROM (SELECT an.id FROM program_area a"
     "  JOIN node an ON an.nid = a.district WHERE a.program = p.nid ORDER BY a.pos)) END AS area,"
     " p.hours AS hours, p.starts AS start, p.ends AS \"end\""
     " FROM program p JOIN node n ON n.nid = p.nid ORDER BY p.nid",
     "tsunagi extension: each program's tsunagi id and what HSDS has no field for: its keys, approach, in-system,"
     " area (district tsunagi ids, or * for wide-area), hours and dates, as in tsunagi's programs.csv"},
    {"x_tsunagi_tie", "x_tsunagi_ties.csv",
     "SELECT tsg_uuid('x_tsunagi_tie', a.id || '/' || b.id || '/' || t.kind) AS id,"
     " tsg_uuid(" ENTITY("a.type") ", a.id) AS from_id, " ENTITY("a.type") " AS from_entity,"
     " tsg_uuid(" ENTITY("b.type") ", b.id) AS to_id, " ENTITY("b.type") " AS to_entity,"
     " t.kind AS kind, CASE t.directed WHEN 1 THEN 'true' ELSE 'false' END AS directed,"
     " tsg_published(t.count) AS count, t.since AS since"
     " FROM tie t JOIN node a ON a.nid = t.src JOIN node b ON b.nid = t.dst ORDER BY t.tid",
     "tsunagi extension: referrals and other ties between organisations, services and forums"
     " (HSDS has no referral table)"},
    {"x_tsunagi_vocabulary", "x_tsunagi_vocabulary.csv",
     "SELECT tsg_uuid('x_tsunagi_vocabulary', v.kind || ':' || v.key) AS id, v.kind AS kind, v.key AS key,"
     " v.label_ja AS label_ja, (SELECT group_concat(alias, ';') FROM (SELECT alias FROM vocab_alias a"
     "  WHERE a.kind = v.kind AND a.key = v.key ORDER BY a.rowid)) AS aliases"
     " FROM vocab v WHERE v.builtin = 0 ORDER BY v.rowid",
     "tsunagi extension: the vocabulary keys this network added to the built-in ones, as in vocabulary.csv"},
};

/* The field names of an extension resource: its query's column names. */
static json_t *extension_schema(sqlite3_stmt *st)
{
    json_t *fields = json_array();
    for (int i = 0; fields && i < sqlite3_column_count(st); i++) {
        const char *name = sqlite3_column_name(st, i);
        const char *type = !strcmp(name, "count") ? "integer" : !strcmp(name, "directed") ? "boolean" : "string";
        int required = !strcmp(name, "id") || !strcmp(name, "from_id") || !strcmp(name, "to_id") ||
                       !strcmp(name, "kind") || !strcmp(name, "name") || !strcmp(name, "link_id");
        json_t *f = json_pack("{s:s, s:s, s:{s:b, s:b}}", "name", name, "type", type, "constraints", "required",
                              required, "unique", !strcmp(name, "id"));
        if (!f || json_array_append_new(fields, f)) {
            json_decref(fields);
            return NULL;
        }
    }
    return fields;
}

/* One resource: the query's rows under the schema's header (or, for an
 * extension, under the query's own column names, which become its schema). */
static tsg_status_t write_resource(tsg_db_t *db, const char *dir, const resource_t *r, json_t *schema_fields,
                                   json_t **ext_fields, tsg_error_t *err)
{
    sqlite3_stmt *st;
    tsg_status_t s = store_prepare(db->sql, r->sql, &st, err);
    if (s) return s;
    int nq = sqlite3_column_count(st);
    size_t nf = schema_fields ? json_array_size(schema_fields) : (size_t)nq;
    int *pos = malloc(sizeof *pos * (size_t)nq);
    const char **row = calloc(nf ? nf : 1, sizeof *row);
    util_buf_t b = {0};
    char *path = util_printf("%s/%s", dir, r->file);
    if (!pos || !row || !path) {
        s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        goto done;
    }
    if (!schema_fields && !(*ext_fields = extension_schema(st))) {
        s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        goto done;
    }
    for (int i = 0; i < nq; i++) {
        pos[i] = -1;
        for (size_t f = 0; f < nf; f++) {
            const char *name = schema_fields ? json_string_value(json_object_get(json_array_get(schema_fields, f), "name"))
                                             : sqlite3_column_name(st, (int)f);
            if (name && !strcmp(name, sqlite3_column_name(st, i))) pos[i] = (int)f;
        }
        if (pos[i] < 0) { /* a query naming a field the schema lacks is a bug here */
            s = util_fail(err, TSG_EINPUT, _("export-hsds: %s has no field %s"), r->name, sqlite3_column_name(st, i));
            goto done;
        }
    }
    int bad = 0;
    for (size_t f = 0; f < nf && !bad; f++) {
        const char *name = schema_fields ? json_string_value(json_object_get(json_array_get(schema_fields, f), "name"))
                                         : sqlite3_column_name(st, (int)f);
        bad = store_csv_put(&b, name, f + 1 == nf);
    }
    int rc;
    while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (size_t f = 0; f < nf; f++) row[f] = NULL;
        for (int i = 0; i < nq; i++) row[pos[i]] = (const char *)sqlite3_column_text(st, i);
        for (size_t f = 0; f < nf && !bad; f++) bad = store_csv_put(&b, row[f], f + 1 == nf);
    }
    if (bad) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    else if (rc != SQLITE_DONE) s = store_fail_sql(db->sql, "export-hsds", err);
    else s = util_write_file(path, b.data ? b.data : "", b.len, store_guard(db), err);
done:
    sqlite3_finalize(st);
    util_buf_free(&b);
    free(path);
    free(pos);
    free(row);
    return s;
}

static json_t *official_package(tsg_error_t *err)
{
    for (const store_embedded_t *f = store_hsds_files; f->name; f++) {
        if (strcmp(f->name, "datapackage-3.0.0.json")) continue;
        json_error_t je;
        json_t *dp = json_loadb((const char *)f->data, f->len, 0, &je);
        if (!dp) util_fail(err, TSG_EINPUT, _("datapackage-3.0.0.json:%d:%d: %s"), je.line, je.column, je.text);
        return dp;
    }
    util_fail(err, TSG_EINPUT, _("the HSDS 3.0 datapackage.json is not compiled in"));
    return NULL;
}

/* Every file the package holds, checked before anything is written: none
 * may be the database or its -wal/-shm (a database kept in the folder), a
 * link, a folder or a device (found at its turn, it left the package half
 * written). */
static tsg_status_t check_names(tsg_db_t *db, const char *dir, tsg_error_t *err)
{
    const util_guard_t *g = store_guard(db);
    tsg_status_t s = g ? TSG_OK : util_fail(err, TSG_ENOMEM, _("out of memory"));
    for (size_t i = 0; !s && i <= sizeof resources / sizeof *resources; i++) {
        char *path = util_printf("%s/%s", dir, i < sizeof resources / sizeof *resources ? resources[i].file
                                                                                       : "datapackage.json");
        s = path ? util_target_check(g, path, err) : util_fail(err, TSG_ENOMEM, _("out of memory"));
        free(path);
    }
    return s;
}

/* The package's own name, title, description and licence in place of the
 * specification's (whose licence, CC-BY-SA, is the spec's, not the data's). */
/* The package's name, title and licence are one line each in
 * datapackage.json, read by catalogues and shown in lists: a line break, a
 * tab or another control character (or one that hides or reorders text,
 * util_hidden_char) would break or disguise them. fmt names the field and
 * takes the code point and its position, counted from 1. */
static tsg_status_t check_line(const char *s, const char *fmt, tsg_error_t *err)
{
    if (!s) return TSG_OK;
    /* Not UTF-8, it could not be written to JSON at all (and was reported
     * as a lack of memory). */
    if (utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)strlen(s), NULL, 0, 0) < 0)
        return util_fail(err, TSG_EINPUT, _("the package's name, title and licence must be UTF-8 text"));
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80) chars++;
        if (*p < 0x20 || *p == 0x7F) return util_fail(err, TSG_EINPUT, fmt, (unsigned)*p, chars);
    }
    int32_t cp = 0;
    if (util_find_hidden(s, strlen(s), &cp, &chars) >= 0) return util_fail(err, TSG_EINPUT, fmt, (unsigned)cp, chars + 1);
    return TSG_OK;
}

static tsg_status_t describe(tsg_db_t *db, json_t *dp, const tsg_hsds_package_t *pkg, tsg_error_t *err)
{
    static const char *const spec_keys[] = {"name", "title", "description", "homepage", "license", "licenses"};
    for (size_t i = 0; i < sizeof spec_keys / sizeof *spec_keys; i++) json_object_del(dp, spec_keys[i]);
    /* The city: the one municipality, else the one district at the top. */
    static const char *const tops[] = {
        "SELECT n.id, d.name FROM district d JOIN node n ON n.nid = d.nid WHERE d.level = 'municipality' LIMIT 2",
        "SELECT n.id, d.name FROM district d JOIN node n ON n.nid = d.nid WHERE d.parent IS NULL LIMIT 2"};
    char *root_id = NULL, *root_name = NULL;
    tsg_status_t s = TSG_OK;
    for (size_t q = 0; q < 2 && !root_id && !s; q++) {
        sqlite3_stmt *st;
        if ((s = store_prepare(db->sql, tops[q], &st, err))) break;
        if (sqlite3_step(st) == SQLITE_ROW) {
            root_id = util_strdup((const char *)sqlite3_column_text(st, 0));
            root_name = util_strdup((const char *)sqlite3_column_text(st, 1));
            if (sqlite3_step(st) == SQLITE_ROW) { /* several: no one name for the package */
                free(root_id), free(root_name);
                root_id = root_name = NULL;
            }
        }
        sqlite3_finalize(st);
    }
    /* The default title is the top district's name, which may hold a line
     * break (names may): the title is one line. */
    for (char *c = root_name; c && *c; c++)
        if ((unsigned char)*c < 0x20) *c = ' ';
    if (!s && pkg) s = check_line(pkg->title, _("the package title holds U+%04X (character %zu), a line break or another "
                                                "character that does not show: the title must be one line of visible text"),
                                   err);
    if (!s && pkg) s = check_line(pkg->license, _("the package licence holds U+%04X (character %zu), a line break or "
                                                  "another character that does not show: the licence must be one line of "
                                                  "visible text (an SPDX id or a URL)"),
                                   err);
    if (!s && pkg) s = check_line(pkg->name, _("the package name holds U+%04X (character %zu), a line break or another "
                                               "character that does not show: the name may hold only lower-case letters, "
                                               "digits, '-', '.' and '_'"),
                                   err);
    if (s) {
        free(root_id);
        free(root_name);
        return s;
    }
    const char *name = pkg && pkg->name ? pkg->name : NULL, *title = pkg && pkg->title ? pkg->title : root_name;
    if (name && (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-._") != strlen(name)))
        s = util_fail(err, TSG_EINPUT, _("the package name '%s' may hold only lower-case letters, digits, '-', '.' and '_'"),
                      name);
    char *slug = NULL;
    if (!s && !name && root_id) { /* the top district's id, made a package name */
        slug = util_strdup(root_id);
        for (char *c = slug; c && *c; c++) {
            if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
            if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-._", *c)) *c = '-';
        }
        name = slug;
    }
    char *description = title ? util_printf("%s: organisations, services, districts, forums and ties, exported by tsunagi "
                                            "(HSDS 3.0 with x_tsunagi extensions)", title)
                              : NULL;
    int fail = (name && json_object_set_new(dp, "name", json_string(name))) ||
               (title && json_object_set_new(dp, "title", json_string(title))) ||
               (description && json_object_set_new(dp, "description", json_string(description)));
    if (!fail && pkg && pkg->license && *pkg->license) {
        int url = !strncmp(pkg->license, "http://", 7) || !strncmp(pkg->license, "https://", 8);
        fail = json_object_set_new(dp, "licenses", json_pack("[{s:s}]", url ? "path" : "name", pkg->license));
    }
    if (!s && fail) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    free(description);
    free(slug);
    free(root_id);
    free(root_name);
    return s;
}

tsg_status_t tsg_export_hsds(tsg_db_t *db, const char *dir, tsg_error_t *err)
{
    return tsg_export_hsds_with(db, dir, NULL, err);
}

tsg_status_t tsg_export_hsds_with(tsg_db_t *db, const char *dir, const tsg_hsds_package_t *pkg, tsg_error_t *err)
{
    tsg_status_t checked = store_check(db, err);
    if (checked) return checked;
    tsg_status_t s0 = check_names(db, dir, err);
    if (s0) return s0;
    /* The package's description first: a bad name stops before any file. */
    json_t *dp = official_package(err);
    if (!dp) return err->code;
    /* tsg_published's threshold: SQLite owns it with the function and frees
     * it when the function is replaced or the connection closes (or at once
     * if registering fails). */
    long *below = malloc(sizeof *below);
    if (below) *below = pkg ? pkg->suppress_below : 0;
    if (!below ? (s0 = util_fail(err, TSG_ENOMEM, _("out of memory")))
               : (sqlite3_create_function_v2(db->sql, "tsg_published", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, below,
                                             sql_published, NULL, NULL, free) != SQLITE_OK ||
                  sqlite3_create_function(db->sql, "tsg_uuid", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_uuid,
                                          NULL, NULL) != SQLITE_OK) &&
                     (s0 = store_fail_sql(db->sql, "export-hsds", err))) {
        json_decref(dp);
        return s0;
    }
    if ((s0 = describe(db, dp, pkg, err)) || (mkdir(dir, 0777) != 0 && errno != EEXIST &&
                                              (s0 = util_fail(err, TSG_EIO, _("%s: cannot create folder: %s"), dir,
                                                              strerror(errno))))) {
        json_decref(dp);
        return s0;
    }
    json_t *official = json_object_get(dp, "resources");
    json_t *kept = json_array();
    tsg_status_t s = kept ? TSG_OK : util_fail(err, TSG_ENOMEM, _("out of memory"));
    for (size_t i = 0; !s && i < sizeof resources / sizeof *resources; i++) {
        const resource_t *r = &resources[i];
        json_t *res = NULL, *fields = NULL;
        size_t k;
        json_t *v;
        json_array_foreach(official, k, v)
        {
            const char *name = json_string_value(json_object_get(v, "name"));
            if (name && !strcmp(name, r->name)) res = v;
        }
        if (res) {
            s = write_resource(db, dir, r, json_object_get(json_object_get(res, "schema"), "fields"), NULL, err);
            if (!s && json_array_append(kept, res)) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
            continue;
        }
        if ((s = write_resource(db, dir, r, NULL, &fields, err))) break;
        res = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:o}}", "name", r->name, "path", r->file,
                        "description", r->description, "format", "csv", "mediatype", "text/csv", "profile",
                        "tabular-data-resource", "schema", "primaryKey", "id", "fields", fields);
        if (!res || json_array_append_new(kept, res)) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    }
    if (!s && json_object_set(dp, "resources", kept)) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
    if (!s) {
        char *path = util_printf("%s/datapackage.json", dir);
        char *text = json_dumps(dp, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        if (!path || !text) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
        else {
            util_buf_t b = {0};
            if (util_buf_adds(&b, text) || util_buf_addc(&b, '\n')) s = util_fail(err, TSG_ENOMEM, _("out of memory"));
            else s = util_write_file(path, b.data, b.len, store_guard(db), err);
            util_buf_free(&b);
        }
        free(path);
        free(text);
    }
    json_decref(kept);
    json_decref(dp);
    return s;
}
