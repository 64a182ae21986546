/*
 * test_concurrency.c — many sessions at once (engine/src/txn.c, log.c's group commit, cursor.c,
 * btree.c under the tree lock): 8 writer threads commit transactions of several records while 2
 * reader threads check that they never see a partial or a rolled-back transaction.
 *
 * Workload: writer w runs transactions t = 0..TXNS-1. Transaction (w, t) inserts K(w, t) records
 * (1..6, some with long values over a page) under keys key(w, t, j) and sets writer w's counter
 * record to t + 1; one in five (decided by a hash, so readers know which) rolls back instead.
 * Nothing is ever deleted, so once a transaction is visible it stays visible. Readers check:
 *  - a rolled-back transaction's records never appear;
 *  - if the last record of a transaction is visible, every record of it is, with its content;
 *  - a transaction whose commit returned before the reader looked is visible;
 *  - a counter value c means transaction c - 1 is complete (counter and records commit together),
 *    and counters never go backwards.
 * Checkpoints run all the while (every 32 KiB of log); each writer waits (up to 30 s) before its
 * last transaction until one has moved the checkpoint, so one always happens during the run. Log
 * fsyncs are slowed to 2 ms (JET_XFAULT_DELAY), as on a real disk, so commits overlap on any disk
 * (tmpfs included). At the end every committed record is there, also after a crash, and group
 * commit shared fsyncs (fewer log flushes than commits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/jetfx.h"

#define WRITERS 8
#define READERS 2
#define TXNS 60
#define COUNTER_BASE 100000000L
#define BIG_LEN 12000

struct shared {
    struct tfx_env *e;
    atomic_long committed[WRITERS]; /* transactions of writer w whose commit returned */
    atomic_int writers_done;
    unsigned long checkpoint_gen_before; /* the checkpoint's generation when the writers start */
    atomic_long checks;
    JET_ERR writer_err[WRITERS];
    JET_ERR reader_err[READERS];
    char reader_msg[READERS][256];
};

static uint64_t mix(uint64_t w, uint64_t t)
{
    uint64_t s = w * 1000003u + t;
    return tfx_rand(&s);
}
static int is_rollback(long w, long t) { return mix((uint64_t)w, (uint64_t)t) % 5 == 0; }
static int records_of(long w, long t) { return 1 + (int)((mix((uint64_t)w, (uint64_t)t) >> 8) % 6); }
static long key_of(long w, long t, int j) { return w * 1000000L + t * 10 + j; }
static unsigned long len_of(long w, long t, int j)
{
    return (mix((uint64_t)w, (uint64_t)t) >> (16 + j)) % 4 == 0 ? BIG_LEN : 40 + (unsigned long)j;
}

struct conn {
    JET_SESID ses;
    JET_DBID db;
    struct tfx_kv kv;
};

static JET_ERR connect(struct shared *sh, struct conn *c)
{
    JET_ERR err = JetBeginSession(sh->e->inst, &c->ses, NULL, NULL);
    if (err >= 0) err = JetOpenDatabase(c->ses, sh->e->dbpath, NULL, &c->db, 0);
    if (err >= 0) err = tfx_kv_open(c->ses, c->db, "t", &c->kv);
    return err;
}

struct writer_arg {
    struct shared *sh;
    long w;
};

static JET_ERR write_txn(struct conn *c, long w, long t)
{
    static __thread unsigned char buf[BIG_LEN];
    JET_ERR err;
    int32_t counter = (int32_t)(t + 1);
    if ((err = JetBeginTransaction(c->ses)) < 0) return err;
    for (int j = 0; j < records_of(w, t); j++) {
        unsigned long len = len_of(w, t, j);
        tfx_fill(buf, len, (uint64_t)w, (uint64_t)key_of(w, t, j));
        if ((err = tfx_kv_insert(c->ses, &c->kv, key_of(w, t, j), buf, len)) < 0) goto fail;
    }
    if ((err = tfx_kv_replace(c->ses, &c->kv, COUNTER_BASE + w, &counter, sizeof counter)) < 0) goto fail;
    if (is_rollback(w, t)) return JetRollback(c->ses, 0);
    return JetCommitTransaction(c->ses, 0);
fail:
    JetRollback(c->ses, JET_bitRollbackAll);
    return err;
}

/* Waits until a checkpoint has moved past the generation it started in (30 s at most: a
 * checkpointer that never runs still fails the test). */
static JET_ERR wait_for_checkpoint(struct shared *sh)
{
    JET_XINSTANCEINFO info;
    for (int i = 0; i < 30000; i++) {
        JET_ERR err = JetXGetInstanceInfo(sh->e->inst, &info);
        if (err < 0) return err;
        if (info.ulCheckpointGeneration > sh->checkpoint_gen_before) return JET_errSuccess;
        usleep(1000);
    }
    return JET_errSuccess; /* the final check reports it */
}

static void *writer_main(void *arg)
{
    struct writer_arg *a = arg;
    struct conn c;
    JET_ERR err = connect(a->sh, &c);
    for (long t = 0; err >= 0 && t < TXNS; t++) {
        if (t == TXNS - 1) err = wait_for_checkpoint(a->sh);
        if (err >= 0) err = write_txn(&c, a->w, t);
        if (err >= 0 && !is_rollback(a->w, t)) atomic_store(&a->sh->committed[a->w], t + 1);
    }
    a->sh->writer_err[a->w] = err;
    atomic_fetch_add(&a->sh->writers_done, 1);
    JetEndSession(c.ses, 0);
    return NULL;
}

struct reader_arg {
    struct shared *sh;
    int r;
};

/* 1 present with the right content, 0 absent, -1 wrong content, <-1 an error code. */
static long check_record(struct conn *c, long w, long t, int j)
{
    static __thread unsigned char want[BIG_LEN], got[BIG_LEN];
    unsigned long cb = 0, len = len_of(w, t, j);
    JET_ERR err = tfx_kv_get(c->ses, &c->kv, key_of(w, t, j), got, sizeof got, &cb);
    if (err == JET_errRecordNotFound) return 0;
    if (err < 0) return err;
    tfx_fill(want, len, (uint64_t)w, (uint64_t)key_of(w, t, j));
    return cb == len && memcmp(got, want, len) == 0 ? 1 : -1;
}

#define READER_FAIL(...)                                                                           \
    do {                                                                                           \
        snprintf(a->sh->reader_msg[a->r], sizeof a->sh->reader_msg[a->r], __VA_ARGS__);            \
        a->sh->reader_err[a->r] = JET_errDatabaseCorrupted;                                        \
        goto out;                                                                                  \
    } while (0)

static void *reader_main(void *arg)
{
    struct reader_arg *a = arg;
    struct conn c;
    long last_counter[WRITERS] = {0};
    uint64_t rnd = 0x5eed + (uint64_t)a->r;
    JET_ERR err = connect(a->sh, &c);
    if (err < 0) {
        a->sh->reader_err[a->r] = err;
        return NULL;
    }
    long rounds_after = 0;
    while (rounds_after < 200) {
        if (atomic_load(&a->sh->writers_done) == WRITERS) rounds_after++;
        long w = (long)tfx_rand_below(&rnd, WRITERS);
        long done_before = atomic_load(&a->sh->committed[w]);
        long t = (long)tfx_rand_below(&rnd, TXNS);
        int k = records_of(w, t);
        long last = check_record(&c, w, t, k - 1);
        if (last < -1) READER_FAIL("read (%ld,%ld): %s", w, t, JetXErrorName(last));
        if (last == -1) READER_FAIL("record (%ld,%ld,%d) has wrong content", w, t, k - 1);
        if (is_rollback(w, t) && last) READER_FAIL("rolled-back transaction (%ld,%ld) is visible", w, t);
        if (!is_rollback(w, t) && t < done_before && !last)
            READER_FAIL("transaction (%ld,%ld) committed before the read but not visible", w, t);
        if (last == 1)
            for (int j = 0; j < k - 1; j++)
                if (check_record(&c, w, t, j) != 1)
                    READER_FAIL("transaction (%ld,%ld) is partial: record %d of %d missing", w, t, j, k);
        /* The counter and the records of its transaction. */
        int32_t counter = 0;
        unsigned long cb = 0;
        if ((err = tfx_kv_get(c.ses, &c.kv, COUNTER_BASE + w, &counter, sizeof counter, &cb)) < 0)
            READER_FAIL("counter %ld: %s", w, JetXErrorName(err));
        if (counter < last_counter[w]) READER_FAIL("counter %ld went back from %ld to %d", w, last_counter[w], counter);
        last_counter[w] = counter;
        if (counter > 0) {
            long ct = counter - 1;
            for (int j = 0; j < records_of(w, ct); j++)
                if (check_record(&c, w, ct, j) != 1)
                    READER_FAIL("counter %ld = %d but record %d of its transaction is missing", w, counter, j);
        }
        atomic_fetch_add(&a->sh->checks, 1);
    }
out:
    JetEndSession(c.ses, 0);
    return NULL;
}

static void test_writers_and_readers(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    struct shared sh;
    memset(&sh, 0, sizeof sh);
    sh.e = e;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    for (long w = 0; w < WRITERS; w++) {
        int32_t zero = 0;
        assert_int_equal(tfx_kv_insert(e->ses, &kv, COUNTER_BASE + w, &zero, sizeof zero), JET_errSuccess);
    }
    JET_XINSTANCEINFO before, after;
    assert_int_equal(JetXGetInstanceInfo(e->inst, &before), JET_errSuccess);
    sh.checkpoint_gen_before = before.ulCheckpointGeneration;
    JET_XFAULT slow_log = {JET_XFAULT_FSYNC, JET_XFAULT_DELAY, ".log", 0, 0, 0, 2};
    assert_int_equal(JetXFaultSet(&slow_log), JET_errSuccess);
    pthread_t wt[WRITERS], rt[READERS];
    struct writer_arg wa[WRITERS];
    struct reader_arg ra[READERS];
    for (int r = 0; r < READERS; r++) {
        ra[r] = (struct reader_arg){&sh, r};
        assert_int_equal(pthread_create(&rt[r], NULL, reader_main, &ra[r]), 0);
    }
    for (long w = 0; w < WRITERS; w++) {
        wa[w] = (struct writer_arg){&sh, w};
        assert_int_equal(pthread_create(&wt[w], NULL, writer_main, &wa[w]), 0);
    }
    for (int w = 0; w < WRITERS; w++) assert_int_equal(pthread_join(wt[w], NULL), 0);
    for (int r = 0; r < READERS; r++) assert_int_equal(pthread_join(rt[r], NULL), 0);
    JetXFaultClear();
    assert_int_equal(JetXGetInstanceInfo(e->inst, &after), JET_errSuccess);
    for (int w = 0; w < WRITERS; w++) assert_int_equal(sh.writer_err[w], JET_errSuccess);
    for (int r = 0; r < READERS; r++)
        if (sh.reader_err[r] != JET_errSuccess) fail_msg("reader %d: %s", r, sh.reader_msg[r]);
    assert_true(atomic_load(&sh.checks) >= 400);
    /* Final state: exactly the committed transactions. */
    long want = WRITERS, commits = 0;
    for (long w = 0; w < WRITERS; w++)
        for (long t = 0; t < TXNS; t++)
            if (!is_rollback(w, t)) {
                want += records_of(w, t);
                commits++;
                assert_int_equal(tfx_kv_seek(e->ses, &kv, key_of(w, t, records_of(w, t) - 1)), JET_errSuccess);
            } else {
                assert_int_equal(tfx_kv_seek(e->ses, &kv, key_of(w, t, 0)), JET_errRecordNotFound);
            }
    assert_int_equal(tfx_count(e->ses, kv.t), want);
    /* The checkpointer ran meanwhile. */
    if (after.ulCheckpointGeneration <= before.ulCheckpointGeneration)
        fail_msg("no checkpoint during the run (generation %lu to %lu)", before.ulCheckpointGeneration,
                 after.ulCheckpointGeneration);
    /* Group commit: concurrent commits shared fsyncs. */
    unsigned long long flushes = after.cLogFlushes - before.cLogFlushes;
    assert_true(after.cCommits - before.cCommits >= (unsigned long long)commits);
    if (flushes >= (unsigned long long)commits)
        fail_msg("%llu log flushes for %ld concurrent commits: no group commit", flushes, commits);
    /* And all of it is durable. */
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_count(e->ses, kv.t), want);
}

/* Readers and writers on separate instances do not disturb each other's data. */
struct inst_arg {
    struct tfx_env env;
    JET_ERR err;
    long n;
};

static void *instance_main(void *arg)
{
    struct inst_arg *a = arg;
    struct tfx_kv kv;
    JET_ERR err = tfx_kv_create(a->env.ses, a->env.dbid, "t", &kv);
    for (long k = 0; err >= 0 && k < a->n; k++) err = tfx_kv_insert(a->env.ses, &kv, k, &k, sizeof k);
    if (err >= 0 && tfx_count(a->env.ses, kv.t) != a->n) err = JET_errDatabaseCorrupted;
    a->err = err;
    return NULL;
}

static void test_instances_run_side_by_side(void **state)
{
    (void)state;
    struct inst_arg a[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        a[i].n = 100 + 50 * i;
        a[i].err = 1;
        assert_int_equal(tfx_env_open(&a[i].env, "side", 1), JET_errSuccess);
    }
    for (int i = 0; i < 3; i++) assert_int_equal(pthread_create(&th[i], NULL, instance_main, &a[i]), 0);
    for (int i = 0; i < 3; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(a[i].err, JET_errSuccess);
        tfx_env_close(&a[i].env);
    }
}

/* JetTerm while other threads keep using their sessions: each call either works or fails with a
 * documented code (TermInProgress, InvalidSesid/InvalidTableId once the session is gone); none
 * touches freed memory (run under ASan). */
struct busy_arg {
    struct tfx_env *e;
    JET_SESID ses;
    struct tfx_kv kv;
    long calls;
    JET_ERR last;
};

static void *busy_main(void *arg)
{
    struct busy_arg *a = arg;
    long k = 0;
    for (;;) {
        JET_ERR err = JetBeginTransaction(a->ses);
        if (err >= 0) err = tfx_kv_insert(a->ses, &a->kv, (long)(a->ses & 0xffff) * 100000 + k++, "x", 1);
        if (err >= 0) err = JetCommitTransaction(a->ses, JET_bitCommitLazyFlush);
        if (err >= 0) err = tfx_kv_seek(a->ses, &a->kv, 1);
        a->calls++;
        if (err < 0 && err != JET_errRecordNotFound && err != JET_errNotInTransaction && err != JET_errTransTooDeep) {
            a->last = err;
            return NULL;
        }
    }
}

static void test_term_while_sessions_are_busy(void **state)
{
    (void)state;
    enum { N = 4 };
    struct tfx_env env;
    struct busy_arg a[N];
    pthread_t th[N];
    assert_int_equal(tfx_env_open(&env, "busyterm", 1), JET_errSuccess);
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(env.ses, env.dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(JetCloseTable(env.ses, kv.t), JET_errSuccess);
    for (int i = 0; i < N; i++) {
        JET_DBID db;
        memset(&a[i], 0, sizeof a[i]);
        a[i].e = &env;
        assert_int_equal(JetBeginSession(env.inst, &a[i].ses, NULL, NULL), JET_errSuccess);
        assert_int_equal(JetOpenDatabase(a[i].ses, env.dbpath, NULL, &db, 0), JET_errSuccess);
        assert_int_equal(tfx_kv_open(a[i].ses, db, "t", &a[i].kv), JET_errSuccess);
    }
    for (int i = 0; i < N; i++) assert_int_equal(pthread_create(&th[i], NULL, busy_main, &a[i]), 0);
    usleep(100000);
    assert_int_equal(tfx_env_term(&env, JET_bitTermComplete), JET_errSuccess);
    for (int i = 0; i < N; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_true(a[i].calls > 0);
        if (a[i].last != JET_errTermInProgress && a[i].last != JET_errInvalidSesid && a[i].last != JET_errInvalidTableId)
            fail_msg("thread %d ended with %s", i, JetXErrorName(a[i].last));
    }
    tfx_env_close(&env);
}

/* The environment with checkpoints every 32 KiB of log, so the checkpointer flushes pages while
 * the writers commit and the readers read. */
static int setup_busy_checkpoints(void **state)
{
    static const JET_SETSYSPARAM params[] = {{JET_paramCheckpointDepthMax, 65536, NULL, 0}};
    struct tfx_env *e = calloc(1, sizeof *e);
    if (!e || tfx_env_open_with(e, "concurrency", 1, params, 1) < 0) {
        if (e) tfx_env_close(e);
        free(e);
        return -1;
    }
    *state = e;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writers_and_readers, setup_busy_checkpoints, tfx_teardown),
        cmocka_unit_test(test_instances_run_side_by_side),
        cmocka_unit_test(test_term_while_sessions_are_busy),
    };
    return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}
