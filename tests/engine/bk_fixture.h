/*
 * bk_fixture.h — fixtures of the backup and restore tests (test_backup*.c, test_restore*.c,
 * test_esebackup_client.c): temporary directories and file surgery, an event recorder, an instance
 * with one database and a key/value table, a transactional workload whose rows prove atomicity,
 * backup clients (sequential API and offset reads) that copy a backup set into a directory, and
 * restore + verification of the restored data.
 *
 * Header-only (static functions) because the Makefile builds each test_*.c alone and
 * tests/common/ belongs to the general engine tests. Every name is prefixed bk_.
 *
 * Row model: transaction `seq` (1, 2, ...) inserts bk_rows_of(seq) rows with keys seq*8 + i and
 * values whose length and bytes derive only from (seq, i); some values are large (they span pages).
 * A restored database passes bk_verify when every row's bytes are right, every transaction present
 * has all its rows (no partial transaction), and every transaction the caller marks as required is
 * present.
 *
 * Code running in a forked child must not use cmocka's asserts: it uses BK_CHILD_CHECK / _EQ, which
 * print the failure and exit the child with status 1.
 */
#ifndef HOTCOPY_BK_FIXTURE_H
#define HOTCOPY_BK_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jet.h"

#define BK_PATH 1024
#define BK_LOG_KB 128
#define BK_PAGE 8192u
#define BK_DB_FILE "test.edb"
#define BK_TABLE "t"
#define BK_ROWS_MAX 4
#define BK_VALUE_MAX (48 * 1024)

/* ---- child processes ----------------------------------------------------------------------------
 */
#define BK_CHILD_CHECK(expr)                                                                       \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf(stderr, "%s:%d: child check failed: %s\n", __FILE__, __LINE__, #expr);         \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)
#define BK_CHILD_EQ(expr, want)                                                                    \
    do {                                                                                           \
        long bk_got_ = (long)(expr), bk_want_ = (long)(want);                                      \
        if (bk_got_ != bk_want_) {                                                                 \
            fprintf(stderr, "%s:%d: child check failed: %s = %ld (%s), wanted %ld (%s)\n",         \
                    __FILE__, __LINE__, #expr, bk_got_, JetXErrorName(bk_got_), bk_want_,          \
                    JetXErrorName(bk_want_));                                                      \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)

/* Runs fn(arg) in a forked child (exit 0 when it returns) and returns its exit code, or 128 +
 * the signal that killed it. */
static inline int bk_run_in_child(void (*fn)(void *), void *arg)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        fn(arg);
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- cmocka side (only when cmocka.h was included first) ----------------------------------------
 */
#ifdef CMOCKA_H_
/* Asserts a JET_ERR, printing both codes' names when it differs. */
#define BK_EQ(expr, want)                                                                          \
    do {                                                                                           \
        long bk_got_ = (long)(expr), bk_want_ = (long)(want);                                      \
        if (bk_got_ != bk_want_) {                                                                 \
            print_error("%s = %ld (%s), wanted %ld (%s)\n", #expr, bk_got_,                        \
                        JetXErrorName(bk_got_), bk_want_, JetXErrorName(bk_want_));                \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
#define BK_OK(expr) BK_EQ(expr, JET_errSuccess)
#endif

/* ---- time and randomness ------------------------------------------------------------------------
 */
static inline double bk_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void bk_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static inline uint64_t bk_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t bk_rand_below(uint64_t *s, uint64_t n)
{
    return n ? bk_rand(s) % n : 0;
}

/* A seed from $name, else from the clock and pid (printed so a failure can be replayed). */
static inline uint64_t bk_seed(const char *name)
{
    const char *v = getenv(name);
    uint64_t seed =
        v && v[0] ? strtoull(v, NULL, 0) : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
    fprintf(stderr, "[ seed     ] %s=%llu\n", name, (unsigned long long)seed);
    return seed;
}

static inline long bk_env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v && v[0] ? strtol(v, NULL, 0) : def;
}

/* ---- files --------------------------------------------------------------------------------------
 */
static inline int bk_mkdtemp(char *out, size_t cap, const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !base[0]) base = "/tmp";
    char tmp[BK_PATH];
    snprintf(tmp, sizeof tmp, "%s/hotcopy-bk-%s-XXXXXX", base, tag);
    if (!mkdtemp(tmp)) return -1;
    /* The engine records canonical paths: use the resolved form everywhere. */
    if (!realpath(tmp, out)) return -1;
    (void)cap;
    return 0;
}

static inline int bk_rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    (void)remove(path);
    return 0;
}

static inline void bk_rmtree(const char *path)
{
    struct stat st;
    if (path && path[0] && stat(path, &st) == 0) nftw(path, bk_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* out = dir/name (empty when it does not fit). */
static inline void bk_join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) out[0] = 0;
}

static inline int bk_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static inline long long bk_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static inline int bk_mkdir(const char *path)
{
    return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static inline int bk_read_at(const char *path, void *buf, size_t len, long long off)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = pread(fd, buf, len, (off_t)off);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

static inline int bk_write_at(const char *path, const void *buf, size_t len, long long off)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = pwrite(fd, buf, len, (off_t)off);
    int rc = fsync(fd);
    close(fd);
    return n == (ssize_t)len && rc == 0 ? 0 : -1;
}

static inline int bk_flip_byte(const char *path, long long off)
{
    unsigned char c;
    if (bk_read_at(path, &c, 1, off) != 0) return -1;
    c ^= 0xff;
    return bk_write_at(path, &c, 1, off);
}

static inline int bk_copy(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) rc = -1;
    if (n < 0) rc = -1;
    close(in);
    close(out);
    return rc;
}

/* Same bytes in two files: 1, else 0. */
static inline int bk_same_file(const char *a, const char *b)
{
    long long sa = bk_size(a), sb = bk_size(b);
    if (sa < 0 || sa != sb) return 0;
    char *x = malloc((size_t)sa + 1), *y = malloc((size_t)sb + 1);
    int same = x && y && bk_read_at(a, x, (size_t)sa, 0) == 0 &&
               bk_read_at(b, y, (size_t)sb, 0) == 0 && memcmp(x, y, (size_t)sa) == 0;
    free(x);
    free(y);
    return same;
}

static inline const char *bk_basename(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Archived log generation file name: edbXXXXXXXX.log. */
static inline void bk_log_name(char *out, size_t cap, const char *dir, unsigned long gen)
{
    int n = snprintf(out, cap, "%s/edb%08lX.log", dir, gen);
    if (n < 0 || (size_t)n >= cap) out[0] = 0;
}

/* Generation of an archived log path (0 when the name is not edbXXXXXXXX.log). */
static inline unsigned long bk_log_gen(const char *path)
{
    const char *b = bk_basename(path);
    if (strlen(b) != 15 || strncmp(b, "edb", 3) != 0 || strcmp(b + 11, ".log") != 0) return 0;
    char hex[9];
    memcpy(hex, b + 3, 8);
    hex[8] = 0;
    return strtoul(hex, NULL, 16);
}

/* Lowest and highest archived generation in dir (0, 0 when none); returns the count. */
static inline int bk_log_range(const char *dir, unsigned long *lo, unsigned long *hi)
{
    char path[BK_PATH];
    int n = 0;
    *lo = *hi = 0;
    for (unsigned long g = 1; g < 100000; g++) {
        bk_log_name(path, sizeof path, dir, g);
        if (!bk_exists(path)) {
            if (*lo && g > *hi + 64) break;
            continue;
        }
        if (!*lo) *lo = g;
        *hi = g;
        n++;
    }
    return n;
}

/* Number of entries of a double-NUL-terminated list; each entry to out[i] (up to max). */
static inline int bk_szz_split(const char *szz, char out[][BK_PATH], int max)
{
    int n = 0;
    for (const char *p = szz; *p; p += strlen(p) + 1) {
        size_t len = strlen(p);
        if (n < max && len < BK_PATH) memcpy(out[n], p, len + 1);
        n++;
    }
    return n;
}

/* ---- events -------------------------------------------------------------------------------------
 */
#define BK_EVENTS_MAX 8192
struct bk_event {
    unsigned long id, level;
    JET_ERR err;
    unsigned long long backup_id;
    long long time_us;
    char inst[64];
    char category[32];
    char msg[160];
};
struct bk_events {
    pthread_mutex_t mu;
    size_t n;
    struct bk_event ev[BK_EVENTS_MAX];
};

static void bk_events_cb(const JET_XEVENT *e, void *ctx)
{
    struct bk_events *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (r->n < BK_EVENTS_MAX) {
        struct bk_event *o = &r->ev[r->n++];
        o->id = e->ulEventId;
        o->level = e->level;
        o->err = e->err;
        o->backup_id = e->ullBackupId;
        o->time_us = e->llTimeMicros;
        snprintf(o->inst, sizeof o->inst, "%s", e->szInstance ? e->szInstance : "");
        snprintf(o->category, sizeof o->category, "%s", e->szCategory ? e->szCategory : "");
        snprintf(o->msg, sizeof o->msg, "%s", e->szMessage ? e->szMessage : "");
    }
    pthread_mutex_unlock(&r->mu);
}

/* Starts recording every engine event (process-wide callback). */
static inline struct bk_events *bk_events_start(void)
{
    struct bk_events *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    pthread_mutex_init(&r->mu, NULL);
    JetXSetEventCallback(bk_events_cb, r);
    return r;
}

static inline void bk_events_stop(struct bk_events *r)
{
    JetXSetEventCallback(NULL, NULL);
    if (r) {
        pthread_mutex_destroy(&r->mu);
        free(r);
    }
}

/* Position to count from. */
static inline size_t bk_events_mark(struct bk_events *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* Events with this id since mark (id 0: any). */
static inline int bk_events_since(struct bk_events *r, size_t mark, unsigned long id)
{
    int c = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = mark; i < r->n; i++)
        c += id == 0 || r->ev[i].id == id;
    pthread_mutex_unlock(&r->mu);
    return c;
}

/* The code carried by the last event with this id since mark (1 when there is none). */
static inline JET_ERR bk_events_err(struct bk_events *r, size_t mark, unsigned long id)
{
    JET_ERR e = 1;
    pthread_mutex_lock(&r->mu);
    for (size_t i = mark; i < r->n; i++)
        if (r->ev[i].id == id) e = r->ev[i].err;
    pthread_mutex_unlock(&r->mu);
    return e;
}

/* A copy of the last event with this id since mark; 0 when there is none. */
static inline int bk_events_last(struct bk_events *r, size_t mark, unsigned long id,
                                 struct bk_event *out)
{
    int found = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = mark; i < r->n; i++)
        if (r->ev[i].id == id) {
            *out = r->ev[i];
            found = 1;
        }
    pthread_mutex_unlock(&r->mu);
    return found;
}

static inline void bk_events_dump(struct bk_events *r, size_t mark)
{
    pthread_mutex_lock(&r->mu);
    for (size_t i = mark; i < r->n; i++)
        fprintf(stderr, "  event %lu (%s) err %ld: %s\n", r->ev[i].id, r->ev[i].inst,
                (long)r->ev[i].err, r->ev[i].msg);
    pthread_mutex_unlock(&r->mu);
}

/* ---- rows ---------------------------------------------------------------------------------------
 */
static inline int bk_rows_of(uint32_t seq)
{
    return 1 + (int)(seq % BK_ROWS_MAX);
}

static inline unsigned long bk_value_len(uint32_t seq, int i)
{
    uint64_t s = ((uint64_t)seq << 8) | (uint64_t)i;
    uint64_t r = bk_rand(&s);
    if (seq % 7 == 3 && i == 0)
        return 6000 + (unsigned long)(r % (BK_VALUE_MAX - 6000)); /* spans pages */
    return 16 + (unsigned long)(r % 300);
}

static inline void bk_value_fill(uint8_t *buf, unsigned long len, uint32_t seq, int i)
{
    uint64_t s = ((uint64_t)seq << 8) ^ (uint64_t)i ^ 0x5bd1e995u;
    for (unsigned long o = 0; o < len; o += 8) {
        uint64_t r = bk_rand(&s);
        unsigned long n = len - o < 8 ? len - o : 8;
        memcpy(buf + o, &r, n);
    }
}

struct bk_kv {
    JET_TABLEID t;
    JET_COLUMNID k, v;
};

static inline JET_ERR bk_kv_create(JET_SESID ses, JET_DBID db, struct bk_kv *kv)
{
    static const char key[] = "+k\0";
    JET_COLUMNDEF def;
    JET_ERR err;
    if ((err = JetCreateTable(ses, db, BK_TABLE, 0, 100, &kv->t)) < 0) return err;
    memset(&def, 0, sizeof def);
    def.cbStruct = sizeof def;
    def.coltyp = JET_coltypLong;
    def.grbit = JET_bitColumnNotNULL;
    if ((err = JetAddColumn(ses, kv->t, "k", &def, NULL, 0, &kv->k)) < 0) return err;
    def.coltyp = JET_coltypLongBinary;
    def.grbit = 0;
    if ((err = JetAddColumn(ses, kv->t, "v", &def, NULL, 0, &kv->v)) < 0) return err;
    return JetCreateIndex(ses, kv->t, "pk", JET_bitIndexPrimary | JET_bitIndexUnique, key,
                          sizeof key, 100);
}

static inline JET_ERR bk_kv_open(JET_SESID ses, JET_DBID db, struct bk_kv *kv)
{
    JET_COLUMNDEF def;
    JET_ERR err;
    if ((err = JetOpenTable(ses, db, BK_TABLE, NULL, 0, 0, &kv->t)) < 0) return err;
    if ((err = JetGetTableColumnInfo(ses, kv->t, "k", &def, sizeof def, JET_ColInfo)) < 0)
        return err;
    kv->k = def.columnid;
    if ((err = JetGetTableColumnInfo(ses, kv->t, "v", &def, sizeof def, JET_ColInfo)) < 0)
        return err;
    kv->v = def.columnid;
    return JET_errSuccess;
}

/* Transaction seq: all its rows in one transaction, committed durably. */
static inline JET_ERR bk_txn_write(JET_SESID ses, const struct bk_kv *kv, uint32_t seq,
                                   uint8_t *buf)
{
    JET_ERR err;
    if ((err = JetBeginTransaction(ses)) < 0) return err;
    for (int i = 0; i < bk_rows_of(seq); i++) {
        int32_t k = (int32_t)(seq * 8 + (uint32_t)i);
        unsigned long len = bk_value_len(seq, i);
        bk_value_fill(buf, len, seq, i);
        if ((err = JetPrepareUpdate(ses, kv->t, JET_prepInsert)) < 0) goto rollback;
        if ((err = JetSetColumn(ses, kv->t, kv->k, &k, sizeof k, 0, NULL)) < 0) goto cancel;
        if ((err = JetSetColumn(ses, kv->t, kv->v, buf, len, 0, NULL)) < 0) goto cancel;
        if ((err = JetUpdate(ses, kv->t, NULL, 0, NULL)) < 0) goto cancel;
    }
    if ((err = JetCommitTransaction(ses, 0)) < 0) goto rollback;
    return JET_errSuccess;
cancel:
    JetPrepareUpdate(ses, kv->t, JET_prepCancel);
rollback:
    JetRollback(ses, JET_bitRollbackAll);
    return err;
}

/* What a table holds, transaction by transaction. */
struct bk_check {
    uint32_t max_seq; /* seqs considered: 1..max_seq */
    uint8_t *count;   /* rows found per seq */
    long rows, txns, bad_rows, partial, missing;
    char why[256]; /* the first problem found */
};

/* Scans the table: rows with wrong bytes or keys, transactions with only some of their rows, and
 * (required != NULL) required[seq] transactions that are absent. */
static inline JET_ERR bk_verify(JET_SESID ses, const struct bk_kv *kv, uint32_t max_seq,
                                const uint8_t *required, struct bk_check *c)
{
    memset(c, 0, sizeof *c);
    c->max_seq = max_seq;
    c->count = calloc((size_t)max_seq + 2, 1);
    uint8_t *buf = malloc(BK_VALUE_MAX), *want = malloc(BK_VALUE_MAX);
    JET_ERR err = JET_errOutOfMemory;
    if (!c->count || !buf || !want) goto out;
    err = JetMove(ses, kv->t, JET_MoveFirst, 0);
    while (err >= 0) {
        int32_t k = 0;
        unsigned long cb = 0, cbk = 0;
        if ((err = JetRetrieveColumn(ses, kv->t, kv->k, &k, sizeof k, &cbk, 0, NULL)) < 0) break;
        err = JetRetrieveColumn(ses, kv->t, kv->v, buf, BK_VALUE_MAX, &cb, 0, NULL);
        if (err < 0) break;
        c->rows++;
        uint32_t seq = (uint32_t)k / 8;
        int i = (int)((uint32_t)k % 8);
        unsigned long len = bk_value_len(seq, i);
        if (k <= 0 || seq == 0 || seq > max_seq || i >= bk_rows_of(seq) || cb != len) {
            if (!c->bad_rows++)
                snprintf(c->why, sizeof c->why, "row %ld: unexpected key or length %lu (want %lu)",
                         (long)k, cb, len);
        } else {
            bk_value_fill(want, len, seq, i);
            if (memcmp(buf, want, len) != 0) {
                if (!c->bad_rows++)
                    snprintf(c->why, sizeof c->why, "row %ld: wrong bytes", (long)k);
            } else {
                c->count[seq]++;
            }
        }
        err = JetMove(ses, kv->t, JET_MoveNext, 0);
    }
    if (err == JET_errNoCurrentRecord) err = JET_errSuccess;
    if (err < 0) goto out;
    for (uint32_t s = 1; s <= max_seq; s++) {
        if (c->count[s]) c->txns++;
        if (c->count[s] && c->count[s] != bk_rows_of(s)) {
            if (!c->partial++ && !c->why[0])
                snprintf(c->why, sizeof c->why, "transaction %u has %u of its %d rows", s,
                         c->count[s], bk_rows_of(s));
        }
        if (required && required[s] && !c->count[s]) {
            if (!c->missing++ && !c->why[0])
                snprintf(c->why, sizeof c->why, "acknowledged transaction %u is missing", s);
        }
    }
out:
    free(buf);
    free(want);
    return err;
}

static inline void bk_check_free(struct bk_check *c)
{
    free(c->count);
    c->count = NULL;
}

static inline int bk_check_ok(const struct bk_check *c)
{
    return !c->bad_rows && !c->partial && !c->missing;
}

/* ---- an instance with the test database ---------------------------------------------------------
 */
struct bk_opts {
    int circular;             /* JET_paramCircularLog */
    int recovery_off;         /* JET_paramRecovery "Off" */
    int no_db;                /* no database */
    int no_init;              /* create and configure only */
    unsigned long ckpt_depth; /* JET_paramCheckpointDepthMax (0: default) */
};

struct bk_env {
    char root[BK_PATH];   /* temporary directory of the test */
    char dir[BK_PATH];    /* root/live: system and log path of the instance */
    char dbpath[BK_PATH]; /* root/live/test.edb */
    char name[64];
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID dbid;
    struct bk_kv kv;
    int running;
    struct bk_opts opts;
};

static inline void bk_unique_name(char *out, size_t cap, const char *tag)
{
    static atomic_uint counter;
    snprintf(out, cap, "bk-%s-%d-%u", tag, (int)getpid(), atomic_fetch_add(&counter, 1) + 1);
}

static inline JET_ERR bk_set_params(JET_INSTANCE *pinst, const char *dir, const struct bk_opts *o)
{
    JET_ERR err;
    char path[BK_PATH + 2];
    snprintf(path, sizeof path, "%s/", dir);
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramSystemPath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramLogFilePath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramTempPath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramLogFileSize, BK_LOG_KB, NULL)) < 0)
        return err;
    if ((err = JetSetSystemParameter(pinst, 0, JET_paramCreatePathIfNotExist, 1, NULL)) < 0)
        return err;
    if (o && o->circular &&
        (err = JetSetSystemParameter(pinst, 0, JET_paramCircularLog, 1, NULL)) < 0)
        return err;
    if (o && o->recovery_off &&
        (err = JetSetSystemParameter(pinst, 0, JET_paramRecovery, 0, "Off")) < 0)
        return err;
    if (o && o->ckpt_depth &&
        (err = JetSetSystemParameter(pinst, 0, JET_paramCheckpointDepthMax, o->ckpt_depth, NULL)) <
            0)
        return err;
    return JET_errSuccess;
}

/* Creates the instance in e->dir, initialises it and begins a session (no database work). */
static inline JET_ERR bk_env_start(struct bk_env *e)
{
    JET_ERR err;
    e->inst = 0;
    e->ses = 0;
    bk_unique_name(e->name, sizeof e->name, "i");
    if ((err = JetCreateInstance(&e->inst, e->name)) < 0) return err;
    if ((err = bk_set_params(&e->inst, e->dir, &e->opts)) < 0) goto fail;
    if (e->opts.no_init) return JET_errSuccess;
    if ((err = JetInit(&e->inst)) < 0) goto fail;
    e->running = 1;
    return JetBeginSession(e->inst, &e->ses, NULL, NULL);
fail:
    JetTerm(e->inst);
    e->inst = 0;
    return err;
}

/* A fresh environment: root directory, instance, and (unless opts->no_db) test.edb with table t. */
static inline JET_ERR bk_env_open(struct bk_env *e, const char *tag, const struct bk_opts *opts)
{
    JET_ERR err;
    memset(e, 0, sizeof *e);
    if (opts) e->opts = *opts;
    if (bk_mkdtemp(e->root, sizeof e->root, tag) != 0) return JET_errDiskIO;
    bk_join(e->dir, sizeof e->dir, e->root, "live");
    if (bk_mkdir(e->dir) != 0) return JET_errDiskIO;
    bk_join(e->dbpath, sizeof e->dbpath, e->dir, BK_DB_FILE);
    if ((err = bk_env_start(e)) < 0) return err;
    if (e->opts.no_db || e->opts.no_init) return JET_errSuccess;
    if ((err = JetCreateDatabase(e->ses, e->dbpath, NULL, &e->dbid, 0)) < 0) return err;
    return bk_kv_create(e->ses, e->dbid, &e->kv);
}

/* Starts the instance again on the same directory (recovery runs if needed) and opens the table. */
static inline JET_ERR bk_env_reopen(struct bk_env *e)
{
    JET_ERR err;
    if ((err = bk_env_start(e)) < 0) return err;
    if ((err = JetAttachDatabase(e->ses, e->dbpath, 0)) < 0) return err;
    if ((err = JetOpenDatabase(e->ses, e->dbpath, NULL, &e->dbid, 0)) < 0) return err;
    return bk_kv_open(e->ses, e->dbid, &e->kv);
}

static inline JET_ERR bk_env_term(struct bk_env *e, JET_GRBIT grbit)
{
    if (!e->running) {
        if (e->inst) JetTerm(e->inst);
        e->inst = 0;
        return JET_errSuccess;
    }
    if (e->ses) JetEndSession(e->ses, 0);
    e->ses = 0;
    e->running = 0;
    JET_ERR err = JetTerm2(e->inst, grbit);
    e->inst = 0;
    return err;
}

/* Ends everything (abruptly) and removes the directory. */
static inline void bk_env_close(struct bk_env *e)
{
    JetXFaultClear();
    if (e->inst) bk_env_term(e, JET_bitTermAbrupt);
    if (!getenv("BK_KEEP")) bk_rmtree(e->root);
}

/* Inserts transactions first..last from the env's own session. */
static inline JET_ERR bk_write_txns(struct bk_env *e, uint32_t first, uint32_t last)
{
    uint8_t *buf = malloc(BK_VALUE_MAX);
    JET_ERR err = buf ? JET_errSuccess : JET_errOutOfMemory;
    for (uint32_t s = first; s <= last && err >= 0; s++)
        err = bk_txn_write(e->ses, &e->kv, s, buf);
    free(buf);
    return err;
}

/* Writes transactions from first on until the current log generation has advanced by `gens`;
 * returns the next free seq in *next. */
static inline JET_ERR bk_write_gens(struct bk_env *e, uint32_t first, unsigned gens, uint32_t *next)
{
    JET_XINSTANCEINFO info;
    JET_ERR err = JetXGetInstanceInfo(e->inst, &info);
    if (err < 0) return err;
    unsigned long target = info.ulCurrentGeneration + gens;
    uint32_t s = first;
    while (err >= 0) {
        if ((err = bk_write_txns(e, s, s + 9)) < 0) break;
        s += 10;
        if ((err = JetXGetInstanceInfo(e->inst, &info)) < 0) break;
        if (info.ulCurrentGeneration >= target) break;
    }
    if (next) *next = s;
    return err;
}

static inline unsigned long bk_current_gen(JET_INSTANCE inst)
{
    JET_XINSTANCEINFO info;
    return JetXGetInstanceInfo(inst, &info) >= 0 ? info.ulCurrentGeneration : 0;
}

static inline unsigned long bk_checkpoint_gen(JET_INSTANCE inst)
{
    JET_XINSTANCEINFO info;
    return JetXGetInstanceInfo(inst, &info) >= 0 ? info.ulCheckpointGeneration : 0;
}

/* Header of a database file (JET_DBINFOMISC4). */
static inline JET_ERR bk_header(const char *path, JET_DBINFOMISC4 *m)
{
    memset(m, 0, sizeof *m);
    return JetGetDatabaseFileInfo(path, m, sizeof *m, JET_DbInfoMisc);
}

/* ---- concurrent workload ------------------------------------------------------------------------
 */
/* Threads, each with its own session, committing transactions seq = next++ (small and large rows)
 * until stopped or max_seq is reached. acked[seq] is set only after JetCommitTransaction returned
 * success; on_ack (optional) is called then too. */
#define BK_LOAD_THREADS_MAX 16
struct bk_load {
    JET_INSTANCE inst;
    const char *dbpath;
    int nthreads;
    long pause_us; /* sleep between two transactions of a thread */
    uint32_t max_seq;
    atomic_uint next;
    atomic_int stop;
    _Atomic uint8_t *acked; /* [max_seq + 1] */
    atomic_long commits, errors;
    atomic_long first_err;
    void (*on_ack)(uint32_t seq, void *ctx);
    void *ctx;
    pthread_t th[BK_LOAD_THREADS_MAX];
    int started;
};

static void *bk_load_thread(void *p)
{
    struct bk_load *l = p;
    JET_SESID ses = 0;
    JET_DBID db;
    struct bk_kv kv;
    uint8_t *buf = malloc(BK_VALUE_MAX);
    JET_ERR err = buf ? JetBeginSession(l->inst, &ses, NULL, NULL) : JET_errOutOfMemory;
    if (err >= 0) err = JetOpenDatabase(ses, l->dbpath, NULL, &db, 0);
    if (err >= 0) err = bk_kv_open(ses, db, &kv);
    while (err >= 0 && !atomic_load(&l->stop)) {
        uint32_t seq = atomic_fetch_add(&l->next, 1);
        if (seq > l->max_seq) break;
        err = bk_txn_write(ses, &kv, seq, buf);
        if (err < 0) break;
        atomic_store_explicit(&l->acked[seq], 1, memory_order_release);
        atomic_fetch_add(&l->commits, 1);
        if (l->on_ack) l->on_ack(seq, l->ctx);
        if (l->pause_us) {
            struct timespec ts = {0, l->pause_us * 1000L};
            nanosleep(&ts, NULL);
        }
    }
    if (err < 0) {
        long zero = 0;
        atomic_fetch_add(&l->errors, 1);
        atomic_compare_exchange_strong(&l->first_err, &zero, (long)err);
    }
    if (ses) JetEndSession(ses, 0);
    free(buf);
    return NULL;
}

/* Starts nthreads workers from seq `first`. l->on_ack and l->ctx, when the caller set them, are
 * kept; everything else is reset. */
static inline int bk_load_start(struct bk_load *l, JET_INSTANCE inst, const char *dbpath,
                                int nthreads, uint32_t first, uint32_t max_seq, long pause_us)
{
    void (*on_ack)(uint32_t, void *) = l->on_ack;
    void *ctx = l->ctx;
    memset(l, 0, sizeof *l);
    l->on_ack = on_ack;
    l->ctx = ctx;
    l->inst = inst;
    l->dbpath = dbpath;
    l->nthreads = nthreads > BK_LOAD_THREADS_MAX ? BK_LOAD_THREADS_MAX : nthreads;
    l->max_seq = max_seq;
    l->pause_us = pause_us;
    atomic_init(&l->next, first);
    l->acked = calloc((size_t)max_seq + 2, 1);
    if (!l->acked) return -1;
    for (int i = 0; i < l->nthreads; i++)
        if (pthread_create(&l->th[i], NULL, bk_load_thread, l) != 0) return -1;
    l->started = 1;
    return 0;
}

/* Stops and joins the workers (the acked map stays until bk_load_free). */
static inline void bk_load_stop(struct bk_load *l)
{
    if (!l->started) return;
    atomic_store(&l->stop, 1);
    for (int i = 0; i < l->nthreads; i++)
        pthread_join(l->th[i], NULL);
    l->started = 0;
}

static inline void bk_load_free(struct bk_load *l)
{
    bk_load_stop(l);
    free((void *)l->acked);
    l->acked = NULL;
}

/* Copies the acknowledged set now (transactions whose commit had returned). */
static inline uint8_t *bk_load_snapshot(struct bk_load *l)
{
    uint8_t *s = calloc((size_t)l->max_seq + 2, 1);
    if (s)
        for (uint32_t i = 0; i <= l->max_seq; i++)
            s[i] = atomic_load_explicit(&l->acked[i], memory_order_acquire);
    return s;
}

static inline long bk_count_set(const uint8_t *m, uint32_t max)
{
    long n = 0;
    for (uint32_t i = 0; i <= max; i++)
        n += m[i] != 0;
    return n;
}

/* Waits until at least n transactions are acknowledged (or timeout_s passes). */
static inline void bk_load_wait(struct bk_load *l, long n, double timeout_s)
{
    double until = bk_now() + timeout_s;
    while (atomic_load(&l->commits) < n && bk_now() < until && !atomic_load(&l->errors))
        bk_sleep_ms(2);
}

/* ---- backup clients -----------------------------------------------------------------------------
 */
/* Copies one file of the running backup with JetOpenFile/JetReadFile/JetCloseFile into dest,
 * reading chunk bytes at a time. *size gets the size JetOpenFile reported. */
static inline JET_ERR bk_copy_seq(JET_INSTANCE inst, const char *name, const char *dest,
                                  unsigned long chunk, unsigned long long *size)
{
    JET_HANDLE hf = 0;
    unsigned long lo = 0, hi = 0, got = 0;
    JET_ERR err = JetOpenFileInstance(inst, name, &hf, &lo, &hi);
    if (err < 0) return err;
    unsigned long long want = ((unsigned long long)hi << 32) | lo, done = 0;
    if (size) *size = want;
    uint8_t *buf = malloc(chunk);
    FILE *out = fopen(dest, "wb");
    if (!buf || !out) {
        err = JET_errOutOfMemory;
        goto close;
    }
    for (;;) {
        err = JetReadFileInstance(inst, hf, buf, chunk, &got);
        if (err < 0) {
            /* A database that failed verification has its handle closed already. */
            if (err == JET_errReadVerifyFailure) hf = 0;
            goto close;
        }
        if (got == 0) break;
        if (fwrite(buf, 1, got, out) != got) {
            err = JET_errDiskIO;
            goto close;
        }
        done += got;
    }
    if (done != want) err = JET_errDiskIO;
close:
    if (out) fclose(out);
    free(buf);
    if (hf) {
        JET_ERR e2 = JetCloseFileInstance(inst, hf);
        if (err >= 0) err = e2;
    }
    return err;
}

/* How a backup run ends. */
struct bk_run {
    JET_GRBIT begin_grbit; /* 0 full, JET_bitBackupIncremental */
    int truncate;          /* call JetTruncateLogInstance */
    JET_GRBIT end_grbit;   /* 0: JetEndExternalBackupInstance; else ...Instance2 with it */
    unsigned long chunk;   /* read size (0: 64 KiB) */
    /* results */
    JET_LOGINFO li;
    int ndbs, nlogs;
    JET_ERR err_end;
    const char *failed_at; /* which call failed */
};

/* A complete backup through the sequential API into destdir (files under their base names). */
static inline JET_ERR bk_backup_seq(JET_INSTANCE inst, const char *destdir, struct bk_run *r)
{
    char szz[16384], dest[BK_PATH];
    unsigned long cb = 0;
    JET_ERR err;
    unsigned long chunk = r->chunk ? r->chunk : 64 * 1024;
    char(*list)[BK_PATH] = malloc(64 * sizeof *list);
    r->failed_at = NULL;
    r->err_end = 0;
    if (!list) return JET_errOutOfMemory;
    if ((err = JetBeginExternalBackupInstance(inst, r->begin_grbit)) < 0) {
        r->failed_at = "begin";
        free(list);
        return err;
    }
    if (!(r->begin_grbit & JET_bitBackupIncremental)) {
        if ((err = JetGetAttachInfoInstance(inst, szz, sizeof szz, &cb)) < 0) {
            r->failed_at = "attach info";
            goto abort;
        }
        r->ndbs = bk_szz_split(szz, list, 64);
        for (int i = 0; i < r->ndbs; i++) {
            bk_join(dest, sizeof dest, destdir, bk_basename(list[i]));
            if ((err = bk_copy_seq(inst, list[i], dest, chunk, NULL)) < 0) {
                r->failed_at = "database copy";
                goto abort;
            }
        }
    }
    memset(&r->li, 0, sizeof r->li);
    r->li.cbSize = sizeof r->li;
    if ((err = JetGetLogInfoInstance2(inst, szz, sizeof szz, &cb, &r->li)) < 0) {
        r->failed_at = "log info";
        goto abort;
    }
    r->nlogs = bk_szz_split(szz, list, 64);
    for (int i = 0; i < r->nlogs; i++) {
        bk_join(dest, sizeof dest, destdir, bk_basename(list[i]));
        if ((err = bk_copy_seq(inst, list[i], dest, chunk, NULL)) < 0) {
            r->failed_at = "log copy";
            goto abort;
        }
    }
    if (r->truncate && (err = JetTruncateLogInstance(inst)) < 0) {
        r->failed_at = "truncate";
        goto abort;
    }
    err = r->end_grbit ? JetEndExternalBackupInstance2(inst, r->end_grbit)
                       : JetEndExternalBackupInstance(inst);
    r->err_end = err;
    if (err < 0) r->failed_at = "end";
    free(list);
    return err;
abort:
    r->err_end = JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort);
    free(list);
    return err;
}

/* ---- restore ------------------------------------------------------------------------------------
 */
/* Hard recovery of the database copy restored_db (backed up from orig_db) with the backup's logs in
 * bkdir; later logs for roll-forward from logdir (may be empty or missing). */
static inline JET_ERR bk_restore(const char *bkdir, const char *orig_db, const char *restored_db,
                                 const JET_LOGINFO *li, const char *logdir, JET_PFNSTATUS pfn)
{
    JET_RSTMAP map = {(char *)orig_db, (char *)restored_db};
    JET_LOGINFO l = *li;
    return JetExternalRestore2((char *)logdir, (char *)logdir, &map, 1, (char *)bkdir, &l, NULL,
                               NULL, NULL, pfn);
}

/* Opens a restored (clean) database in a new instance in its own directory `dir` and verifies it
 * (see bk_verify). */
static inline JET_ERR bk_verify_file(const char *dir, const char *dbpath, uint32_t max_seq,
                                     const uint8_t *required, struct bk_check *c)
{
    struct bk_env v;
    JET_ERR err;
    memset(&v, 0, sizeof v);
    memset(c, 0, sizeof *c);
    snprintf(v.dir, sizeof v.dir, "%s", dir);
    if (bk_mkdir(dir) != 0) return JET_errDiskIO;
    if ((err = bk_env_start(&v)) < 0) return err;
    if ((err = JetAttachDatabase(v.ses, dbpath, 0)) < 0) goto out;
    if ((err = JetOpenDatabase(v.ses, dbpath, NULL, &v.dbid, 0)) < 0) goto out;
    if ((err = bk_kv_open(v.ses, v.dbid, &v.kv)) < 0) goto out;
    err = bk_verify(v.ses, &v.kv, max_seq, required, c);
    JetCloseTable(v.ses, v.kv.t);
    JetCloseDatabase(v.ses, v.dbid, 0);
    JetDetachDatabase(v.ses, dbpath);
out:
    bk_env_term(&v, JET_bitTermComplete);
    return err;
}

/* Prints a failed verification (for the cmocka output). */
static inline void bk_check_print(const char *what, JET_ERR err, const struct bk_check *c)
{
    if (err < 0 || !bk_check_ok(c))
        fprintf(stderr, "%s: err %ld (%s), rows %ld txns %ld bad %ld partial %ld missing %ld: %s\n",
                what, (long)err, JetXErrorName(err), c->rows, c->txns, c->bad_rows, c->partial,
                c->missing, c->why);
}

#endif
