/*
 * cat_migrate.c — schema migrations. The schema's version is SQLite's PRAGMA user_version;
 * migration file NNN_what.sql (embedded at build time, see catalog.h) brings it from NNN-1 to NNN.
 * Each runs in its own IMMEDIATE transaction that also sets user_version, so a crash or a failing
 * statement leaves the file at the previous version, and two processes opening the same new file
 * apply each migration once (the second re-reads the version under the write lock and skips it). A
 * file whose version is above the newest embedded migration belongs to a newer program and is
 * refused untouched.
 */
#include "cat_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number in "NNN_what.sql", or -1 if the name does not have that shape. */
static long migration_number(const char *name)
{
    char *end = NULL;
    long n = strtol(name, &end, 10);
    if (end == name || *end != '_' || n <= 0) return -1;
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".sql") != 0) return -1;
    return n;
}

/* How many migrations the list holds; they must be numbered 1, 2, ... in order. */
static int count_migrations(cat_t *cat, const struct embedded_file *migrations, int *count)
{
    int n = 0;
    for (const struct embedded_file *m = migrations; m->name != NULL; m++) {
        if (migration_number(m->name) != n + 1)
            return cat_fail(cat, CAT_ERR,
                            "embedded migration %s: expected number %03d (NNN_name.sql, no gaps)",
                            m->name, n + 1);
        n++;
    }
    *count = n;
    return CAT_OK;
}

static int read_version(cat_t *cat, int *version)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(cat->db, "PRAGMA user_version", -1, &st, NULL);
    if (src != SQLITE_OK) {
        sqlite3_finalize(st);
        return cat_fail_sqlite(cat, src, "reading the catalog schema version");
    }
    int rc = cat_step_row(cat, st, "reading the catalog schema version");
    if (rc == 1) {
        *version = sqlite3_column_int(st, 0);
        rc = CAT_OK;
    } else if (rc == 0) {
        rc = cat_fail(cat, CAT_ERR, "reading the catalog schema version: no result");
    }
    (void)sqlite3_finalize(st); /* its error, if any, was the step's */
    return rc;
}

/* Runs every statement of a script (constant SQL from the binary, no values). */
static int run_script(cat_t *cat, const struct embedded_file *m)
{
    const char *sql = (const char *)m->data;
    char what[CAT_NAME_MAX + 16];
    snprintf(what, sizeof what, "migration %s", m->name);
    while (sql != NULL && *sql != '\0') {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int src = sqlite3_prepare_v2(cat->db, sql, -1, &st, &tail);
        if (src != SQLITE_OK) {
            sqlite3_finalize(st);
            return cat_fail_sqlite(cat, src, what);
        }
        if (st == NULL) /* only comments or blanks left */
            break;
        for (;;) {
            src = sqlite3_step(st);
            if (src != SQLITE_ROW) break;
        }
        if (src != SQLITE_DONE) {
            int rc = cat_fail_sqlite(cat, src, what);
            sqlite3_finalize(st);
            return rc;
        }
        src = sqlite3_finalize(st);
        if (src != SQLITE_OK) return cat_fail_sqlite(cat, src, what);
        sql = tail;
    }
    return CAT_OK;
}

static int set_version(cat_t *cat, int version)
{
    /* PRAGMA takes no bound parameters; the number comes from the embedded file list, not from
     * input. */
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(cat->db, sql, -1, &st, NULL);
    if (src != SQLITE_OK) {
        sqlite3_finalize(st);
        return cat_fail_sqlite(cat, src, "setting the catalog schema version");
    }
    int rc = cat_step_done(cat, st, "setting the catalog schema version");
    (void)sqlite3_finalize(st);
    return rc;
}

/* Applies migration `m` (number `version`) unless another process did meanwhile. */
static int apply_one(cat_t *cat, const struct embedded_file *m, int version)
{
    int rc, current = 0;
    CHECK(cat_begin(cat));
    CHECK(read_version(cat, &current));
    if (current < version) {
        CHECK(run_script(cat, m));
        CHECK(set_version(cat, version));
    }
    CHECK(cat_commit(cat));
    return CAT_OK;
out:
    cat_rollback(cat);
    return rc;
}

int cat_migrate(cat_t *cat, const struct embedded_file *migrations)
{
    int rc, known = 0, current = 0;
    CHECK(count_migrations(cat, migrations, &known));
    CHECK(read_version(cat, &current));
    if (current > known)
        return cat_fail(cat, CAT_ENEWER,
                        "catalog %s has schema version %d, newer than this program knows (%d): "
                        "use a newer hotcopyd or another data directory",
                        cat->path, current, known);
    for (int v = current + 1; v <= known; v++)
        CHECK(apply_one(cat, &migrations[v - 1], v));
    return CAT_OK;
out:
    return rc;
}
