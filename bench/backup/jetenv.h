/*
 * jetenv.h — the engine set-up of the backup benchmark (bench_backup), through jet.h only: one
 * instance with its system and log files in a directory, one database `bench.edb` holding two
 * tables, and sessions that insert rows.
 *
 *   bulk  (id LongLong primary key, v LongBinary)  large values: what fills the database
 *   load  (id LongLong primary key, v Binary 100)  one-row transactions of the writer threads
 *
 * Every function returns 0 on success and -1 after printing the engine's code and message on
 * stderr. Threading: one jetenv per process; a jetses is used by one thread at a time.
 */
#ifndef BENCH_JETENV_H
#define BENCH_JETENV_H

#include <stddef.h>
#include <stdint.h>

#include "jet.h"

#define JETENV_DB_FILE "bench.edb"
#define JETENV_PATH_MAX 4096

struct jetenv_config {
    const char *dir;            /* the instance's directory (created when missing) */
    unsigned long page_size;    /* JET_paramDatabasePageSize */
    unsigned long cache_mib;    /* JET_paramCacheSizeMax, in MiB */
    unsigned long log_file_kib; /* JET_paramLogFileSize */
    int circular_log;           /* JET_paramCircularLog */
    int create;                 /* 1: create the database and its tables; 0: attach it */
    const char *db_path;        /* the database; NULL: DIR/bench.edb */
};

struct jetenv {
    JET_INSTANCE inst;
    JET_SESID setup; /* keeps the database attached for the environment's life */
    char db_path[JETENV_PATH_MAX];
};

struct jetses {
    JET_SESID ses;
    JET_DBID dbid;
    JET_TABLEID bulk, load;
    JET_COLUMNID bulk_id, bulk_v, load_id, load_v;
};

/* Prints a failed call; returns -1 for errors, 0 for success and warnings. */
int jetenv_check(JET_ERR err, const char *what);

int jetenv_open(const struct jetenv_config *cfg, struct jetenv *env);
/* Ends the instance cleanly (JetTerm). */
int jetenv_close(struct jetenv *env);

int jetenv_session(struct jetenv *env, struct jetses *s);
void jetenv_session_end(struct jetses *s);

/* One durable transaction inserting `rows` rows of `value_len` bytes into bulk, keys from *next_key
 * on (advanced). value: value_len bytes. */
int jetenv_insert_bulk(struct jetses *s, uint64_t *next_key, unsigned rows, const void *value,
                       size_t value_len);
/* One durable transaction inserting one 100-byte row `key` into load. */
int jetenv_insert_load(struct jetses *s, uint64_t key);

#endif
