/*
 * test_torn.c — torn writes and damaged files (engine/src/os.c fault points, cache.c verification,
 * redo.c full page images, recovery.c's checks of the log chain and the checkpoint).
 *
 * Proves:
 *  - a database page write torn at a crash (JET_XFAULT_TORN, then _exit at the fsync that would
 *    have completed the checkpoint) leaves a page that fails verification, and soft recovery heals
 *    it from the full page image logged after the previous checkpoint;
 *  - a log write torn at a crash (JET_XFAULT_TORN, then _exit at its fdatasync) is the end of the
 *    log: recovery succeeds, the unacknowledged transaction is wholly absent, and the log goes on
 *    in a new generation that later recoveries read end to end;
 *  - a byte flipped in a database page on disk, or by a corrupting read, gives
 *    JET_errReadVerifyFailure and the page is never returned (nor cached: the next read fails
 *    again, and a good read afterwards succeeds); event 474 is reported;
 *  - a delay fault (JET_XFAULT_DELAY) slows the call it matches and hides no other fault;
 *  - a missing middle log generation gives JET_errMissingLogFile; a generation from another log
 *    set gives JET_errBadLogSignature; both checkpoint copies damaged give
 *    JET_errCheckpointCorrupt (one damaged copy is survived); an archived generation damaged in
 *    its middle gives JET_errLogFileCorrupt.
 * Deaths happen in forked children (tfx_run_in_child); the parent recovers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../engine/src/checkpoint.h"
#include "../../engine/src/codec.h"
#include "../../engine/src/crc32c.h"
#include "../../engine/src/logfmt.h"
#include "../../engine/src/page.h"
#include "../common/jetfx.h"

#define PGSZ 8192
#define VAL_LEN 300

/* Parameters that keep the checkpointer out of the way: no checkpoint by time or volume. */
static const JET_SETSYSPARAM quiet[] = {
    {JET_paramLogCheckpointPeriod, 0, NULL, 0},
    {JET_paramCheckpointDepthMax, 1u << 30, NULL, 0},
};

static void put_val(JET_SESID ses, struct tfx_kv *kv, long k, uint64_t tag)
{
    char v[VAL_LEN];
    tfx_fill(v, sizeof v, tag, (uint64_t)k);
    assert_int_equal(tfx_kv_insert(ses, kv, k, v, sizeof v), JET_errSuccess);
}

static int has_val(JET_SESID ses, struct tfx_kv *kv, long k, uint64_t tag)
{
    char want[VAL_LEN], got[VAL_LEN];
    unsigned long cb = 0;
    if (tfx_kv_get(ses, kv, k, got, sizeof got, &cb) != JET_errSuccess) return 0;
    tfx_fill(want, sizeof want, tag, (uint64_t)k);
    return cb == VAL_LEN && memcmp(got, want, VAL_LEN) == 0;
}

/* Pages of the database file that fail verification. */
static int bad_pages(const char *path)
{
    long long size = tfx_file_size(path);
    uint8_t *page = malloc(PGSZ);
    int bad = 0;
    assert_non_null(page);
    for (long long pg = 2; (pg + 1) * PGSZ <= size; pg++) {
        assert_int_equal(tfx_read_at(path, page, PGSZ, pg * PGSZ), 0);
        if (page_verify(page, PGSZ, (uint32_t)pg) < 0) bad++;
    }
    free(page);
    return bad;
}

/* ---- children that die ----------------------------------------------------------------------------- */
struct child_ctx {
    struct tfx_env *e;
};

#define CHILD_JET(call) TFX_CHILD_EQ((call), JET_errSuccess)

static void child_open(struct tfx_env *e, JET_INSTANCE *inst, JET_SESID *ses, struct tfx_kv *kv)
{
    JET_DBID db;
    CHILD_JET(JetCreateInstance(inst, "torn-child"));
    CHILD_JET(tfx_set_params(inst, e->dir));
    for (int i = 0; i < 2; i++)
        CHILD_JET(JetSetSystemParameter(inst, 0, quiet[i].paramid, quiet[i].lParam, quiet[i].sz));
    CHILD_JET(JetInit(inst));
    CHILD_JET(JetBeginSession(*inst, ses, NULL, NULL));
    CHILD_JET(JetAttachDatabase(*ses, e->dbpath, 0));
    CHILD_JET(JetOpenDatabase(*ses, e->dbpath, NULL, &db, 0));
    CHILD_JET(tfx_kv_open(*ses, db, "t", kv));
}

static void child_put(JET_SESID ses, struct tfx_kv *kv, long k, uint64_t tag)
{
    char v[VAL_LEN];
    tfx_fill(v, sizeof v, tag, (uint64_t)k);
    CHILD_JET(tfx_kv_insert(ses, kv, k, v, sizeof v));
}

static void arm(unsigned long op, unsigned long mode, const char *path, unsigned long count)
{
    JET_XFAULT f = {op, mode, path, 0, count, EIO, 0};
    CHILD_JET(JetXFaultSet(&f));
}

/* Commits keys 100..199 after a checkpoint, then checkpoints again with its page writes torn and
 * dies at the fsync that would have made the checkpoint complete. */
static void child_torn_page(void *arg)
{
    struct child_ctx *c = arg;
    JET_INSTANCE inst;
    JET_SESID ses;
    struct tfx_kv kv;
    child_open(c->e, &inst, &ses, &kv);
    struct inst *in = inst_from_handle(inst);
    TFX_CHILD_CHECK(in != NULL);
    CHILD_JET(ckpt_run(in, 0));
    CHILD_JET(JetBeginTransaction(ses));
    for (long k = 100; k < 200; k++) child_put(ses, &kv, k, 2);
    CHILD_JET(JetCommitTransaction(ses, 0));
    /* Every page write of this checkpoint is torn (one alone may tear where nothing changed). */
    arm(JET_XFAULT_WRITE, JET_XFAULT_TORN, TFX_DB_NAME, 0);
    arm(JET_XFAULT_FSYNC, JET_XFAULT_CRASH, TFX_DB_NAME, 1);
    ckpt_run(in, 0);
    _exit(3); /* the crash fault did not fire */
}

static void make_table(struct tfx_env *e, long n, uint64_t tag)
{
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    for (long k = 0; k < n; k++) put_val(e->ses, &kv, k, tag);
    assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
}

static void test_torn_page_write_heals_by_redo(void **state)
{
    struct tfx_env *e = *state;
    make_table(e, 100, 1);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(bad_pages(e->dbpath), 0);
    struct child_ctx c = {e};
    assert_int_equal(tfx_run_in_child(child_torn_page, &c), 99);
    /* The crash left at least one torn page in the file. */
    assert_true(bad_pages(e->dbpath) >= 1);
    struct tfx_kv kv;
    assert_int_equal(tfx_env_reopen_with(e, 1, quiet, 2), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    for (long k = 0; k < 100; k++) assert_true(has_val(e->ses, &kv, k, 1));
    for (long k = 100; k < 200; k++) assert_true(has_val(e->ses, &kv, k, 2));
    assert_int_equal(tfx_count(e->ses, kv.t), 200);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(bad_pages(e->dbpath), 0);
}

/* Commits key 1 durably, then commits keys 10..29 with the log write torn; dies at its fsync. */
static void child_torn_log(void *arg)
{
    struct child_ctx *c = arg;
    JET_INSTANCE inst;
    JET_SESID ses;
    struct tfx_kv kv;
    child_open(c->e, &inst, &ses, &kv);
    child_put(ses, &kv, 1, 3);
    arm(JET_XFAULT_WRITE, JET_XFAULT_TORN, "edb.log", 1);
    arm(JET_XFAULT_FSYNC, JET_XFAULT_CRASH, "edb.log", 1);
    CHILD_JET(JetBeginTransaction(ses));
    for (long k = 10; k < 30; k++) child_put(ses, &kv, k, 3);
    JetCommitTransaction(ses, 0);
    _exit(3);
}

static void test_torn_log_tail_is_the_end_of_the_log(void **state)
{
    struct tfx_env *e = *state;
    make_table(e, 0, 0);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    struct child_ctx c = {e};
    assert_int_equal(tfx_run_in_child(child_torn_log, &c), 99);
    /* The current generation ends in a torn record: bytes after the last valid one. */
    char cur[TFX_PATH_MAX];
    struct logscan s;
    tfx_join(cur, sizeof cur, e->dir, "edb.log");
    assert_int_equal(logscan_open(cur, &s), JET_errSuccess);
    const uint8_t *rec;
    uint32_t len;
    while (logscan_next(&s, &rec, &len)) {
    }
    assert_true(s.bad_record);
    int garbage = 0;
    for (size_t i = s.off; i < s.size && !garbage; i++) garbage = s.data[i] != 0;
    assert_true(garbage);
    uint32_t torn_gen = s.hdr.gen;
    logscan_close(&s);
    /* Recovery takes the torn record for the end. */
    struct tfx_kv kv;
    assert_int_equal(tfx_env_reopen_with(e, 1, quiet, 2), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_true(has_val(e->ses, &kv, 1, 3));
    for (long k = 10; k < 30; k++) assert_int_equal(tfx_kv_seek(e->ses, &kv, k), JET_errRecordNotFound);
    JET_XINSTANCEINFO info;
    assert_int_equal(JetXGetInstanceInfo(e->inst, &info), JET_errSuccess);
    assert_true(info.ulCurrentGeneration > torn_gen); /* the damaged generation was closed */
    /* The log goes on and is readable through the old damage. */
    put_val(e->ses, &kv, 2, 4);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
    assert_int_equal(tfx_env_reopen_with(e, 1, quiet, 2), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_true(has_val(e->ses, &kv, 1, 3));
    assert_true(has_val(e->ses, &kv, 2, 4));
    assert_int_equal(tfx_count(e->ses, kv.t), 2);
}

/* ---- verification of pages on read -------------------------------------------------------------------- */
struct events {
    int page_failed;
};

static void on_event(const JET_XEVENT *ev, void *ctx)
{
    struct events *seen = ctx;
    if (ev->ulEventId == 474) seen->page_failed++;
}

/* The first page holding records (a leaf with cells). */
static long first_leaf_page(const char *path)
{
    long long size = tfx_file_size(path);
    uint8_t *page = malloc(PGSZ);
    long found = -1;
    assert_non_null(page);
    for (long long pg = 4; found < 0 && (pg + 1) * PGSZ <= size; pg++) {
        assert_int_equal(tfx_read_at(path, page, PGSZ, pg * PGSZ), 0);
        if (page_type(page) == PAGE_LEAF && page_nslots(page) > 10) found = (long)pg;
    }
    free(page);
    return found;
}

static void test_flipped_byte_on_disk_fails_verification(void **state)
{
    struct tfx_env *e = *state;
    struct events seen = {0};
    make_table(e, 200, 5);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    long pg = first_leaf_page(e->dbpath);
    assert_true(pg >= 4);
    assert_int_equal(tfx_flip_byte(e->dbpath, pg * PGSZ + PGSZ / 2), 0);
    assert_int_equal(JetXSetEventCallback(on_event, &seen), JET_errSuccess);
    struct tfx_kv kv;
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    /* A full scan must cross the damaged leaf. */
    JET_ERR err = JetMove(e->ses, kv.t, JET_MoveFirst, 0);
    while (err >= 0) err = JetMove(e->ses, kv.t, JET_MoveNext, 0);
    assert_int_equal(err, JET_errReadVerifyFailure);
    /* Not cached: asking again fails again, it never returns the bad page. */
    err = JetMove(e->ses, kv.t, JET_MoveFirst, 0);
    while (err >= 0) err = JetMove(e->ses, kv.t, JET_MoveNext, 0);
    assert_int_equal(err, JET_errReadVerifyFailure);
    assert_int_equal(JetXSetEventCallback(NULL, NULL), JET_errSuccess);
    assert_true(seen.page_failed >= 2);
    /* The instance itself stays usable. */
    JET_SESID s2;
    assert_int_equal(JetBeginSession(e->inst, &s2, NULL, NULL), JET_errSuccess);
    assert_int_equal(JetEndSession(s2, 0), JET_errSuccess);
}

/* A clean restart (the cache starts empty, so reads go to the file), table t open in *kv. */
static void restart_cold(struct tfx_env *e, struct tfx_kv *kv)
{
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", kv), JET_errSuccess);
}

static void test_corrupting_read_fails_verification_once(void **state)
{
    struct tfx_env *e = *state;
    make_table(e, 200, 6);
    struct tfx_kv kv;
    restart_cold(e, &kv);
    /* Every read of the database now returns one flipped byte. */
    JET_XFAULT f = {JET_XFAULT_READ, JET_XFAULT_CORRUPT, TFX_DB_NAME, 0, 0, 0, 0};
    assert_int_equal(JetXFaultSet(&f), JET_errSuccess);
    JET_ERR err = JetMove(e->ses, kv.t, JET_MoveFirst, 0);
    while (err >= 0) err = JetMove(e->ses, kv.t, JET_MoveNext, 0);
    assert_int_equal(err, JET_errReadVerifyFailure);
    assert_true(JetXFaultHits() > 0);
    JetXFaultClear();
    /* The disk was fine: reading again succeeds. */
    assert_int_equal(tfx_count(e->ses, kv.t), 200);
    for (long k = 0; k < 200; k += 17) assert_true(has_val(e->ses, &kv, k, 6));
    /* A read error is an I/O error. */
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    restart_cold(e, &kv);
    JET_XFAULT eio = {JET_XFAULT_READ, JET_XFAULT_FAIL, TFX_DB_NAME, 0, 0, EIO, 0};
    assert_int_equal(JetXFaultSet(&eio), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 150), JET_errDiskIO);
    JetXFaultClear();
    assert_true(has_val(e->ses, &kv, 150, 6));
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* JET_XFAULT_DELAY (a slow disk, for tests that need an operation to take time): the matching
 * call waits, then runs normally; a fault armed after it on the same call still applies. */
static void test_delay_fault_slows_the_call_and_hides_no_other_fault(void **state)
{
    struct tfx_env *e = *state;
    make_table(e, 200, 6);
    struct tfx_kv kv;
    restart_cold(e, &kv);
    JET_XFAULT too_long = {JET_XFAULT_READ, JET_XFAULT_DELAY, TFX_DB_NAME, 0, 0, 0, 60001};
    assert_int_equal(JetXFaultSet(&too_long), JET_errInvalidParameter);
    /* Every read of the database waits 25 ms: a scan that reads pages from disk takes at least
     * that, and returns every record. */
    JET_XFAULT slow = {JET_XFAULT_READ, JET_XFAULT_DELAY, TFX_DB_NAME, 0, 0, 0, 25};
    assert_int_equal(JetXFaultSet(&slow), JET_errSuccess);
    unsigned long hits = JetXFaultHits();
    double t0 = now_ms();
    assert_int_equal(tfx_count(e->ses, kv.t), 200);
    assert_true(now_ms() - t0 >= 25.0);
    assert_true(JetXFaultHits() > hits);
    JetXFaultClear();
    /* Delay and corruption on the same reads: slow, and still caught. */
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    restart_cold(e, &kv);
    JET_XFAULT corrupt = {JET_XFAULT_READ, JET_XFAULT_CORRUPT, TFX_DB_NAME, 0, 0, 0, 0};
    assert_int_equal(JetXFaultSet(&slow), JET_errSuccess);
    assert_int_equal(JetXFaultSet(&corrupt), JET_errSuccess);
    t0 = now_ms();
    JET_ERR err = JetMove(e->ses, kv.t, JET_MoveFirst, 0);
    while (err >= 0) err = JetMove(e->ses, kv.t, JET_MoveNext, 0);
    assert_int_equal(err, JET_errReadVerifyFailure);
    assert_true(now_ms() - t0 >= 25.0);
    JetXFaultClear();
    assert_int_equal(tfx_count(e->ses, kv.t), 200);
}

/* ---- damaged log sets ------------------------------------------------------------------------------- */
/* An environment whose log has several archived generations after the checkpoint, stopped by a
 * crash so recovery must read them all. */
static void crashed_env_with_generations(struct tfx_env *e, const char *tag, int checkpoints)
{
    assert_int_equal(tfx_env_open_with(e, tag, 1, quiet, 2), JET_errSuccess);
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    /* Checkpoints in generation 1 only, so recovery still needs every later generation. */
    for (int i = 0; i < checkpoints; i++) {
        put_val(e->ses, &kv, 100000 + i, 7);
        assert_int_equal(ckpt_run(inst_from_handle(e->inst), 0), JET_errSuccess);
    }
    JET_XINSTANCEINFO info;
    long k = 0;
    do {
        assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
        for (int i = 0; i < 20; i++, k++) put_val(e->ses, &kv, k, 7);
        assert_int_equal(JetCommitTransaction(e->ses, 0), JET_errSuccess);
        assert_int_equal(JetXGetInstanceInfo(e->inst, &info), JET_errSuccess);
    } while (info.ulCurrentGeneration < 5);
    assert_int_equal(info.ulCheckpointGeneration <= 1, 1);
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
    assert_int_equal(tfx_env_term(e, JET_bitTermDirty), JET_errSuccess);
}

static void gen_path(char *out, size_t cap, const struct tfx_env *e, unsigned gen)
{
    char name[32];
    snprintf(name, sizeof name, "edb%08X.log", gen);
    tfx_join(out, cap, e->dir, name);
}

static void test_missing_middle_generation(void **state)
{
    (void)state;
    struct tfx_env e;
    char p[TFX_PATH_MAX];
    crashed_env_with_generations(&e, "missing", 0);
    gen_path(p, sizeof p, &e, 3);
    assert_true(tfx_exists(p));
    assert_int_equal(remove(p), 0);
    assert_int_equal(tfx_env_reopen_with(&e, 0, quiet, 2), JET_errMissingLogFile);
    tfx_env_close(&e);
}

static void test_generation_of_another_log_set(void **state)
{
    (void)state;
    struct tfx_env a, b;
    char pa[TFX_PATH_MAX], pb[TFX_PATH_MAX], saved[TFX_PATH_MAX];
    crashed_env_with_generations(&a, "logset-a", 0);
    crashed_env_with_generations(&b, "logset-b", 0);
    gen_path(pa, sizeof pa, &a, 3);
    gen_path(pb, sizeof pb, &b, 3);
    tfx_join(saved, sizeof saved, a.dir, "saved.log");
    assert_int_equal(tfx_copy_file(pa, saved), 0);
    assert_int_equal(tfx_copy_file(pb, pa), 0);
    assert_int_equal(tfx_env_reopen_with(&a, 0, quiet, 2), JET_errBadLogSignature);
    /* With its own generation back, the same log set recovers. */
    assert_int_equal(tfx_copy_file(saved, pa), 0);
    assert_int_equal(tfx_env_reopen_with(&a, 1, quiet, 2), JET_errSuccess);
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_open(a.ses, a.dbid, "t", &kv), JET_errSuccess);
    assert_true(tfx_count(a.ses, kv.t) > 100);
    tfx_env_close(&a);
    tfx_env_close(&b);
}

static void test_checkpoint_copies(void **state)
{
    (void)state;
    struct tfx_env e;
    char chk[TFX_PATH_MAX];
    crashed_env_with_generations(&e, "ckpt", 2);
    tfx_join(chk, sizeof chk, e.dir, "edb.chk");
    assert_int_equal(tfx_file_size(chk), 2 * CKPT_SLOT);
    struct ckpt_data d;
    assert_int_equal(ckpt_read(chk, &d), JET_errSuccess);
    /* The newer copy damaged: the older one is used. */
    unsigned newer = (unsigned)(d.seq % 2);
    assert_int_equal(tfx_flip_byte(chk, (long long)newer * CKPT_SLOT + 20), 0);
    struct ckpt_data older;
    assert_int_equal(ckpt_read(chk, &older), JET_errSuccess);
    assert_true(older.seq < d.seq);
    /* Both damaged: refused. */
    assert_int_equal(tfx_flip_byte(chk, (long long)(1 - newer) * CKPT_SLOT + 20), 0);
    assert_int_equal(ckpt_read(chk, &older), JET_errCheckpointCorrupt);
    assert_int_equal(tfx_env_reopen_with(&e, 0, quiet, 2), JET_errCheckpointCorrupt);
    tfx_env_close(&e);
}

static void test_one_damaged_checkpoint_copy_is_survived(void **state)
{
    (void)state;
    struct tfx_env e;
    char chk[TFX_PATH_MAX];
    crashed_env_with_generations(&e, "ckpt1", 2);
    tfx_join(chk, sizeof chk, e.dir, "edb.chk");
    struct ckpt_data d;
    assert_int_equal(ckpt_read(chk, &d), JET_errSuccess);
    assert_int_equal(tfx_flip_byte(chk, (long long)(d.seq % 2) * CKPT_SLOT + 30), 0);
    assert_int_equal(tfx_env_reopen_with(&e, 1, quiet, 2), JET_errSuccess);
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_open(e.ses, e.dbid, "t", &kv), JET_errSuccess);
    assert_true(tfx_count(e.ses, kv.t) > 100);
    tfx_env_close(&e);
}

static void test_archived_generation_damaged_in_its_middle(void **state)
{
    (void)state;
    struct tfx_env e;
    char p[TFX_PATH_MAX];
    crashed_env_with_generations(&e, "damaged", 0);
    gen_path(p, sizeof p, &e, 2);
    assert_int_equal(tfx_flip_byte(p, LOG_HDR_SIZE + (TFX_LOG_KB * 1024 - LOG_HDR_SIZE) / 2), 0);
    assert_int_equal(tfx_env_reopen_with(&e, 0, quiet, 2), JET_errLogFileCorrupt);
    tfx_env_close(&e);
}

/* Rewrites (and re-seals) the file size in the header of the current generation edb.log (the
 * field at byte 44, logfmt.h); returns the size it had. */
static uint32_t set_current_header_size(const struct tfx_env *e, uint32_t file_size)
{
    char cur[TFX_PATH_MAX];
    uint8_t *buf = malloc(LOG_HDR_SIZE);
    assert_non_null(buf);
    tfx_join(cur, sizeof cur, e->dir, "edb.log");
    assert_int_equal(tfx_read_at(cur, buf, LOG_HDR_SIZE, 0), 0);
    uint32_t was = get_u32(buf + 44);
    put_u32(buf + 44, file_size);
    put_u32(buf, crc32c(0, buf + 4, LOG_HDR_SIZE - 4));
    assert_int_equal(tfx_write_at(cur, buf, LOG_HDR_SIZE, 0), 0);
    free(buf);
    return was;
}

/* A current generation whose sealed header names another size than the file has was trusted:
 * recovery then appended up to that size and made a spare generation of it (a crafted header
 * wrote gigabytes; found by fuzz/fuzz_recovery.c). Such a generation is damaged; a size the
 * engine never writes fails the header itself. */
static void test_current_generation_of_another_size_than_its_header(void **state)
{
    (void)state;
    struct tfx_env e;
    char spare[TFX_PATH_MAX];
    crashed_env_with_generations(&e, "size", 0);
    tfx_join(spare, sizeof spare, e.dir, "edbtmp.log");
    remove(spare);
    char cur[TFX_PATH_MAX];
    tfx_join(cur, sizeof cur, e.dir, "edb.log");
    uint32_t own = set_current_header_size(&e, LOG_SIZE_MAX_KB * 1024u);
    assert_int_equal(own, tfx_file_size(cur));
    assert_int_equal(tfx_env_reopen_with(&e, 0, quiet, 2), JET_errLogFileCorrupt);
    assert_true(!tfx_exists(spare) || tfx_file_size(spare) <= TFX_LOG_KB * 1024);
    set_current_header_size(&e, 0xFFFFF000u);
    assert_int_equal(tfx_env_reopen_with(&e, 0, quiet, 2), JET_errLogFileCorrupt);
    /* its own size back: the same log set recovers */
    set_current_header_size(&e, own);
    assert_int_equal(tfx_env_reopen_with(&e, 1, quiet, 2), JET_errSuccess);
    tfx_env_close(&e);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup_db, tfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_torn_page_write_heals_by_redo),
        T(test_torn_log_tail_is_the_end_of_the_log),
        T(test_flipped_byte_on_disk_fails_verification),
        T(test_corrupting_read_fails_verification_once),
        T(test_delay_fault_slows_the_call_and_hides_no_other_fault),
        cmocka_unit_test(test_missing_middle_generation),
        cmocka_unit_test(test_generation_of_another_log_set),
        cmocka_unit_test(test_checkpoint_copies),
        cmocka_unit_test(test_one_damaged_checkpoint_copy_is_survived),
        cmocka_unit_test(test_archived_generation_damaged_in_its_middle),
        cmocka_unit_test(test_current_generation_of_another_size_than_its_header),
    };
#undef T
    return cmocka_run_group_tests_name("torn", tests, NULL, NULL);
}
