/*
 * store.h — the one key/value interface the engine benchmark drives, implemented once over libjet
 * (store_jet.c) and once over SQLite (store_sqlite.c), so that every workload (workload.c) runs
 * the same code against both engines.
 *
 * The table: one row per 64-bit key, with a payload of BENCH_PAYLOAD bytes derived from the key
 * (row.h), stored as a primary-keyed table (libjet: LongLong primary index + Binary column;
 * SQLite: INTEGER PRIMARY KEY + BLOB).
 *
 * Durability: every store_insert is one transaction that is durable when it returns (libjet:
 * default commit, group commit; SQLite: WAL with synchronous=FULL).
 *
 * Threading: a store is opened once per process; each thread opens its own connection (libjet: a
 * session; SQLite: a connection) and uses it alone.
 *
 * Errors: functions return 0 on success, -1 on failure after printing the engine's code and
 * message on stderr.
 */
#ifndef BENCH_STORE_H
#define BENCH_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store_config {
    const char *dir;            /* the engine's own directory (created when missing) */
    int create;                 /* 1: start from an empty directory; 0: open what is there */
    unsigned long cache_mib;    /* cache budget: JET_paramCacheSizeMax / PRAGMA cache_size */
    unsigned long page_size;    /* database page size in bytes (both engines) */
    unsigned long log_file_kib; /* libjet's JET_paramLogFileSize */
};

/* Counters an engine can report after a run (0 when it has none). */
struct store_stats {
    unsigned long long commits;
    unsigned long long log_flushes;
};

struct store;
struct store_conn;

struct store_ops {
    const char *name; /* "libjet" or "sqlite" */
    int (*open)(const struct store_config *cfg, struct store **out);
    /* Ends the store cleanly (libjet: JetTerm; SQLite: last connection closed). */
    int (*close)(struct store *st);
    int (*connect)(struct store *st, struct store_conn **out);
    void (*disconnect)(struct store_conn *c);
    /* Inserts n rows (keys[i], payloads from row.h) in one durable transaction. */
    int (*insert)(struct store_conn *c, const uint64_t *keys, size_t n);
    /* Point read: seek the key and retrieve the payload into buf. *len is its length.
     * Returns 1 when the key is absent. */
    int (*read)(struct store_conn *c, uint64_t key, uint8_t *buf, size_t cap, size_t *len);
    void (*stats)(struct store *st, struct store_stats *out);
};

extern const struct store_ops store_jet_ops;
extern const struct store_ops store_sqlite_ops;

#endif
