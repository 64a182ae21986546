/*
 * test_backup_end.c — how a backup ends (spec/backup-api.md, "How the end call decides"): every row
 * of the outcome table with its code, event and header fields; every code JetEndExternalBackup's
 * documentation lists that one process can provoke (the entry gate: not initialised, stop service,
 * unavailable instance, term in progress, restore in progress); JetStopBackup; and the interactions
 * of a running backup with JetTerm, attach/detach/create and circular logging. The mode codes
 * (-1080, -1081) are in test_backup_modes.c (they need a process each).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

struct tc {
    struct bk_env e;
    struct bk_events *ev;
    char bk[BK_PATH];
    uint32_t next;
};

static int setup_with(void **state, const struct bk_opts *o, int write)
{
    struct tc *t = calloc(1, sizeof *t);
    if (!t) return -1;
    t->ev = bk_events_start();
    JET_ERR err = bk_env_open(&t->e, "end", o);
    t->next = 1;
    if (err >= 0 && write) err = bk_write_gens(&t->e, 1, 2, &t->next);
    bk_join(t->bk, sizeof t->bk, t->e.root, "bk");
    if (err < 0 || bk_mkdir(t->bk) != 0) {
        fprintf(stderr, "setup failed: %s\n", JetXErrorName(err));
        bk_env_close(&t->e);
        bk_events_stop(t->ev);
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, NULL, 1);
}

static int setup_uninitialised(void **state)
{
    struct bk_opts o = {.no_init = 1};
    return setup_with(state, &o, 0);
}

static int setup_circular(void **state)
{
    struct bk_opts o = {.circular = 1, .ckpt_depth = 64 * 1024};
    return setup_with(state, &o, 1);
}

static int teardown(void **state)
{
    struct tc *t = *state;
    if (t) {
        bk_env_close(&t->e);
        bk_events_stop(t->ev);
        free(t);
    }
    return 0;
}

/* ---- helpers
 * ------------------------------------------------------------------------------------- */
static unsigned long backup_phase(struct tc *t)
{
    JET_XBACKUPINFO *bi = calloc(1, sizeof *bi);
    assert_non_null(bi);
    BK_OK(JetXGetBackupInfo(t->e.inst, bi));
    unsigned long p = bi->phase;
    free(bi);
    return p;
}

static void copy_db(struct tc *t)
{
    char dest[BK_PATH];
    bk_join(dest, sizeof dest, t->bk, BK_DB_FILE);
    BK_OK(bk_copy_seq(t->e.inst, t->e.dbpath, dest, 64 * 1024, NULL));
}

/* The log call and a copy of every listed log; li filled. */
static void copy_logs(struct tc *t, JET_LOGINFO *li)
{
    char szz[16384], dest[BK_PATH];
    unsigned long cb;
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    assert_non_null(list);
    memset(li, 0, sizeof *li);
    li->cbSize = sizeof *li;
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, li));
    int n = bk_szz_split(szz, list, 64);
    for (int i = 0; i < n; i++) {
        bk_join(dest, sizeof dest, t->bk, bk_basename(list[i]));
        BK_OK(bk_copy_seq(t->e.inst, list[i], dest, 32 * 1024, NULL));
    }
    free(list);
}

/* Everything up to the end call: begin, databases (full), logs, truncation when asked. */
static void run_until_end(struct tc *t, JET_GRBIT begin, int truncate, JET_LOGINFO *li)
{
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, begin));
    if (!(begin & JET_bitBackupIncremental)) copy_db(t);
    copy_logs(t, li);
    if (truncate) BK_OK(JetTruncateLogInstance(t->e.inst));
}

static void header(struct tc *t, JET_DBINFOMISC4 *h)
{
    BK_OK(bk_header(t->e.dbpath, h));
}

static int bkinfo_equal(const JET_BKINFO *a, const JET_BKINFO *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static int bkinfo_empty(const JET_BKINFO *a)
{
    JET_BKINFO z;
    memset(&z, 0, sizeof z);
    return bkinfo_equal(a, &z);
}

static void assert_bkinfo_covers(const JET_BKINFO *b, const JET_LOGINFO *li)
{
    assert_int_equal(b->genLow, li->ulGenLow);
    assert_int_equal(b->genHigh, li->ulGenHigh);
    assert_true(b->lgposMark.lGeneration >= (long)li->ulGenLow);
    assert_true(b->lgposMark.lGeneration <= (long)li->ulGenHigh);
    assert_true(b->logtimeMark.bYear > 100); /* a real time: after 2000 */
}

/* More transactions, so a following backup covers new generations. */
static void more(struct tc *t)
{
    uint32_t next = 0;
    BK_OK(bk_write_gens(&t->e, t->next, 1, &next));
    t->next = next;
}

/* ---- outcome rows
 * -------------------------------------------------------------------------------- */
static void test_end_without_backup_is_no_backup(void **state)
{
    struct tc *t = *state;
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errNoBackup);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndNormal), JET_errNoBackup);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), JET_errNoBackup);
    /* A finished backup is no backup either. */
    JET_LOGINFO li;
    run_until_end(t, 0, 1, &li);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errNoBackup);
}

static void test_end_with_bad_grbit_is_invalid_parameter(void **state)
{
    struct tc *t = *state;
    const JET_GRBIT bad[] = {0,
                             JET_bitBackupEndNormal | JET_bitBackupEndAbort,
                             JET_bitBackupTruncateDone,
                             0x4,
                             JET_bitBackupEndNormal | 0x4,
                             JET_bitBackupEndNormal | JET_bitBackupNoDbHeaderUpdate,
                             JET_bitBackupEndAbort | 0x80000000ul};
    JET_LOGINFO li;
    run_until_end(t, 0, 0, &li);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        BK_EQ(JetEndExternalBackupInstance2(t->e.inst, bad[i]), JET_errInvalidParameter);
        assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_LOGS); /* still running */
    }
    BK_OK(JetEndExternalBackupInstance2(t->e.inst,
                                        JET_bitBackupEndNormal | JET_bitBackupTruncateDone));
}

static void test_end_abort_is_abort_by_caller_215_without_header_update(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 before, after;
    JET_LOGINFO li;
    header(t, &before);
    run_until_end(t, 0, 1, &li); /* even a complete, truncated backup */
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
    assert_int_equal(bk_events_since(t->ev, m, 215), 1);
    assert_int_equal(bk_events_err(t->ev, m, 215), errBackupAbortByCaller);
    assert_int_equal(bk_events_since(t->ev, m, 213), 0);
    header(t, &after);
    assert_true(bkinfo_equal(&before.bkinfoFullPrev, &after.bkinfoFullPrev));
    assert_true(bkinfo_empty(&after.bkinfoFullPrev));
    assert_true(bkinfo_empty(&after.bkinfoCopyPrev));
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_NONE);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0)); /* the next one can begin */
}

static void test_end_normal_before_log_call_is_abort_by_caller(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), errBackupAbortByCaller);
    assert_int_equal(bk_events_since(t->ev, m, 215), 1);
    header(t, &h);
    assert_true(bkinfo_empty(&h.bkinfoFullPrev));
    assert_true(bkinfo_empty(&h.bkinfoCopyPrev));
    /* The same for an incremental backup ended before its log call. */
    JET_LOGINFO li;
    run_until_end(t, 0, 1, &li);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    header(t, &h);
    JET_BKINFO full = h.bkinfoFullPrev;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental));
    m = bk_events_mark(t->ev);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndNormal), errBackupAbortByCaller);
    assert_int_equal(bk_events_since(t->ev, m, 215), 1);
    header(t, &h);
    assert_true(bkinfo_equal(&full, &h.bkinfoFullPrev));
    assert_true(bkinfo_empty(&h.bkinfoIncPrev));
    assert_true(bkinfo_empty(&h.bkinfoDiffPrev));
}

static void test_end_after_stop_is_abort_by_server_226(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    JET_LOGINFO li;
    run_until_end(t, 0, 1, &li);
    BK_OK(JetStopBackupInstance(t->e.inst));
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errBackupAbortByServer);
    assert_int_equal(bk_events_since(t->ev, m, 226), 1);
    assert_int_equal(bk_events_err(t->ev, m, 226), JET_errBackupAbortByServer);
    assert_int_equal(bk_events_since(t->ev, m, 213), 0);
    header(t, &h);
    assert_true(bkinfo_empty(&h.bkinfoFullPrev));
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_NONE);
    /* Stopped before the log call: still the server's abort. */
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndNormal),
          JET_errBackupAbortByServer);
}

static void test_end_abort_after_stop_is_abort_by_caller(void **state)
{
    struct tc *t = *state;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetStopBackupInstance(t->e.inst));
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
    assert_int_equal(bk_events_since(t->ev, m, 215), 1);
    assert_int_equal(bk_events_since(t->ev, m, 226), 0);
}

static void test_end_full_truncated_records_full_backup_213(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    JET_LOGINFO li, inc, diff;
    /* Give the header an incremental and a differential first: a full backup clears both. */
    run_until_end(t, 0, 1, &li);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    more(t);
    run_until_end(t, JET_bitBackupIncremental, 1, &inc);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    more(t);
    run_until_end(t, JET_bitBackupIncremental, 0, &diff);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    header(t, &h);
    assert_false(bkinfo_empty(&h.bkinfoIncPrev));
    assert_false(bkinfo_empty(&h.bkinfoDiffPrev));
    more(t);
    run_until_end(t, 0, 1, &li);
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    assert_int_equal(bk_events_since(t->ev, m, 213), 1);
    header(t, &h);
    assert_bkinfo_covers(&h.bkinfoFullPrev, &li);
    assert_true(bkinfo_empty(&h.bkinfoIncPrev));
    assert_true(bkinfo_empty(&h.bkinfoDiffPrev));
    assert_true(bkinfo_empty(&h.bkinfoCopyPrev));
}

static void test_end_full_with_truncate_done_records_full_backup(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    JET_LOGINFO li;
    run_until_end(t, 0, 0, &li); /* the client truncated on its own */
    BK_OK(JetEndExternalBackupInstance2(t->e.inst,
                                        JET_bitBackupEndNormal | JET_bitBackupTruncateDone));
    header(t, &h);
    assert_bkinfo_covers(&h.bkinfoFullPrev, &li);
    assert_true(bkinfo_empty(&h.bkinfoCopyPrev));
}

static void test_end_full_not_truncated_records_copy_backup(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    JET_LOGINFO full, inc, copy;
    run_until_end(t, 0, 1, &full);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    more(t);
    run_until_end(t, JET_bitBackupIncremental, 1, &inc);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    header(t, &h);
    JET_BKINFO full_before = h.bkinfoFullPrev, inc_before = h.bkinfoIncPrev;
    more(t);
    run_until_end(t, 0, 0, &copy);
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    assert_int_equal(bk_events_since(t->ev, m, 213), 1);
    header(t, &h);
    assert_bkinfo_covers(&h.bkinfoCopyPrev, &copy);
    /* A copy neither resets nor satisfies the incremental chain. */
    assert_true(bkinfo_equal(&h.bkinfoFullPrev, &full_before));
    assert_true(bkinfo_equal(&h.bkinfoIncPrev, &inc_before));
}

static void test_end_incremental_truncated_records_incremental(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    JET_LOGINFO full, inc;
    run_until_end(t, 0, 1, &full);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    more(t);
    run_until_end(t, JET_bitBackupIncremental, 1, &inc);
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    assert_int_equal(bk_events_since(t->ev, m, 213), 1);
    header(t, &h);
    assert_bkinfo_covers(&h.bkinfoIncPrev, &inc);
    assert_bkinfo_covers(&h.bkinfoFullPrev, &full);
    assert_true(bkinfo_empty(&h.bkinfoDiffPrev));
}

static void test_end_incremental_not_truncated_records_differential(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    JET_LOGINFO full, diff;
    run_until_end(t, 0, 1, &full);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    more(t);
    run_until_end(t, JET_bitBackupIncremental, 0, &diff);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    header(t, &h);
    assert_bkinfo_covers(&h.bkinfoDiffPrev, &diff);
    assert_bkinfo_covers(&h.bkinfoFullPrev, &full);
    assert_true(bkinfo_empty(&h.bkinfoIncPrev));
    /* With the TruncateDone bit it counts as truncated: an incremental. */
    more(t);
    JET_LOGINFO inc;
    run_until_end(t, JET_bitBackupIncremental, 0, &inc);
    BK_OK(JetEndExternalBackupInstance2(t->e.inst,
                                        JET_bitBackupEndNormal | JET_bitBackupTruncateDone));
    header(t, &h);
    assert_bkinfo_covers(&h.bkinfoIncPrev, &inc);
}

static void test_end_full_does_not_record_database_not_read_to_end(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    JET_LOGINFO li;
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t *buf = malloc(3 * BK_PAGE);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE, &got));
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    copy_logs(t, &li);
    BK_OK(JetTruncateLogInstance(t->e.inst));
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    assert_int_equal(bk_events_since(t->ev, m, 213), 1);
    header(t, &h);
    assert_true(bkinfo_empty(&h.bkinfoFullPrev));
    assert_true(bkinfo_empty(&h.bkinfoCopyPrev));
    free(buf);
}

/* ---- entry gate of the end call
 * ------------------------------------------------------------------ */
static void test_end_on_instance_not_initialised(void **state)
{
    struct tc *t = *state;
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errNotInitialized);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), JET_errNotInitialized);
    BK_EQ(JetStopBackupInstance(t->e.inst), JET_errNotInitialized);
}

static void test_end_after_stop_service(void **state)
{
    struct tc *t = *state;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetStopServiceInstance(t->e.inst));
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errClientRequestToStopJetService);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort),
          JET_errClientRequestToStopJetService);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errClientRequestToStopJetService);
    /* JetTerm still works (it stops the backup). */
    t->e.ses = 0;
    BK_OK(bk_env_term(&t->e, JET_bitTermStopBackup));
}

static void test_end_on_unavailable_instance(void **state)
{
    struct tc *t = *state;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    /* The log can no longer be made durable: the commit fails and the instance is unusable. */
    JET_XFAULT f = {.op = JET_XFAULT_FSYNC,
                    .mode = JET_XFAULT_FAIL,
                    .szPathContains = t->e.dir,
                    .errnoValue = EIO};
    BK_OK(JetXFaultSet(&f));
    uint8_t *buf = malloc(BK_VALUE_MAX);
    JET_ERR err = bk_txn_write(t->e.ses, &t->e.kv, t->next, buf);
    free(buf);
    assert_true(err < 0);
    JetXFaultClear();
    JET_XINSTANCEINFO info;
    BK_OK(JetXGetInstanceInfo(t->e.inst, &info));
    assert_int_equal(info.fUnavailable, 1);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errInstanceUnavailable);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort),
          JET_errInstanceUnavailable);
    char szz[4096];
    unsigned long cb;
    BK_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errInstanceUnavailable);
}

struct term_arg {
    JET_INSTANCE inst;
    JET_GRBIT grbit;
    JET_ERR err;
};

static void *term_thread(void *p)
{
    struct term_arg *a = p;
    a->err = JetTerm2(a->inst, a->grbit);
    return NULL;
}

static void test_end_while_term_runs_is_term_in_progress(void **state)
{
    struct tc *t = *state;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetEndSession(t->e.ses, 0));
    t->e.ses = 0;
    JET_XFAULT f = {.op = JET_XFAULT_TERM_PAUSE};
    unsigned long hits = JetXFaultHits();
    BK_OK(JetXFaultSet(&f));
    struct term_arg a = {t->e.inst, JET_bitTermStopBackup, 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, term_thread, &a), 0);
    double until = bk_now() + 10;
    while (JetXFaultHits() <= hits && bk_now() < until)
        bk_sleep_ms(1);
    assert_true(JetXFaultHits() > hits);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errTermInProgress);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), JET_errTermInProgress);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errTermInProgress);
    JetXFaultResume();
    pthread_join(th, NULL);
    BK_OK(a.err);
    t->e.inst = 0;
    t->e.running = 0;
}

/* The status callback of a restore has no context argument: the test's handshake lives here. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered, release;
} g_hold = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static JET_ERR hold_status(JET_SESID ses, JET_SNP snp, JET_SNT snt, void *pv)
{
    if (snp == JET_snpRestore && snt == JET_sntBegin) {
        pthread_mutex_lock(&g_hold.mu);
        g_hold.entered = 1;
        pthread_cond_broadcast(&g_hold.cv);
        while (!g_hold.release)
            pthread_cond_wait(&g_hold.cv, &g_hold.mu);
        pthread_mutex_unlock(&g_hold.mu);
    }
    return JET_errSuccess;
}

struct restore_arg {
    char bkdir[BK_PATH], target[64], logdir[BK_PATH];
    JET_ERR err;
};

static void *restore_thread(void *p)
{
    struct restore_arg *a = p;
    JET_LOGINFO li = {sizeof li, 1, 1, "edb"};
    JET_RSTMAP map = {(char *)"/nonexistent/test.edb", (char *)"/nonexistent/copy.edb"};
    a->err = JetExternalRestore2(a->logdir, a->logdir, &map, 1, a->bkdir, &li, a->target, NULL,
                                 NULL, hold_status);
    return NULL;
}

static void test_end_while_restore_targets_instance_is_restore_in_progress(void **state)
{
    struct tc *t = *state;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    struct restore_arg a;
    memset(&a, 0, sizeof a);
    snprintf(a.bkdir, sizeof a.bkdir, "%s", t->bk); /* empty: the restore fails after the hold */
    snprintf(a.target, sizeof a.target, "%s", t->e.name);
    bk_join(a.logdir, sizeof a.logdir, t->e.root, "rlogs");
    pthread_mutex_lock(&g_hold.mu);
    g_hold.entered = g_hold.release = 0;
    pthread_mutex_unlock(&g_hold.mu);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, restore_thread, &a), 0);
    pthread_mutex_lock(&g_hold.mu);
    while (!g_hold.entered)
        pthread_cond_wait(&g_hold.cv, &g_hold.mu);
    pthread_mutex_unlock(&g_hold.mu);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errRestoreInProgress);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort),
          JET_errRestoreInProgress);
    pthread_mutex_lock(&g_hold.mu);
    g_hold.release = 1;
    pthread_cond_broadcast(&g_hold.cv);
    pthread_mutex_unlock(&g_hold.mu);
    pthread_join(th, NULL);
    BK_EQ(a.err, JET_errMissingRestoreLogFiles);
    /* The restore is over: the instance is usable again and its backup still there. */
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), errBackupAbortByCaller);
}

/* ---- JetStopBackup
 * ------------------------------------------------------------------------------- */
static void test_stop_without_backup_succeeds_and_next_begin_clears_it(void **state)
{
    struct tc *t = *state;
    char szz[4096];
    unsigned long cb;
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb));
    JET_LOGINFO li;
    copy_db(t);
    copy_logs(t, &li);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
}

static void test_stop_makes_every_call_but_close_and_end_abort_by_server(void **state)
{
    struct tc *t = *state;
    char szz[4096];
    unsigned long cb, lo, hi, got;
    JET_HANDLE hf, hf2;
    uint8_t *buf = malloc(3 * BK_PAGE);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_EQ(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errBackupAbortByServer);
    BK_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf2, &lo, &hi), JET_errBackupAbortByServer);
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE, &got), JET_errBackupAbortByServer);
    BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, buf, BK_PAGE, &got),
          JET_errBackupAbortByServer);
    BK_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errBackupAbortByServer);
    BK_EQ(JetGetTruncateLogInfoInstance(t->e.inst, szz, sizeof szz, &cb),
          JET_errBackupAbortByServer);
    BK_EQ(JetTruncateLogInstance(t->e.inst), JET_errBackupAbortByServer);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errBackupInProgress);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    JET_XBACKUPINFO *bi = calloc(1, sizeof *bi);
    BK_OK(JetXGetBackupInfo(t->e.inst, bi));
    assert_int_equal(bi->fStopped, 1);
    free(bi);
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errBackupAbortByServer);
    assert_int_equal(bk_events_since(t->ev, m, 226), 1);
    free(buf);
}

/* ---- interactions
 * -------------------------------------------------------------------------------- */
static void test_term_during_backup_is_backup_in_progress(void **state)
{
    struct tc *t = *state;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetTerm(t->e.inst), JET_errBackupInProgress);
    BK_EQ(JetTerm2(t->e.inst, JET_bitTermComplete), JET_errBackupInProgress);
    /* Nothing was torn down: the backup completes. */
    JET_LOGINFO li;
    copy_db(t);
    copy_logs(t, &li);
    BK_OK(JetTruncateLogInstance(t->e.inst));
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
}

static void test_term_with_stop_backup_or_abrupt_ends_it_aborted_by_server_226(void **state)
{
    struct tc *t = *state;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    size_t m = bk_events_mark(t->ev);
    BK_OK(bk_env_term(&t->e, JET_bitTermStopBackup));
    assert_int_equal(bk_events_since(t->ev, m, 226), 1);
    assert_int_equal(bk_events_err(t->ev, m, 226), JET_errBackupAbortByServer);
    assert_int_equal(bk_events_since(t->ev, m, 213), 0);
    JET_DBINFOMISC4 h;
    header(t, &h);
    assert_true(bkinfo_empty(&h.bkinfoFullPrev));
    /* Again with JET_bitTermAbrupt, after the log call. */
    BK_OK(bk_env_reopen(&t->e));
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    JET_LOGINFO li;
    copy_logs(t, &li);
    m = bk_events_mark(t->ev);
    BK_OK(bk_env_term(&t->e, JET_bitTermAbrupt));
    assert_int_equal(bk_events_since(t->ev, m, 226), 1);
    /* After recovery the instance runs and backs up normally. */
    BK_OK(bk_env_reopen(&t->e));
    struct bk_run r = {.truncate = 1};
    BK_OK(bk_backup_seq(t->e.inst, t->bk, &r));
}

static void test_attach_detach_create_during_backup_are_backup_in_progress(void **state)
{
    struct tc *t = *state;
    char other[BK_PATH], third[BK_PATH];
    JET_DBID db2;
    bk_join(other, sizeof other, t->e.dir, "other.edb");
    bk_join(third, sizeof third, t->e.dir, "third.edb");
    BK_OK(JetCreateDatabase(t->e.ses, other, NULL, &db2, 0));
    BK_OK(JetCloseDatabase(t->e.ses, db2, 0));
    BK_OK(JetDetachDatabase(t->e.ses, other));
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetAttachDatabase(t->e.ses, other, 0), JET_errBackupInProgress);
    BK_EQ(JetCreateDatabase(t->e.ses, third, NULL, &db2, 0), JET_errBackupInProgress);
    assert_false(bk_exists(third));
    BK_EQ(JetDetachDatabase(t->e.ses, t->e.dbpath), JET_errBackupInProgress);
    /* Commits go on during a backup. */
    BK_OK(bk_write_txns(&t->e, t->next, t->next + 3));
    t->next += 4;
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
    BK_OK(JetAttachDatabase(t->e.ses, other, 0));
    BK_OK(JetCreateDatabase(t->e.ses, third, NULL, &db2, 0));
}

static void test_circular_logging_deletes_no_pinned_log(void **state)
{
    struct tc *t = *state;
    char path[BK_PATH];
    uint32_t next = t->next;
    JET_LOGINFO li;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    unsigned long ck0 = bk_checkpoint_gen(t->e.inst); /* the backup starts at or before this one */
    copy_db(t);
    /* Checkpoints move far ahead while the backup runs. */
    BK_OK(bk_write_gens(&t->e, next, 8, &next));
    double until = bk_now() + 10;
    while (bk_checkpoint_gen(t->e.inst) < bk_current_gen(t->e.inst) - 1 && bk_now() < until) {
        BK_OK(bk_write_txns(&t->e, next, next));
        next++;
        bk_sleep_ms(50);
    }
    assert_true(bk_checkpoint_gen(t->e.inst) > ck0 + 3);
    copy_logs(t, &li); /* every listed generation is there and verifies */
    assert_true(li.ulGenLow <= ck0 || ck0 == 0);
    for (unsigned long g = li.ulGenLow; g <= li.ulGenHigh; g++) {
        bk_log_name(path, sizeof path, t->e.dir, g);
        assert_true(bk_exists(path));
    }
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    /* Unpinned, the old generations are recycled by the next checkpoints. */
    until = bk_now() + 10;
    int gone = 0;
    while (!gone && bk_now() < until) {
        BK_OK(bk_write_gens(&t->e, next, 1, &next));
        bk_log_name(path, sizeof path, t->e.dir, li.ulGenLow);
        gone = !bk_exists(path);
    }
    assert_true(gone);
    t->next = next;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_end_without_backup_is_no_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_with_bad_grbit_is_invalid_parameter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_abort_is_abort_by_caller_215_without_header_update,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_normal_before_log_call_is_abort_by_caller, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_after_stop_is_abort_by_server_226, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_abort_after_stop_is_abort_by_caller, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_full_truncated_records_full_backup_213, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_full_with_truncate_done_records_full_backup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_full_not_truncated_records_copy_backup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_incremental_truncated_records_incremental, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_incremental_not_truncated_records_differential,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_full_does_not_record_database_not_read_to_end,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_on_instance_not_initialised, setup_uninitialised,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_end_after_stop_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_on_unavailable_instance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_while_term_runs_is_term_in_progress, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_end_while_restore_targets_instance_is_restore_in_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_without_backup_succeeds_and_next_begin_clears_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_stop_makes_every_call_but_close_and_end_abort_by_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_term_during_backup_is_backup_in_progress, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_term_with_stop_backup_or_abrupt_ends_it_aborted_by_server_226, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_attach_detach_create_during_backup_are_backup_in_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_circular_logging_deletes_no_pinned_log, setup_circular,
                                        teardown),
    };
    return cmocka_run_group_tests_name("backup_end", tests, NULL, NULL);
}
