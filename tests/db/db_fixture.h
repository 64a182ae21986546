/*
 * db_fixture.h — what the catalog tests share: a fresh temporary directory per test with a catalog
 * opened in it, removed afterwards, plus a few helpers. Static functions: each test binary includes
 * this once (tests/db/test_*.c are separate programs); helpers a test may not use are inline.
 */
#ifndef HOTCOPY_TESTS_DB_FIXTURE_H
#define HOTCOPY_TESTS_DB_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <sqlite3.h>
#include <unistd.h>

#include "catalog.h"

struct fixture {
    char dir[64];   /* the test's temporary directory */
    char path[128]; /* dir/catalog.db */
    cat_t *cat;     /* open on path */
};

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

static inline void fixture_reopen(struct fixture *fx)
{
    char err[512];
    cat_close(fx->cat);
    fx->cat = NULL;
    int rc = cat_open(fx->path, &fx->cat, err, sizeof err);
    if (rc != CAT_OK) fail_msg("cat_open(%s): %d %s", fx->path, rc, err);
}

static int fixture_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/hcdb-test-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->path, sizeof fx->path, "%s/catalog.db", fx->dir);
    fixture_reopen(fx);
    *state = fx;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *fx = *state;
    cat_close(fx->cat);
    int rc = nftw(fx->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return rc;
}

/* Asserts a catalog call succeeded, showing the catalog's message if not. */
#define CAT_OK_OR_FAIL(cat, expr)                                                                  \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_ != CAT_OK)                                                                         \
            fail_msg("%s -> %d (%s): %s", #expr, rc_, cat_strerror(rc_), cat_errmsg(cat));         \
    } while (0)

static inline int64_t add_backup(cat_t *cat, const char *instance, enum cat_backup_type type)
{
    struct cat_backup_new b = {.instance = instance, .type = type};
    int64_t id = 0;
    CAT_OK_OR_FAIL(cat, cat_backup_insert(cat, &b, &id));
    assert_true(id > 0);
    return id;
}

/* Runs one SQL statement on a second, raw connection and returns its first column as an integer
 * (or -1 when there is no row): how the tests look at the file behind the catalog's back. */
static inline int64_t raw_query_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    int src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (src != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = -1;
    src = sqlite3_step(st);
    if (src == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else if (src != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    return v;
}

#endif /* HOTCOPY_TESTS_DB_FIXTURE_H */
