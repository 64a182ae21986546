/*
 * cat_core.c — the plumbing every catalog file uses: the handle's lock, per-thread error messages,
 * the prepared-statement cache, transactions, binding and column helpers, argument checks and the
 * growing array behind list results. No table knowledge here.
 *
 * Error messages: each thread's last message lives in a buffer owned by that thread through the
 * handle's pthread key (freed at thread exit by the key's destructor, or by cat_close for the
 * closing thread), so a failure in one thread never overwrites another's message and reading it
 * needs no lock.
 */
#include "cat_internal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const STATUS_TEXT[] = {
    [0] = "success",
    [1] = "catalog database error",
    [2] = "invalid argument",
    [3] = "not found",
    [4] = "conflict with the recorded state",
    [5] = "catalog schema is newer than this program",
    [6] = "catalog database is busy",
    [7] = "out of memory",
};

const char *cat_strerror(int status)
{
    size_t i = status <= 0 ? (size_t)(-(long)status) : sizeof STATUS_TEXT;
    if (i >= sizeof STATUS_TEXT / sizeof STATUS_TEXT[0]) return "unknown catalog status";
    return STATUS_TEXT[i];
}

void cat_lock(cat_t *cat)
{
    int e = pthread_mutex_lock(&cat->lock);
    assert(e == 0); /* fails only on a destroyed or corrupt mutex: a programmer error */
    (void)e;
}

void cat_unlock(cat_t *cat)
{
    int e = pthread_mutex_unlock(&cat->lock);
    assert(e == 0);
    (void)e;
}

/* ---- errors ---------------------------------------------------------------------------------- */

static char *thread_errbuf(cat_t *cat)
{
    char *buf = pthread_getspecific(cat->errkey);
    if (buf == NULL) {
        buf = calloc(1, CAT_ERRMSG_MAX);
        if (buf == NULL) return NULL;
        if (pthread_setspecific(cat->errkey, buf) != 0) {
            free(buf);
            return NULL;
        }
    }
    return buf;
}

const char *cat_errmsg(cat_t *cat)
{
    if (cat == NULL) return "no catalog handle";
    const char *buf = pthread_getspecific(cat->errkey);
    return buf != NULL ? buf : "";
}

int cat_fail(cat_t *cat, int status, const char *fmt, ...)
{
    char *buf = thread_errbuf(cat);
    if (buf != NULL) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, CAT_ERRMSG_MAX, fmt, ap);
        va_end(ap);
        if (n < 0) cat_copy_text(buf, CAT_ERRMSG_MAX, cat_strerror(status));
    }
    return status;
}

int cat_status_from_sqlite(int sqlite_rc)
{
    switch (sqlite_rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return CAT_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return CAT_EBUSY;
    case SQLITE_NOMEM:
        return CAT_ENOMEM;
    case SQLITE_CONSTRAINT:
        switch (sqlite_rc) {
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return CAT_ENOTFOUND;
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return CAT_ECONFLICT;
        default:
            return CAT_EINVAL; /* CHECK, NOT NULL: a value outside the schema's domain */
        }
    default:
        return CAT_ERR;
    }
}

int cat_fail_sqlite(cat_t *cat, int sqlite_rc, const char *what)
{
    int status = cat_status_from_sqlite(sqlite_rc);
    if (status == CAT_OK)
        status = CAT_ERR; /* called on an unexpected "success" such as a stray row */
    return cat_fail(cat, status, "%s: %s (%s)", what, sqlite3_errmsg(cat->db),
                    sqlite3_errstr(sqlite_rc));
}

/* ---- statements ------------------------------------------------------------------------------ */

int cat_stmt(cat_t *cat, enum cat_stmt_id id, const char *sql, sqlite3_stmt **out)
{
    assert(id < STMT_COUNT);
    sqlite3_stmt *st = cat->stmts[id];
    if (st != NULL) {
        assert(strcmp(sqlite3_sql(st), sql) == 0); /* one id, one SQL text */
        *out = st;
        return CAT_OK;
    }
    int src = sqlite3_prepare_v3(cat->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (src != SQLITE_OK) {
        sqlite3_finalize(st); /* NULL after a failed prepare; harmless */
        return cat_fail_sqlite(cat, src, "preparing a catalog statement");
    }
    cat->stmts[id] = st;
    *out = st;
    return CAT_OK;
}

void cat_stmt_done(sqlite3_stmt *st)
{
    if (st == NULL) return;
    /* Both return the last step's error, already reported by cat_step_*: nothing new to check. */
    (void)sqlite3_reset(st);
    (void)sqlite3_clear_bindings(st);
}

int cat_step_done(cat_t *cat, sqlite3_stmt *st, const char *what)
{
    int src = sqlite3_step(st);
    if (src == SQLITE_DONE) return CAT_OK;
    return cat_fail_sqlite(cat, src, what);
}

int cat_step_row(cat_t *cat, sqlite3_stmt *st, const char *what)
{
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) return 1;
    if (src == SQLITE_DONE) return 0;
    return cat_fail_sqlite(cat, src, what);
}

static int run_simple(cat_t *cat, enum cat_stmt_id id, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc = cat_stmt(cat, id, sql, &st);
    if (rc < 0) return rc;
    rc = cat_step_done(cat, st, what);
    cat_stmt_done(st);
    return rc;
}

int cat_begin(cat_t *cat)
{
    /* A transaction left open by a failed ROLLBACK would make BEGIN fail forever: end it first. */
    if (!sqlite3_get_autocommit(cat->db)) cat_rollback(cat);
    return run_simple(cat, STMT_BEGIN, "BEGIN IMMEDIATE", "starting a catalog transaction");
}

int cat_commit(cat_t *cat)
{
    return run_simple(cat, STMT_COMMIT, "COMMIT", "committing a catalog transaction");
}

void cat_rollback(cat_t *cat)
{
    /* SQLite rolls back by itself after some errors (full disk, I/O, busy); then there is none. */
    if (sqlite3_get_autocommit(cat->db)) return;
    /* The caller's message says why we roll back; a failing ROLLBACK must not replace it (the
     * next cat_begin retries it). */
    char saved[CAT_ERRMSG_MAX];
    cat_copy_text(saved, sizeof saved, cat_errmsg(cat));
    int rc = run_simple(cat, STMT_ROLLBACK, "ROLLBACK", "rolling back a catalog transaction");
    char *buf = thread_errbuf(cat);
    if (rc < 0 && buf != NULL) cat_copy_text(buf, CAT_ERRMSG_MAX, saved);
}

/* ---- binding and columns --------------------------------------------------------------------- */

static int bind_result(cat_t *cat, int src, int idx)
{
    if (src == SQLITE_OK) return CAT_OK;
    char what[64];
    snprintf(what, sizeof what, "binding parameter %d", idx);
    return cat_fail_sqlite(cat, src, what);
}

int cat_bind_text(cat_t *cat, sqlite3_stmt *st, int idx, const char *s, bool empty_is_null)
{
    if (empty_is_null && (s == NULL || s[0] == '\0'))
        return bind_result(cat, sqlite3_bind_null(st, idx), idx);
    if (s == NULL) s = "";
    /* SQLITE_STATIC: bindings are cleared by cat_stmt_done before the caller's string can go. */
    return bind_result(cat, sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC), idx);
}

int cat_bind_int64(cat_t *cat, sqlite3_stmt *st, int idx, int64_t v)
{
    return bind_result(cat, sqlite3_bind_int64(st, idx, v), idx);
}

int cat_bind_null(cat_t *cat, sqlite3_stmt *st, int idx)
{
    return bind_result(cat, sqlite3_bind_null(st, idx), idx);
}

int cat_bind_int64_or_null(cat_t *cat, sqlite3_stmt *st, int idx, int64_t v)
{
    if (v == 0) return bind_result(cat, sqlite3_bind_null(st, idx), idx);
    return cat_bind_int64(cat, st, idx, v);
}

int cat_bind_u64(cat_t *cat, sqlite3_stmt *st, int idx, uint64_t v)
{
    if (v > (uint64_t)INT64_MAX)
        return cat_fail(cat, CAT_EINVAL, "value %llu is too large for the catalog",
                        (unsigned long long)v);
    return cat_bind_int64(cat, st, idx, (int64_t)v);
}

int cat_bind_field(cat_t *cat, sqlite3_stmt *st, int idx, const char *field, size_t len)
{
    size_t n = strnlen(field, len - 1);
    /* SQLITE_STATIC: as in cat_bind_text. */
    return bind_result(cat, sqlite3_bind_text(st, idx, field, (int)n, SQLITE_STATIC), idx);
}

void cat_copy_text(char *buf, size_t len, const char *s)
{
    assert(len > 0);
    size_t n = strlen(s);
    if (n >= len) {
        n = len - 1;
        /* Do not split a multi-byte character: back off over continuation bytes (10xxxxxx). */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
}

void cat_col_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    cat_copy_text(buf, len, t != NULL ? (const char *)t : "");
}

int64_t cat_col_int64(sqlite3_stmt *st, int col)
{
    return sqlite3_column_int64(st, col); /* NULL reads as 0 */
}

uint64_t cat_col_u64(sqlite3_stmt *st, int col)
{
    int64_t v = sqlite3_column_int64(st, col);
    return v < 0 ? 0 : (uint64_t)v; /* the schema's CHECKs keep these columns >= 0 */
}

/* ---- argument checks ------------------------------------------------------------------------- */

int cat_check_ident(cat_t *cat, const char *s, size_t max, bool required, const char *what)
{
    if (s == NULL || s[0] == '\0') {
        if (required) return cat_fail(cat, CAT_EINVAL, "%s is required", what);
        return CAT_OK;
    }
    if (strlen(s) >= max)
        return cat_fail(cat, CAT_EINVAL, "%s is longer than %zu bytes", what, max - 1);
    return CAT_OK;
}

int cat_check_hex(cat_t *cat, const char *s, const char *what)
{
    int rc = cat_check_ident(cat, s, CAT_CHECKSUM_MAX, true, what);
    if (rc < 0) return rc;
    for (const char *p = s; *p != '\0'; p++) {
        char c = *p;
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex) return cat_fail(cat, CAT_EINVAL, "%s must be hexadecimal digits", what);
    }
    return CAT_OK;
}

int cat_check_gens(cat_t *cat, int64_t low, int64_t high)
{
    if (low < 0 || high < 0 || (low != 0 && high != 0 && low > high))
        return cat_fail(cat, CAT_EINVAL, "bad log generation range %lld-%lld", (long long)low,
                        (long long)high);
    return CAT_OK;
}

size_t cat_clamp_limit(size_t limit)
{
    if (limit == 0) return CAT_LIST_DEFAULT;
    return limit > CAT_LIST_MAX ? CAT_LIST_MAX : limit;
}

void *cat_vec_push(cat_t *cat, struct cat_vec *v)
{
    if (v->count == v->cap) {
        size_t cap = v->cap == 0 ? 16 : v->cap * 2;
        void *items = realloc(v->items, cap * v->elem_size);
        if (items == NULL) {
            cat_fail(cat, CAT_ENOMEM, "out of memory listing catalog rows");
            return NULL;
        }
        v->items = items;
        v->cap = cap;
    }
    void *slot = (char *)v->items + v->count * v->elem_size;
    memset(slot, 0, v->elem_size);
    v->count++;
    return slot;
}
