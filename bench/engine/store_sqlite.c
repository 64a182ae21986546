/*
 * store_sqlite.c — the benchmark's store over SQLite (contract in store.h).
 *
 * One database cfg->dir/bench.db, table rows(id INTEGER PRIMARY KEY, v BLOB NOT NULL), page size
 * cfg->page_size, journal_mode=WAL (set once, persistent). Every connection sets
 * synchronous=FULL (a commit fsyncs the WAL before it returns: the same durability as libjet's
 * default commit), cache_size = cfg->cache_mib (per connection: SQLite has no shared pool),
 * mmap_size=0 (pages are read with pread into the cache, as libjet does) and a busy timeout so
 * concurrent writers wait for the write lock. Writes use BEGIN IMMEDIATE.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "row.h"
#include "store.h"

#define SQLITE_DB_FILE "bench.db"
#define SQLITE_BUSY_TIMEOUT_MS 60000

struct store {
    char path[4096];
    unsigned long cache_kib;
    unsigned long page_size;
};

struct store_conn {
    sqlite3 *db;
    sqlite3_stmt *begin, *insert, *commit, *rollback, *select;
};

static int sql_check(sqlite3 *db, int rc, const char *what)
{
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return 0;
    fprintf(stderr, "sqlite: %s: %s (%d)\n", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
            rc);
    return -1;
}

static int exec(sqlite3 *db, const char *sql)
{
    return sql_check(db, sqlite3_exec(db, sql, NULL, NULL, NULL), sql);
}

/* Opens a connection with the per-connection settings. */
static int open_db(const struct store *st, sqlite3 **out)
{
    char sql[128];
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        st->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (sql_check(db, rc, "sqlite3_open_v2")) goto fail;
    if (sql_check(db, sqlite3_busy_timeout(db, SQLITE_BUSY_TIMEOUT_MS), "sqlite3_busy_timeout"))
        goto fail;
    snprintf(sql, sizeof sql, "PRAGMA cache_size=-%lu", st->cache_kib);
    if (exec(db, sql) || exec(db, "PRAGMA synchronous=FULL") || exec(db, "PRAGMA mmap_size=0"))
        goto fail;
    *out = db;
    return 0;
fail:
    sqlite3_close(db);
    return -1;
}

static int sqlite_open(const struct store_config *cfg, struct store **out)
{
    char sql[128];
    sqlite3 *db = NULL;
    struct store *st = calloc(1, sizeof *st);
    if (!st) return -1;
    int n = snprintf(st->path, sizeof st->path, "%s/%s", cfg->dir, SQLITE_DB_FILE);
    if (n < 0 || (size_t)n >= sizeof st->path) goto fail;
    st->cache_kib = cfg->cache_mib * 1024;
    st->page_size = cfg->page_size;
    if (mkdir(cfg->dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "mkdir %s: %s\n", cfg->dir, strerror(errno));
        goto fail;
    }
    if (open_db(st, &db)) goto fail;
    if (cfg->create) {
        snprintf(sql, sizeof sql, "PRAGMA page_size=%lu", cfg->page_size);
        if (exec(db, sql) || exec(db, "PRAGMA journal_mode=WAL") ||
            exec(db, "CREATE TABLE rows(id INTEGER PRIMARY KEY, v BLOB NOT NULL)"))
            goto fail;
    }
    if (sql_check(db, sqlite3_close(db), "sqlite3_close")) goto fail;
    *out = st;
    return 0;
fail:
    sqlite3_close(db);
    free(st);
    return -1;
}

static int sqlite_close(struct store *st)
{
    free(st);
    return 0;
}

static void finalize_all(struct store_conn *c)
{
    sqlite3_finalize(c->begin);
    sqlite3_finalize(c->insert);
    sqlite3_finalize(c->commit);
    sqlite3_finalize(c->rollback);
    sqlite3_finalize(c->select);
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    return sql_check(db, sqlite3_prepare_v2(db, sql, -1, out, NULL), sql);
}

static int sqlite_connect(struct store *st, struct store_conn **out)
{
    struct store_conn *c = calloc(1, sizeof *c);
    if (!c) return -1;
    if (open_db(st, &c->db)) goto fail;
    if (prepare(c->db, "BEGIN IMMEDIATE", &c->begin) ||
        prepare(c->db, "INSERT INTO rows(id, v) VALUES(?1, ?2)", &c->insert) ||
        prepare(c->db, "COMMIT", &c->commit) || prepare(c->db, "ROLLBACK", &c->rollback) ||
        prepare(c->db, "SELECT v FROM rows WHERE id = ?1", &c->select))
        goto fail;
    *out = c;
    return 0;
fail:
    finalize_all(c);
    sqlite3_close(c->db);
    free(c);
    return -1;
}

static void sqlite_disconnect(struct store_conn *c)
{
    finalize_all(c);
    sql_check(c->db, sqlite3_close(c->db), "sqlite3_close");
    free(c);
}

/* Runs a statement without results to completion and resets it. */
static int step_reset(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    int rc = sql_check(db, sqlite3_step(st), what);
    sqlite3_reset(st);
    return rc;
}

static int sqlite_insert(struct store_conn *c, const uint64_t *keys, size_t n)
{
    uint8_t payload[BENCH_PAYLOAD];
    if (step_reset(c->db, c->begin, "BEGIN IMMEDIATE")) return -1;
    for (size_t i = 0; i < n; i++) {
        row_payload(keys[i], payload);
        if (sql_check(c->db, sqlite3_bind_int64(c->insert, 1, (sqlite3_int64)keys[i]), "bind id") ||
            sql_check(c->db,
                      sqlite3_bind_blob(c->insert, 2, payload, sizeof payload, SQLITE_STATIC),
                      "bind v") ||
            step_reset(c->db, c->insert, "INSERT")) {
            step_reset(c->db, c->rollback, "ROLLBACK");
            return -1;
        }
    }
    if (step_reset(c->db, c->commit, "COMMIT")) {
        step_reset(c->db, c->rollback, "ROLLBACK");
        return -1;
    }
    return 0;
}

static int sqlite_read(struct store_conn *c, uint64_t key, uint8_t *buf, size_t cap, size_t *len)
{
    int ret = -1;
    if (sql_check(c->db, sqlite3_bind_int64(c->select, 1, (sqlite3_int64)key), "bind id"))
        return -1;
    int rc = sqlite3_step(c->select);
    if (rc == SQLITE_DONE) {
        ret = 1;
    } else if (rc == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(c->select, 0);
        size_t n = (size_t)sqlite3_column_bytes(c->select, 0);
        if (n > cap) n = cap;
        if (p && n) memcpy(buf, p, n);
        *len = n;
        ret = 0;
    } else {
        sql_check(c->db, rc, "SELECT");
    }
    sqlite3_reset(c->select);
    return ret;
}

static void sqlite_stats(struct store *st, struct store_stats *out)
{
    (void)st;
    memset(out, 0, sizeof *out);
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = sqlite_open,
    .close = sqlite_close,
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .insert = sqlite_insert,
    .read = sqlite_read,
    .stats = sqlite_stats,
};
