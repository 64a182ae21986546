/*
 * test_recovery.c — soft recovery and checkpoints (engine/src/recovery.c, redo.c, checkpoint.c,
 * log.c) in one process: crashes are simulated with JetTerm2(JET_bitTermDirty), which stops the
 * instance without writing any database page, as a crash would.
 *
 * Proves: a transaction committed just before a checkpoint survives a crash right after it (the
 * checkpoint wrote every page dirtied before its position, including the last batch's, and made
 * the log durable up to it); a lazily committed transaction covered by a completed checkpoint
 * survives; recovery replays many generations; attach/detach/create records are replayed; a second
 * crash right after recovery loses nothing; recovery advances the database's change counter past
 * changes it finds already on disk (pages written by an interrupted checkpoint), so the changes
 * after it are not mistaken for old ones by the next recovery; circular logging keeps few archived
 * generations and still recovers; a cache smaller than the data evicts and reads back pages
 * during commits and recovers after a crash; a clean shutdown leaves nothing to
 * replay (no recovery event) while a crash does (event 301).
 * The checkpoint is run directly (ckpt_run) so the test does not depend on the checkpointer's
 * timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../engine/src/cache.h"
#include "../../engine/src/checkpoint.h"
#include "../common/jetfx.h"

#define VAL_LEN 700

static void put_val(struct tfx_env *e, struct tfx_kv *kv, long k, JET_GRBIT commit)
{
    char v[VAL_LEN];
    tfx_fill(v, sizeof v, 42, (uint64_t)k);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, kv, k, v, sizeof v), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e->ses, commit), JET_errSuccess);
}

static void expect_val(struct tfx_env *e, struct tfx_kv *kv, long k)
{
    char want[VAL_LEN], got[VAL_LEN];
    unsigned long cb = 0;
    tfx_fill(want, sizeof want, 42, (uint64_t)k);
    JET_ERR err = tfx_kv_get(e->ses, kv, k, got, sizeof got, &cb);
    if (err != JET_errSuccess) fail_msg("key %ld: %s", k, JetXErrorName(err));
    assert_int_equal(cb, VAL_LEN);
    assert_memory_equal(got, want, VAL_LEN);
}

static void checkpoint_now(struct tfx_env *e)
{
    struct inst *inst = inst_from_handle(e->inst);
    assert_non_null(inst);
    assert_int_equal(ckpt_run(inst, 0), JET_errSuccess);
}

static void crash_and_recover(struct tfx_env *e, struct tfx_kv *kv)
{
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", kv), JET_errSuccess);
}

static void test_commit_just_before_a_checkpoint_survives_a_crash(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    for (long k = 0; k < 20; k++) put_val(e, &kv, k, 0);
    checkpoint_now(e); /* every page clean now */
    /* This batch is the first to dirty its pages since the checkpoint, and the last before the
     * next one: that checkpoint's position is exactly its end. */
    put_val(e, &kv, 1000, 0);
    checkpoint_now(e);
    crash_and_recover(e, &kv);
    for (long k = 0; k < 20; k++) expect_val(e, &kv, k);
    expect_val(e, &kv, 1000);
    assert_int_equal(tfx_count(e->ses, kv.t), 21);
}

static void test_lazy_commit_covered_by_a_checkpoint_survives_a_crash(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    checkpoint_now(e);
    for (long k = 0; k < 5; k++) put_val(e, &kv, k, JET_bitCommitLazyFlush);
    checkpoint_now(e);
    /* Durable commits after the checkpoint, replayed from it. */
    for (long k = 5; k < 10; k++) put_val(e, &kv, k, 0);
    crash_and_recover(e, &kv);
    for (long k = 0; k < 10; k++) expect_val(e, &kv, k);
    /* The log the recovery continued is readable end to end: one more crash replays it again. */
    put_val(e, &kv, 10, 0);
    crash_and_recover(e, &kv);
    for (long k = 0; k < 11; k++) expect_val(e, &kv, k);
}

static void test_recovery_replays_many_generations(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    JET_XINSTANCEINFO before, after;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(JetXGetInstanceInfo(e->inst, &before), JET_errSuccess);
    for (long k = 0; k < 1500; k++) put_val(e, &kv, k, k % 7 ? JET_bitCommitLazyFlush : 0);
    put_val(e, &kv, 1500, 0); /* durable: everything before it is too */
    assert_int_equal(JetXGetInstanceInfo(e->inst, &after), JET_errSuccess);
    assert_true(after.ulCurrentGeneration >= before.ulCurrentGeneration + 5);
    crash_and_recover(e, &kv);
    for (long k = 0; k <= 1500; k++) expect_val(e, &kv, k);
    assert_int_equal(tfx_count(e->ses, kv.t), 1501);
}

static void test_recovery_replays_detach_attach_and_create(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv, kv2;
    char second[TFX_PATH_MAX];
    JET_DBID db2;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    put_val(e, &kv, 1, 0);
    checkpoint_now(e);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(JetCloseDatabase(e->ses, e->dbid, 0), JET_errSuccess);
    assert_int_equal(JetDetachDatabase(e->ses, e->dbpath), JET_errSuccess);
    assert_int_equal(JetAttachDatabase(e->ses, e->dbpath, 0), JET_errSuccess);
    assert_int_equal(JetOpenDatabase(e->ses, e->dbpath, NULL, &e->dbid, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    put_val(e, &kv, 2, 0);
    /* A database created after the checkpoint. */
    tfx_join(second, sizeof second, e->dir, "second.edb");
    assert_int_equal(JetCreateDatabase(e->ses, second, NULL, &db2, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_create(e->ses, db2, "t", &kv2), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv2, 77, "x", 1), JET_errSuccess);
    crash_and_recover(e, &kv);
    expect_val(e, &kv, 1);
    expect_val(e, &kv, 2);
    assert_int_equal(JetAttachDatabase(e->ses, second, 0), JET_errSuccess);
    assert_int_equal(JetOpenDatabase(e->ses, second, NULL, &db2, 0), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, db2, "t", &kv2), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv2, 77), JET_errSuccess);
}

static void test_second_crash_right_after_recovery_loses_nothing(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    for (long k = 0; k < 50; k++) put_val(e, &kv, k, 0);
    crash_and_recover(e, &kv);
    crash_and_recover(e, &kv);
    for (long k = 50; k < 60; k++) put_val(e, &kv, k, 0);
    crash_and_recover(e, &kv);
    for (long k = 0; k < 60; k++) expect_val(e, &kv, k);
    assert_int_equal(tfx_count(e->ses, kv.t), 60);
}

/* Pages written without a checkpoint following (as by a checkpoint interrupted by a crash). */
static void flush_pages_without_checkpoint(struct tfx_env *e)
{
    struct inst *inst = inst_from_handle(e->inst);
    assert_non_null(inst);
    assert_int_equal(cache_flush(inst->cache, 0, UINT64_MAX, 1), JET_errSuccess);
}

static void test_recovery_counts_changes_already_on_disk(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    put_val(e, &kv, 1, 0);
    checkpoint_now(e);
    /* Changes after the checkpoint reach the file, but the checkpoint does not move. */
    for (long k = 2; k < 30; k++) put_val(e, &kv, k, 0);
    flush_pages_without_checkpoint(e);
    crash_and_recover(e, &kv);
    /* Recovery found those changes on disk and skipped their records. The next changes must
     * still be newer than them... */
    for (long k = 30; k < 40; k++) put_val(e, &kv, k, 0);
    crash_and_recover(e, &kv);
    /* ...or this replay would take their records for old ones and drop them. */
    for (long k = 1; k < 40; k++) expect_val(e, &kv, k);
    assert_int_equal(tfx_count(e->ses, kv.t), 39);
}

/* Archived generations in the environment's log directory. */
static int archived_logs(struct tfx_env *e)
{
    int n = 0;
    for (unsigned g = 1; g < 4096; g++) {
        char name[32], p[TFX_PATH_MAX];
        snprintf(name, sizeof name, "edb%08X.log", g);
        tfx_join(p, sizeof p, e->dir, name);
        n += tfx_exists(p);
    }
    return n;
}

static void test_circular_logging_keeps_the_log_bounded(void **state)
{
    (void)state;
    struct tfx_env env, *e = &env;
    struct tfx_kv kv;
    JET_SETSYSPARAM circ[] = {{JET_paramCircularLog, 1, NULL, 0}};
    assert_int_equal(tfx_env_open_with(e, "circular", 1, circ, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    JET_XINSTANCEINFO info;
    long k = 0;
    do {
        for (int i = 0; i < 40; i++, k++) put_val(e, &kv, k, JET_bitCommitLazyFlush);
        put_val(e, &kv, k++, 0);
        checkpoint_now(e);
        assert_int_equal(JetXGetInstanceInfo(e->inst, &info), JET_errSuccess);
    } while (info.ulCurrentGeneration < 20);
    /* Generations below the checkpoint were recycled or deleted as it advanced. */
    int archived = archived_logs(e);
    if (archived > 3) fail_msg("%d archived generations kept with circular logging", archived);
    /* Recovery still has what it needs. */
    for (int i = 0; i < 30; i++, k++) put_val(e, &kv, k, 0);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen_with(e, 1, circ, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    for (long i = 0; i < k; i++) expect_val(e, &kv, i);
    assert_int_equal(tfx_count(e->ses, kv.t), k);
    tfx_env_close(e);
}

/* A cache far smaller than the data: pages are evicted (written under the WAL rule) in the middle
 * of commits and read back verified; a crash then recovers everything. */
static void test_small_cache_evicts_and_recovers(void **state)
{
    (void)state;
    struct tfx_env env, *e = &env;
    struct tfx_kv kv;
    JET_SETSYSPARAM small[] = {{JET_paramCacheSizeMax, 16, NULL, 0}}; /* raised to the 512-frame floor */
    static char big[6000], got[6000];
    assert_int_equal(tfx_env_open_with(e, "smallcache", 1, small, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    const long n = 1500; /* ~9 MB in 6 KB records: about 2.2 times the cache */
    for (long k = 0; k < n;) {
        assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
        for (int i = 0; i < 50; i++, k++) {
            tfx_fill(big, sizeof big, 8, (uint64_t)k);
            assert_int_equal(tfx_kv_insert(e->ses, &kv, k, big, sizeof big), JET_errSuccess);
        }
        assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    }
    for (int pass = 0; pass < 2; pass++) {
        for (long k = 0; k < n; k += 7) {
            unsigned long cb = 0;
            tfx_fill(big, sizeof big, 8, (uint64_t)k);
            assert_int_equal(tfx_kv_get(e->ses, &kv, k, got, sizeof got, &cb), JET_errSuccess);
            assert_int_equal(cb, sizeof big);
            assert_memory_equal(got, big, sizeof big);
        }
        if (pass == 0) {
            assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
            assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
            assert_int_equal(tfx_env_reopen_with(e, 1, small, 1), JET_errSuccess);
            assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
        }
    }
    assert_int_equal(tfx_count(e->ses, kv.t), n);
    tfx_env_close(e);
}

struct events {
    int recovery_end;
};

static void on_event(const JET_XEVENT *ev, void *ctx)
{
    struct events *ev_seen = ctx;
    if (ev->ulEventId == 301) ev_seen->recovery_end++;
}

static void test_clean_shutdown_leaves_nothing_to_replay(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    struct events seen = {0};
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    put_val(e, &kv, 1, 0);
    assert_int_equal(JetXSetEventCallback(on_event, &seen), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(seen.recovery_end, 0);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    put_val(e, &kv, 2, 0);
    crash_and_recover(e, &kv);
    assert_int_equal(JetXSetEventCallback(NULL, NULL), JET_errSuccess);
    assert_true(seen.recovery_end >= 1);
    expect_val(e, &kv, 1);
    expect_val(e, &kv, 2);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup_db, tfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_commit_just_before_a_checkpoint_survives_a_crash),
        T(test_lazy_commit_covered_by_a_checkpoint_survives_a_crash),
        T(test_recovery_replays_many_generations),
        T(test_recovery_replays_detach_attach_and_create),
        T(test_second_crash_right_after_recovery_loses_nothing),
        T(test_recovery_counts_changes_already_on_disk),
        cmocka_unit_test(test_circular_logging_keeps_the_log_bounded),
        cmocka_unit_test(test_small_cache_evicts_and_recovers),
        T(test_clean_shutdown_leaves_nothing_to_replay),
    };
#undef T
    return cmocka_run_group_tests_name("recovery", tests, NULL, NULL);
}
