/*
 * test_backup_api.c — every return code of the external backup calls from JetBeginExternalBackup
 * to JetTruncateLog (spec/backup-api.md, "The calls"), each provoked for real on a live instance,
 * with the events the contract ties to it. The end call, the stop flag, the entry gate and the
 * interactions with term/attach are in test_backup_end.c; process-wide modes in
 * test_backup_modes.c.
 *
 * Each test starts an instance in its own temporary directory with 128 KiB logs, a database with
 * a few transactions (bk_fixture.h), and records every engine event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

struct tc {
    struct bk_env e;
    struct bk_events *ev;
    char bk[BK_PATH]; /* where backup copies go */
    uint32_t next;    /* next free transaction number */
};

static int setup_with(void **state, const struct bk_opts *o, uint32_t txns)
{
    struct tc *t = calloc(1, sizeof *t);
    if (!t) return -1;
    t->ev = bk_events_start();
    JET_ERR err = bk_env_open(&t->e, "api", o);
    t->next = 1;
    /* Some transactions, over at least two generations (archived logs exist). */
    if (err >= 0 && txns) err = bk_write_gens(&t->e, 1, 2, &t->next);
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
    return setup_with(state, NULL, 30);
}

static int setup_circular(void **state)
{
    struct bk_opts o = {.circular = 1, .ckpt_depth = 64 * 1024};
    return setup_with(state, &o, 30);
}

static int setup_recovery_off(void **state)
{
    struct bk_opts o = {.recovery_off = 1, .no_db = 1};
    return setup_with(state, &o, 0);
}

static int setup_uninitialised(void **state)
{
    struct bk_opts o = {.no_init = 1};
    return setup_with(state, &o, 0);
}

static int setup_fast_checkpoints(void **state)
{
    struct bk_opts o = {.ckpt_depth = 64 * 1024};
    return setup_with(state, &o, 30);
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
static JET_XBACKUPINFO *backup_info(struct tc *t)
{
    JET_XBACKUPINFO *bi = calloc(1, sizeof *bi);
    assert_non_null(bi);
    BK_OK(JetXGetBackupInfo(t->e.inst, bi));
    return bi;
}

static unsigned long backup_phase(struct tc *t)
{
    JET_XBACKUPINFO *bi = backup_info(t);
    unsigned long p = bi->phase;
    free(bi);
    return p;
}

static void dest_of(struct tc *t, const char *name, char *out)
{
    bk_join(out, BK_PATH, t->bk, bk_basename(name));
}

static void copy_db(struct tc *t)
{
    char dest[BK_PATH];
    dest_of(t, t->e.dbpath, dest);
    BK_OK(bk_copy_seq(t->e.inst, t->e.dbpath, dest, 64 * 1024, NULL));
}

/* JetGetLogInfoInstance2 into list; returns the count. */
static int log_call(struct tc *t, JET_LOGINFO *li, char (*list)[BK_PATH])
{
    char szz[16384];
    unsigned long cb = 0;
    memset(li, 0, sizeof *li);
    li->cbSize = sizeof *li;
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, li));
    assert_true(cb <= sizeof szz);
    return bk_szz_split(szz, list, 64);
}

static void copy_logs(struct tc *t, char (*list)[BK_PATH], int n)
{
    char dest[BK_PATH];
    for (int i = 0; i < n; i++) {
        dest_of(t, list[i], dest);
        BK_OK(bk_copy_seq(t->e.inst, list[i], dest, 32 * 1024, NULL));
    }
}

static char (*new_list(void))[BK_PATH]
{
    char(*l)[BK_PATH] = calloc(64, BK_PATH);
    assert_non_null(l);
    return l;
}

/* The backup is gone: every call of it says JET_errNoBackup and a new one can begin. */
static void assert_backup_torn_down(struct tc *t)
{
    char szz[4096];
    unsigned long cb;
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_NONE);
    BK_EQ(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errNoBackup);
    BK_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errNoBackup);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errNoBackup);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
}

/* A full backup, truncated and ended normally: gives the databases a previous full backup. */
static void full_backup(struct tc *t)
{
    struct bk_run r = {.truncate = 1};
    BK_OK(bk_backup_seq(t->e.inst, t->bk, &r));
}

struct init_arg {
    JET_INSTANCE inst;
    JET_ERR err;
};

static void *init_thread(void *p)
{
    struct init_arg *a = p;
    a->err = JetInit(&a->inst);
    return NULL;
}

static void wait_fault_hits(unsigned long above)
{
    double until = bk_now() + 10;
    while (JetXFaultHits() <= above && bk_now() < until)
        bk_sleep_ms(1);
    assert_true(JetXFaultHits() > above);
}

/* ---- JetBeginExternalBackup
 * ---------------------------------------------------------------------- */
static void test_begin_refuses_every_other_grbit(void **state)
{
    struct tc *t = *state;
    const JET_GRBIT bad[] = {JET_bitBackupAtomic,
                             JET_bitBackupSnapshot,
                             0x2,
                             JET_bitBackupFullWithAllLogs,
                             JET_bitBackupSurrogate,
                             0x40,
                             0x100,
                             0x80000000ul,
                             JET_bitBackupIncremental | JET_bitBackupAtomic,
                             JET_bitBackupIncremental | JET_bitBackupSnapshot};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        BK_EQ(JetBeginExternalBackupInstance(t->e.inst, bad[i]), JET_errInvalidGrbit);
        assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_NONE);
    }
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_DATABASE);
}

static void test_begin_not_allowed_while_init_runs(void **state)
{
    struct tc *t = *state;
    JET_XFAULT f = {.op = JET_XFAULT_INIT_PAUSE};
    struct init_arg a = {t->e.inst, 1};
    pthread_t th;
    unsigned long hits = JetXFaultHits();
    BK_OK(JetXFaultSet(&f));
    assert_int_equal(pthread_create(&th, NULL, init_thread, &a), 0);
    wait_fault_hits(hits);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errBackupNotAllowedYet);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental),
          JET_errBackupNotAllowedYet);
    JetXFaultResume();
    pthread_join(th, NULL);
    BK_OK(a.err);
    t->e.running = 1;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
}

static void test_begin_refused_when_logging_disabled(void **state)
{
    struct tc *t = *state;
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errLoggingDisabled);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental),
          JET_errLoggingDisabled);
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_NONE);
}

static void test_begin_incremental_with_circular_logging_is_invalid(void **state)
{
    struct tc *t = *state;
    full_backup(t); /* a full backup is allowed with circular logging */
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental),
          JET_errInvalidBackup);
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_NONE);
}

static void test_begin_while_one_runs_is_in_progress(void **state)
{
    struct tc *t = *state;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errBackupInProgress);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental),
          JET_errBackupInProgress);
    /* The first backup is untouched and completes. */
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    copy_db(t);
    int n = log_call(t, &li, list);
    copy_logs(t, list, n);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    free(list);
}

static void test_begin_incremental_without_full_backup_206(void **state)
{
    struct tc *t = *state;
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental),
          JET_errMissingFullBackup);
    assert_int_equal(bk_events_since(t->ev, m, 206), 1);
    assert_int_equal(bk_events_err(t->ev, m, 206), JET_errMissingFullBackup);
    assert_int_equal(bk_events_since(t->ev, m, 211), 0);
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_NONE);
    /* A copy backup does not satisfy it either; a full one does. */
    struct bk_run copy = {0};
    BK_OK(bk_backup_seq(t->e.inst, t->bk, &copy));
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental),
          JET_errMissingFullBackup);
    full_backup(t);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental));
}

static void test_begin_logs_210_full_and_211_incremental(void **state)
{
    struct tc *t = *state;
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetXBeginExternalBackupInstance(t->e.inst, 0, 4242));
    assert_int_equal(bk_events_since(t->ev, m, 210), 1);
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_int_equal(bi->ullBackupId, 4242);
    assert_int_equal(bi->fIncremental, 0);
    free(bi);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
    full_backup(t);
    m = bk_events_mark(t->ev);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental));
    assert_int_equal(bk_events_since(t->ev, m, 211), 1);
    assert_int_equal(bk_events_since(t->ev, m, 210), 0);
    bi = backup_info(t);
    assert_int_equal(bi->fIncremental, 1);
    assert_int_equal(bi->cFiles, 0); /* no database in an incremental backup */
    free(bi);
}

/* ---- JetGetAttachInfo
 * ---------------------------------------------------------------------------- */
static void test_attach_info_without_backup(void **state)
{
    struct tc *t = *state;
    char szz[4096];
    unsigned long cb;
    BK_EQ(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errNoBackup);
}

static void test_attach_info_after_stop(void **state)
{
    struct tc *t = *state;
    char szz[4096];
    unsigned long cb;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_EQ(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errBackupAbortByServer);
}

static void test_attach_info_in_incremental_is_invalid_sequence(void **state)
{
    struct tc *t = *state;
    char szz[4096];
    unsigned long cb;
    full_backup(t);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental));
    BK_EQ(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errInvalidBackupSequence);
    /* Not fatal: the incremental backup goes on. */
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_DATABASE);
}

static void test_attach_info_copies_at_most_cbmax_and_reports_needed(void **state)
{
    struct tc *t = *state;
    char szz[4096];
    unsigned long cb = 0;
    size_t need = strlen(t->e.dbpath) + 2;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetGetAttachInfoInstance(t->e.inst, NULL, 0, &cb));
    assert_int_equal(cb, need);
    memset(szz, 'x', sizeof szz);
    BK_OK(JetGetAttachInfoInstance(t->e.inst, szz, 5, &cb));
    assert_int_equal(cb, need);
    assert_memory_equal(szz, t->e.dbpath, 5);
    assert_int_equal(szz[5], 'x');
    memset(szz, 'x', sizeof szz);
    BK_OK(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb));
    assert_int_equal(cb, need);
    assert_string_equal(szz, t->e.dbpath);
    assert_int_equal(szz[need - 1], 0);
    assert_int_equal(szz[need], 'x');
}

/* ---- JetOpenFile
 * --------------------------------------------------------------------------------- */
static void test_open_without_backup(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    BK_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi), JET_errNoBackup);
}

static void test_open_after_stop(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi), JET_errBackupAbortByServer);
}

static void test_open_empty_name_is_invalid_parameter(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetOpenFileInstance(t->e.inst, "", &hf, &lo, &hi), JET_errInvalidParameter);
    BK_EQ(JetOpenFileInstance(t->e.inst, NULL, &hf, &lo, &hi), JET_errInvalidParameter);
    copy_db(t); /* the backup goes on */
}

static void test_open_second_handle_is_out_of_memory_backup_goes_on(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf, hf2;
    unsigned long lo, hi, got;
    uint8_t *buf = malloc(3 * BK_PAGE);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf2, &lo, &hi), JET_errOutOfMemory);
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE, &got));
    assert_int_equal(got, 3 * BK_PAGE);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    free(buf);
    /* The whole backup still succeeds. */
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    copy_db(t);
    int n = log_call(t, &li, list);
    copy_logs(t, list, n);
    BK_OK(JetTruncateLogInstance(t->e.inst));
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    free(list);
}

static void test_open_log_before_log_call_is_not_found(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    char log[BK_PATH];
    bk_log_name(log, sizeof log, t->e.dir, 1);
    assert_true(bk_exists(log));
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetOpenFileInstance(t->e.inst, log, &hf, &lo, &hi), JET_errDatabaseNotFound);
    BK_EQ(JetOpenFileInstance(t->e.inst, bk_basename(log), &hf, &lo, &hi), JET_errDatabaseNotFound);
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_DATABASE);
    copy_db(t);
}

static void test_open_unknown_file_is_not_found(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    char other[BK_PATH];
    bk_join(other, sizeof other, t->e.dir, "other.edb");
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetOpenFileInstance(t->e.inst, other, &hf, &lo, &hi), JET_errDatabaseNotFound);
    BK_EQ(JetOpenFileInstance(t->e.inst, "/etc/passwd", &hf, &lo, &hi), JET_errDatabaseNotFound);
    copy_db(t);
}

static void test_open_database_after_log_call_ends_backup(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    log_call(t, &li, list);
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi), JET_errInvalidBackupSequence);
    assert_int_equal(bk_events_since(t->ev, m, 214), 1);
    assert_int_equal(bk_events_err(t->ev, m, 214), JET_errInvalidBackupSequence);
    assert_backup_torn_down(t);
    free(list);
}

static void test_open_database_in_incremental_ends_backup(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    full_backup(t);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental));
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi), JET_errInvalidBackupSequence);
    assert_int_equal(bk_events_since(t->ev, m, 214), 1);
    assert_backup_torn_down(t);
}

static void test_open_missing_listed_log_ends_backup_459(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    int n = log_call(t, &li, list);
    assert_true(n >= 2);
    assert_int_equal(unlink(list[1]), 0);
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetOpenFileInstance(t->e.inst, list[1], &hf, &lo, &hi), JET_errMissingFileToBackup);
    assert_int_equal(bk_events_since(t->ev, m, 459), 1);
    assert_int_equal(bk_events_err(t->ev, m, 459), JET_errMissingFileToBackup);
    assert_int_equal(bk_events_since(t->ev, m, 214), 1);
    assert_backup_torn_down(t);
    free(list);
}

static void test_open_reports_streamed_size_and_logs_220(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo = 0, hi = 0;
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    assert_int_equal(bk_events_since(t->ev, m, 220), 1);
    unsigned long long size = ((unsigned long long)hi << 32) | lo;
    assert_int_equal(size % BK_PAGE, 0);
    assert_true(size >= 4 * BK_PAGE); /* 2 header pages, data, 1 trailer */
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_int_equal(bi->cFiles, 1);
    assert_int_equal(bi->rgFiles[0].cbSize, size);
    assert_string_equal(bi->rgFiles[0].szName, t->e.dbpath);
    free(bi);
    /* The bytes read are exactly the size announced; the copy's header says it is a backup copy. */
    char dest[BK_PATH];
    dest_of(t, t->e.dbpath, dest);
    uint8_t *buf = malloc(5 * BK_PAGE);
    FILE *out = fopen(dest, "wb");
    unsigned long got;
    unsigned long long total = 0;
    do {
        BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 5 * BK_PAGE, &got));
        assert_int_equal(fwrite(buf, 1, got, out), got);
        total += got;
    } while (got);
    fclose(out);
    free(buf);
    assert_int_equal(total, size);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    log_call(t, &li, list);
    JET_DBINFOMISC4 h;
    BK_OK(bk_header(dest, &h));
    assert_int_equal(h.dbstate, JET_dbstateDirtyShutdown);
    assert_int_equal(h.bkinfoFullCur.genLow, li.ulGenLow);
    assert_int_equal(h.bkinfoFullCur.genHigh, 0);
    free(list);
}

/* ---- JetReadFile
 * --------------------------------------------------------------------------------- */
static void test_read_without_backup(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t buf[3 * BK_PAGE];
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, sizeof buf, &got), JET_errNoBackup);
}

static void test_read_after_stop(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t buf[3 * BK_PAGE];
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, sizeof buf, &got), JET_errBackupAbortByServer);
}

static void test_read_database_size_rules(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi, got = 77;
    uint8_t *buf = malloc(4 * BK_PAGE);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 0, &got), JET_errInvalidParameter);
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE + 1, &got), JET_errInvalidParameter);
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE - 512, &got),
          JET_errInvalidParameter);
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 2 * BK_PAGE, &got),
          JET_errInvalidParameter); /* first < 3 */
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, BK_PAGE, &got), JET_errInvalidParameter);
    BK_EQ(JetReadFileInstance(t->e.inst, hf, NULL, 3 * BK_PAGE, &got), JET_errInvalidParameter);
    assert_int_equal(got, 77);
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE, &got));
    assert_int_equal(got, 3 * BK_PAGE);
    /* After the first read, one page at a time is fine; sizes must still be whole pages. */
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, BK_PAGE, &got));
    assert_int_equal(got, BK_PAGE);
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, BK_PAGE / 2, &got), JET_errInvalidParameter);
    /* To the end: then reads return 0 bytes. */
    unsigned long long total = 4 * BK_PAGE, size = ((unsigned long long)hi << 32) | lo;
    do {
        BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 4 * BK_PAGE, &got));
        total += got;
    } while (got);
    assert_int_equal(total, size);
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, BK_PAGE, &got));
    assert_int_equal(got, 0);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    free(buf);
}

static void test_read_log_size_rules(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t *buf = malloc(4 * BK_PAGE);
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    log_call(t, &li, list);
    BK_OK(JetOpenFileInstance(t->e.inst, list[0], &hf, &lo, &hi));
    assert_int_equal(((unsigned long long)hi << 32 | lo), (unsigned long long)bk_size(list[0]));
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, BK_PAGE, &got),
          JET_errInvalidParameter); /* first < 2 */
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 0, &got), JET_errInvalidParameter);
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 2 * BK_PAGE + 100, &got),
          JET_errInvalidParameter);
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 2 * BK_PAGE, &got));
    assert_int_equal(got, 2 * BK_PAGE);
    uint8_t *disk = malloc(2 * BK_PAGE);
    assert_int_equal(bk_read_at(list[0], disk, 2 * BK_PAGE, 0), 0);
    assert_memory_equal(buf, disk, 2 * BK_PAGE); /* a log streams as its own bytes */
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, BK_PAGE, &got));
    assert_int_equal(got, BK_PAGE);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    free(disk);
    free(buf);
    free(list);
}

static void test_read_bad_handle_is_invalid_parameter(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t *buf = malloc(3 * BK_PAGE);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetReadFileInstance(t->e.inst, 0x1234, buf, 3 * BK_PAGE, &got), JET_errInvalidParameter);
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_EQ(JetReadFileInstance(t->e.inst, hf + 1, buf, 3 * BK_PAGE, &got), JET_errInvalidParameter);
    BK_EQ(JetReadFileInstance(t->e.inst, 0, buf, 3 * BK_PAGE, &got), JET_errInvalidParameter);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    /* A closed handle is a bad handle. */
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE, &got), JET_errInvalidParameter);
    free(buf);
}

/* Restarts the instance so that no page of the database is cached, then damages one large-value
 * page on disk; returns its page number. */
static uint32_t damage_uncached_page(struct tc *t)
{
    BK_OK(bk_write_txns(&t->e, t->next, t->next + 40));
    t->next += 41;
    BK_OK(bk_env_term(&t->e, JET_bitTermComplete));
    long long size = bk_size(t->e.dbpath);
    uint8_t *pg = malloc(BK_PAGE);
    uint32_t victim = 0;
    for (uint32_t p = 2; (long long)(p + 1) * BK_PAGE <= size; p++) {
        assert_int_equal(bk_read_at(t->e.dbpath, pg, BK_PAGE, (long long)p * BK_PAGE), 0);
        uint32_t pgno =
            (uint32_t)pg[4] | (uint32_t)pg[5] << 8 | (uint32_t)pg[6] << 16 | (uint32_t)pg[7] << 24;
        if (pgno == p && pg[16] == 5 /* large-value page */) victim = p;
    }
    free(pg);
    assert_true(victim > 2);
    assert_int_equal(bk_flip_byte(t->e.dbpath, (long long)victim * BK_PAGE + BK_PAGE / 2), 0);
    /* Attach only: the table is never opened, so the damaged page stays on disk. */
    BK_OK(bk_env_start(&t->e));
    BK_OK(JetAttachDatabase(t->e.ses, t->e.dbpath, 0));
    return victim;
}

static void test_read_database_page_failing_verification_217(void **state)
{
    struct tc *t = *state;
    damage_uncached_page(t);
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t *buf = malloc(8 * BK_PAGE);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    size_t m = bk_events_mark(t->ev);
    JET_ERR err;
    do
        err = JetReadFileInstance(t->e.inst, hf, buf, 8 * BK_PAGE, &got);
    while (err >= 0 && got > 0);
    BK_EQ(err, JET_errReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 217), 1);
    assert_int_equal(bk_events_err(t->ev, m, 217), JET_errReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 222), 1);
    assert_int_equal(bk_events_since(t->ev, m, 214), 0);
    /* Its handle is closed, the database is failed, the backup goes on. */
    BK_EQ(JetReadFileInstance(t->e.inst, hf, buf, 8 * BK_PAGE, &got), JET_errInvalidParameter);
    BK_EQ(JetCloseFileInstance(t->e.inst, hf), JET_errInvalidParameter);
    BK_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi), JET_errReadVerifyFailure);
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_int_equal(bi->rgFiles[0].fFailed, 1);
    assert_int_equal(bi->rgFiles[0].fComplete, 0);
    free(bi);
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    int n = log_call(t, &li, list);
    copy_logs(t, list, n);
    m = bk_events_mark(t->ev);
    BK_OK(JetTruncateLogInstance(t->e.inst));
    assert_int_equal(bk_events_since(t->ev, m, 225), 1); /* nothing goes: no full backup of it */
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    /* The end does not record the failed database. */
    JET_DBINFOMISC4 h;
    BK_OK(bk_header(t->e.dbpath, &h));
    assert_int_equal(h.bkinfoFullPrev.genHigh, 0);
    assert_int_equal(h.bkinfoCopyPrev.genHigh, 0);
    free(list);
    free(buf);
}

static void test_read_log_failing_verification_ends_backup_218(void **state)
{
    struct tc *t = *state;
    uint32_t next = 0;
    BK_OK(bk_write_gens(&t->e, t->next, 1, &next)); /* a generation with records past 64 KiB */
    t->next = next;
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t *buf = malloc(2 * BK_PAGE);
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    int n = log_call(t, &li, list);
    const char *victim = list[n - 2];
    BK_OK(JetOpenFileInstance(t->e.inst, victim, &hf, &lo, &hi));
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 2 * BK_PAGE, &got));
    assert_int_equal(bk_flip_byte(victim, 64 * 1024 + 100), 0);
    size_t m = bk_events_mark(t->ev);
    JET_ERR err;
    do
        err = JetReadFileInstance(t->e.inst, hf, buf, 2 * BK_PAGE, &got);
    while (err >= 0 && got > 0);
    BK_EQ(err, JET_errLogReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 218), 1);
    assert_int_equal(bk_events_err(t->ev, m, 218), JET_errLogReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 214), 1);
    assert_backup_torn_down(t);
    free(list);
    free(buf);
}

static void test_open_log_damaged_before_open_ends_backup_218(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    log_call(t, &li, list);
    assert_int_equal(bk_flip_byte(list[0], 6000), 0);
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetOpenFileInstance(t->e.inst, list[0], &hf, &lo, &hi), JET_errLogReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 218), 1);
    assert_int_equal(bk_events_since(t->ev, m, 214), 1);
    assert_backup_torn_down(t);
    free(list);
}

/* ---- JetCloseFile
 * -------------------------------------------------------------------------------- */
static void test_close_logs_221_when_read_to_end_else_222(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t *buf = malloc(3 * BK_PAGE);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 3 * BK_PAGE, &got));
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    assert_int_equal(bk_events_since(t->ev, m, 222), 1);
    assert_int_equal(bk_events_since(t->ev, m, 221), 0);
    m = bk_events_mark(t->ev);
    copy_db(t);
    assert_int_equal(bk_events_since(t->ev, m, 221), 1);
    assert_int_equal(bk_events_since(t->ev, m, 222), 0);
    free(buf);
}

static void test_close_works_after_stop(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    BK_EQ(JetCloseFileInstance(t->e.inst, hf), JET_errInvalidParameter);
}

static void test_close_bad_handle_is_invalid_parameter(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetCloseFileInstance(t->e.inst, 0x77), JET_errInvalidParameter);
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_EQ(JetCloseFileInstance(t->e.inst, hf ^ 0x10), JET_errInvalidParameter);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
}

static void test_close_without_backup(void **state)
{
    struct tc *t = *state;
    BK_EQ(JetCloseFileInstance(t->e.inst, 1), JET_errNoBackup);
}

/* ---- JetGetLogInfo
 * ------------------------------------------------------------------------------- */
static void test_log_info_rolls_and_lists_closed_generations_223(void **state)
{
    struct tc *t = *state;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    unsigned long ck = bk_checkpoint_gen(t->e.inst);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    unsigned long cur = bk_current_gen(t->e.inst);
    size_t m = bk_events_mark(t->ev);
    int n = log_call(t, &li, list);
    assert_int_equal(bk_events_since(t->ev, m, 223), 1);
    assert_int_equal(li.cbSize, sizeof li);
    assert_string_equal(li.szBaseName, "edb");
    assert_int_equal(li.ulGenLow, ck ? ck : 1);
    assert_int_equal(li.ulGenHigh, cur);                  /* the current generation was closed... */
    assert_int_equal(bk_current_gen(t->e.inst), cur + 1); /* ...and a new one started */
    assert_int_equal(n, (int)(li.ulGenHigh - li.ulGenLow + 1));
    for (int i = 0; i < n; i++) {
        char want[BK_PATH];
        bk_log_name(want, sizeof want, t->e.dir, li.ulGenLow + (unsigned long)i);
        assert_string_equal(list[i], want);
        assert_true(bk_exists(list[i]));
        assert_string_not_equal(bk_basename(list[i]), "edb.log");
    }
    copy_logs(t, list, n); /* each verifies as a closed generation */
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_int_equal(bi->phase, JET_XBACKUP_PHASE_LOGS);
    assert_int_equal(bi->ulGenLow, li.ulGenLow);
    assert_int_equal(bi->ulGenHigh, li.ulGenHigh);
    free(bi);
    free(list);
}

static void test_log_info_second_call_returns_same_list(void **state)
{
    struct tc *t = *state;
    char a[16384], b[16384];
    unsigned long ca = 0, cb = 0;
    JET_LOGINFO la = {sizeof la, 0, 0, ""}, lb = {sizeof lb, 0, 0, ""};
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    BK_OK(JetGetLogInfoInstance2(t->e.inst, a, sizeof a, &ca, &la));
    unsigned long cur = bk_current_gen(t->e.inst);
    BK_OK(bk_write_txns(&t->e, t->next, t->next + 20));
    BK_OK(JetGetLogInfoInstance2(t->e.inst, b, sizeof b, &cb, &lb));
    assert_int_equal(ca, cb);
    assert_memory_equal(a, b, ca);
    assert_int_equal(la.ulGenLow, lb.ulGenLow);
    assert_int_equal(la.ulGenHigh, lb.ulGenHigh);
    assert_true(bk_current_gen(t->e.inst) >= cur); /* no second roll */
    BK_OK(JetGetLogInfoInstance(t->e.inst, b, sizeof b, &cb));
    assert_memory_equal(a, b, ca);
}

static void test_log_info_with_handle_open_is_invalid_sequence(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi, cb;
    char szz[16384];
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    BK_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errInvalidBackupSequence);
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_DATABASE); /* the backup goes on */
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    BK_OK(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb));
}

static void test_log_info_without_backup_and_after_stop(void **state)
{
    struct tc *t = *state;
    unsigned long cb;
    char szz[4096];
    BK_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errNoBackup);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errBackupAbortByServer);
}

static void test_log_info_incremental_with_gap_is_missing_file_459(void **state)
{
    struct tc *t = *state;
    JET_DBINFOMISC4 h;
    uint32_t next = 0;
    full_backup(t);
    BK_OK(bk_header(t->e.dbpath, &h));
    unsigned long prev_high = h.bkinfoFullPrev.genHigh;
    assert_true(prev_high > 0);
    /* More generations; then the one right after the full backup disappears (and all older). */
    BK_OK(bk_write_gens(&t->e, t->next, 3, &next));
    t->next = next;
    char path[BK_PATH];
    for (unsigned long g = 1; g <= prev_high + 1; g++) {
        bk_log_name(path, sizeof path, t->e.dir, g);
        unlink(path);
    }
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental));
    char szz[16384];
    unsigned long cb;
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errMissingFileToBackup);
    assert_int_equal(bk_events_since(t->ev, m, 459), 1);
    assert_int_equal(bk_events_err(t->ev, m, 459), JET_errMissingFileToBackup);
}

static void test_log_info_copies_at_most_cbmax(void **state)
{
    struct tc *t = *state;
    char szz[16384];
    unsigned long need = 0, cb = 0;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    BK_OK(JetGetLogInfoInstance(t->e.inst, NULL, 0, &need));
    assert_true(need > 17);
    memset(szz, 'x', sizeof szz);
    BK_OK(JetGetLogInfoInstance(t->e.inst, szz, 7, &cb));
    assert_int_equal(cb, need);
    assert_int_equal(szz[7], 'x');
    BK_OK(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb));
    assert_int_equal(cb, need);
    assert_int_equal(szz[need - 1], 0);
    assert_int_equal(szz[need - 2], 0);
    assert_int_equal(szz[need], 'x');
}

/* ---- JetGetTruncateLogInfoInstance / JetTruncateLog
 * ---------------------------------------------- */
static void test_truncate_before_log_call_is_invalid_sequence(void **state)
{
    struct tc *t = *state;
    char szz[4096];
    unsigned long cb;
    BK_EQ(JetTruncateLogInstance(t->e.inst), JET_errNoBackup);
    BK_EQ(JetGetTruncateLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errNoBackup);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    BK_EQ(JetTruncateLogInstance(t->e.inst), JET_errInvalidBackupSequence);
    BK_EQ(JetGetTruncateLogInfoInstance(t->e.inst, szz, sizeof szz, &cb),
          JET_errInvalidBackupSequence);
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_DATABASE);
}

static void test_truncate_with_handle_open_is_invalid_sequence(void **state)
{
    struct tc *t = *state;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    JET_HANDLE hf;
    unsigned long lo, hi, cb;
    char szz[4096];
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    int n = log_call(t, &li, list);
    copy_logs(t, list, n);
    BK_OK(JetOpenFileInstance(t->e.inst, list[0], &hf, &lo, &hi));
    BK_EQ(JetTruncateLogInstance(t->e.inst), JET_errInvalidBackupSequence);
    BK_EQ(JetGetTruncateLogInfoInstance(t->e.inst, szz, sizeof szz, &cb),
          JET_errInvalidBackupSequence);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    BK_OK(JetTruncateLogInstance(t->e.inst));
    free(list);
}

static void test_truncate_with_log_not_copied_520(void **state)
{
    struct tc *t = *state;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    int n = log_call(t, &li, list);
    assert_true(n >= 2);
    copy_logs(t, list, n - 1); /* the last one is not copied */
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetTruncateLogInstance(t->e.inst), JET_errLogFileNotCopied);
    assert_int_equal(bk_events_since(t->ev, m, 520), 1);
    assert_int_equal(bk_events_err(t->ev, m, 520), JET_errLogFileNotCopied);
    /* A partial read does not count either. */
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    uint8_t *buf = malloc(2 * BK_PAGE);
    BK_OK(JetOpenFileInstance(t->e.inst, list[n - 1], &hf, &lo, &hi));
    BK_OK(JetReadFileInstance(t->e.inst, hf, buf, 2 * BK_PAGE, &got));
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    BK_EQ(JetTruncateLogInstance(t->e.inst), JET_errLogFileNotCopied);
    free(buf);
    copy_logs(t, list + (n - 1), 1);
    BK_OK(JetTruncateLogInstance(t->e.inst));
    free(list);
}

/* Archived generations present in dir, as a bitmap over 1..max. */
static void present_gens(const char *dir, uint8_t *map, unsigned long max)
{
    char path[BK_PATH];
    for (unsigned long g = 1; g <= max; g++) {
        bk_log_name(path, sizeof path, dir, g);
        map[g] = (uint8_t)bk_exists(path);
    }
}

static void test_truncate_deletes_exactly_the_allowed_generations_224(void **state)
{
    struct tc *t = *state;
    char(*list)[BK_PATH] = new_list();
    char(*trunc)[BK_PATH] = new_list();
    JET_LOGINFO li;
    uint32_t next = 0;
    /* Old generations before the backup, and checkpoints moving on while it runs. */
    BK_OK(bk_write_gens(&t->e, t->next, 3, &next));
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    BK_OK(bk_write_gens(&t->e, next, 4, &next));
    double until = bk_now() + 10;
    while (bk_checkpoint_gen(t->e.inst) < bk_current_gen(t->e.inst) - 2 && bk_now() < until) {
        BK_OK(bk_write_txns(&t->e, next, next));
        next++;
        bk_sleep_ms(50);
    }
    t->next = next;
    int n = log_call(t, &li, list);
    copy_logs(t, list, n);
    unsigned long max = bk_current_gen(t->e.inst) + 2;
    uint8_t *before = calloc(max + 1, 1), *after = calloc(max + 1, 1);
    present_gens(t->e.dir, before, max);
    unsigned long ck_before = bk_checkpoint_gen(t->e.inst);
    char szz[16384];
    unsigned long cb;
    BK_OK(JetGetTruncateLogInfoInstance(t->e.inst, szz, sizeof szz, &cb));
    int nt = bk_szz_split(szz, trunc, 64);
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetTruncateLogInstance(t->e.inst));
    unsigned long ck_after = bk_checkpoint_gen(t->e.inst);
    present_gens(t->e.dir, after, max);
    unsigned long keep_low = ck_before < li.ulGenHigh + 1 ? ck_before : li.ulGenHigh + 1;
    unsigned long keep_high = ck_after < li.ulGenHigh + 1 ? ck_after : li.ulGenHigh + 1;
    assert_true(keep_low > li.ulGenLow); /* the test makes truncation delete something */
    int deleted = 0;
    for (unsigned long g = 1; g <= max; g++) {
        if (!before[g]) continue;
        if (g < keep_low) assert_int_equal(after[g], 0);   /* allowed: gone */
        if (g >= keep_high) assert_int_equal(after[g], 1); /* needed: kept */
        deleted += !after[g];
    }
    assert_int_equal(bk_events_since(t->ev, m, 224), 1);
    assert_int_equal(bk_events_since(t->ev, m, 225), 0);
    if (ck_before == ck_after) {
        /* What JetGetTruncateLogInfoInstance announced is exactly what went. */
        assert_int_equal(nt, deleted);
        for (int i = 0; i < nt; i++)
            assert_false(bk_exists(trunc[i]));
    }
    /* The current log and later generations are never touched. */
    char cur[BK_PATH];
    bk_join(cur, sizeof cur, t->e.dir, "edb.log");
    assert_true(bk_exists(cur));
    assert_int_equal(backup_phase(t), JET_XBACKUP_PHASE_TRUNCATED);
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    free(before);
    free(after);
    free(list);
    free(trunc);
}

static void test_truncate_with_nothing_to_delete_225(void **state)
{
    struct tc *t = *state;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    int n = log_call(t, &li, list);
    copy_logs(t, list, n);
    unsigned long lo, hi;
    int before = bk_log_range(t->e.dir, &lo, &hi);
    size_t m = bk_events_mark(t->ev);
    if (bk_checkpoint_gen(t->e.inst) <= lo) {
        BK_OK(JetTruncateLogInstance(t->e.inst));
        assert_int_equal(bk_events_since(t->ev, m, 225), 1);
        assert_int_equal(bk_events_since(t->ev, m, 224), 0);
        assert_int_equal(bk_log_range(t->e.dir, &lo, &hi), before);
    } else {
        /* A second truncation finds nothing left to delete. */
        BK_OK(JetTruncateLogInstance(t->e.inst));
        m = bk_events_mark(t->ev);
        BK_OK(JetTruncateLogInstance(t->e.inst));
        assert_int_equal(bk_events_since(t->ev, m, 225), 1);
    }
    free(list);
}

static void test_truncate_with_some_already_missing_227(void **state)
{
    struct tc *t = *state;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    uint32_t next = 0;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    BK_OK(bk_write_gens(&t->e, t->next, 4, &next));
    double until = bk_now() + 10;
    while (bk_checkpoint_gen(t->e.inst) < bk_current_gen(t->e.inst) - 1 && bk_now() < until) {
        BK_OK(bk_write_txns(&t->e, next, next));
        next++;
        bk_sleep_ms(50);
    }
    int n = log_call(t, &li, list);
    copy_logs(t, list, n);
    assert_true(bk_checkpoint_gen(t->e.inst) > li.ulGenLow + 1);
    assert_int_equal(unlink(list[0]), 0); /* copied, then lost before truncation */
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetTruncateLogInstance(t->e.inst));
    assert_int_equal(bk_events_since(t->ev, m, 227), 1);
    assert_int_equal(bk_events_since(t->ev, m, 224), 1);
    assert_false(bk_exists(list[1]));
    free(list);
}

static void test_truncate_after_stop(void **state)
{
    struct tc *t = *state;
    char(*list)[BK_PATH] = new_list();
    JET_LOGINFO li;
    char szz[4096];
    unsigned long cb;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    copy_db(t);
    int n = log_call(t, &li, list);
    copy_logs(t, list, n);
    BK_OK(JetStopBackupInstance(t->e.inst));
    BK_EQ(JetTruncateLogInstance(t->e.inst), JET_errBackupAbortByServer);
    BK_EQ(JetGetTruncateLogInfoInstance(t->e.inst, szz, sizeof szz, &cb),
          JET_errBackupAbortByServer);
    for (int i = 0; i < n; i++)
        assert_true(bk_exists(list[i]));
    free(list);
}

/* ---- uninitialised instance
 * ---------------------------------------------------------------------- */
static void test_calls_on_uninitialised_instance_are_not_initialized(void **state)
{
    struct tc *t = *state;
    char szz[4096];
    unsigned long cb, lo, hi;
    JET_HANDLE hf;
    BK_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errNotInitialized);
    BK_EQ(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errNotInitialized);
    BK_EQ(JetOpenFileInstance(t->e.inst, "x", &hf, &lo, &hi), JET_errNotInitialized);
    BK_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errNotInitialized);
    BK_EQ(JetTruncateLogInstance(t->e.inst), JET_errNotInitialized);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errNotInitialized);
    BK_EQ(JetBeginExternalBackupInstance(0x7fff0001, 0), JET_errInvalidInstance);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_begin_refuses_every_other_grbit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_begin_not_allowed_while_init_runs, setup_uninitialised,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_begin_refused_when_logging_disabled,
                                        setup_recovery_off, teardown),
        cmocka_unit_test_setup_teardown(test_begin_incremental_with_circular_logging_is_invalid,
                                        setup_circular, teardown),
        cmocka_unit_test_setup_teardown(test_begin_while_one_runs_is_in_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_begin_incremental_without_full_backup_206, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_begin_logs_210_full_and_211_incremental, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_attach_info_without_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attach_info_after_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attach_info_in_incremental_is_invalid_sequence, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_attach_info_copies_at_most_cbmax_and_reports_needed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_without_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_after_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_empty_name_is_invalid_parameter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_second_handle_is_out_of_memory_backup_goes_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_log_before_log_call_is_not_found, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_unknown_file_is_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_database_after_log_call_ends_backup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_database_in_incremental_ends_backup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_missing_listed_log_ends_backup_459, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_reports_streamed_size_and_logs_220, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_read_without_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_after_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_database_size_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_log_size_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_bad_handle_is_invalid_parameter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_database_page_failing_verification_217, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_read_log_failing_verification_ends_backup_218, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_log_damaged_before_open_ends_backup_218, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_close_logs_221_when_read_to_end_else_222, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_close_works_after_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_bad_handle_is_invalid_parameter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_close_without_backup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_info_rolls_and_lists_closed_generations_223, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log_info_second_call_returns_same_list, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log_info_with_handle_open_is_invalid_sequence, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log_info_without_backup_and_after_stop, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_log_info_incremental_with_gap_is_missing_file_459,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_info_copies_at_most_cbmax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_before_log_call_is_invalid_sequence, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_truncate_with_handle_open_is_invalid_sequence, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_truncate_with_log_not_copied_520, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_deletes_exactly_the_allowed_generations_224,
                                        setup_fast_checkpoints, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_with_nothing_to_delete_225, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_with_some_already_missing_227,
                                        setup_fast_checkpoints, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_after_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calls_on_uninitialised_instance_are_not_initialized,
                                        setup_uninitialised, teardown),
    };
    return cmocka_run_group_tests_name("backup_api", tests, NULL, NULL);
}
