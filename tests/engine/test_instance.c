/*
 * test_instance.c — instances and system parameters (engine/src/instance.c, param.c) against the
 * contracts in jet.h and spec/backup-api.md "Instances and modes".
 *
 * Proves: JetCreateInstance(2) handles and JET_errInstanceNameInUse; the process-wide modes, each
 * in its own forked child (the mode lives as long as an instance does): one-instance mode refuses
 * JetCreateInstance / JetEnableMultiInstance, a second JetInit(NULL) is AlreadyInitialized,
 * multi-instance mode refuses the legacy calls, no mode makes them InvalidParameter, and the mode
 * resets when the last instance goes; parameters round-trip, are range-checked, are fixed after
 * JetInit and take effect (base name, log file size, page size); JetTerm2 complete / abrupt /
 * dirty leave the database clean / dirty; the entry gate's codes and their order
 * (ClientRequestToStopJetService, InstanceUnavailable after a log write failure, TermInProgress
 * while a JetTerm is held by the JET_XFAULT_TERM_PAUSE fault point, NotInitialized).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/src/inst.h"
#include "../common/jetfx.h"

/* ---- handles and names ------------------------------------------------------------------------- */
static void test_create_instance_gives_distinct_live_handles(void **state)
{
    (void)state;
    JET_INSTANCE a = 0, b = 0;
    char na[64], nb[64];
    tfx_unique_name(na, sizeof na, "inst-a");
    tfx_unique_name(nb, sizeof nb, "inst-b");
    assert_int_equal(JetCreateInstance(&a, na), JET_errSuccess);
    assert_int_equal(JetCreateInstance2(&b, nb, "display b", 0), JET_errSuccess);
    assert_true(a != 0 && b != 0 && a != JET_instanceNil && a != b);
    JET_INSTANCE found = 0;
    assert_int_equal(JetXGetInstanceByName(nb, &found), JET_errSuccess);
    assert_true(found == b);
    assert_int_equal(JetTerm(a), JET_errSuccess);
    assert_int_equal(JetTerm(b), JET_errSuccess);
    /* Freed handles are no longer valid. */
    assert_int_equal(JetTerm(a), JET_errInvalidInstance);
    assert_int_equal(JetXGetInstanceByName(nb, &found), JET_errInvalidInstance);
}

static void test_create_instance_refuses_a_name_in_use(void **state)
{
    (void)state;
    JET_INSTANCE a = 0, b = 0;
    char name[64];
    tfx_unique_name(name, sizeof name, "dup");
    assert_int_equal(JetCreateInstance(&a, name), JET_errSuccess);
    assert_int_equal(JetCreateInstance(&b, name), JET_errInstanceNameInUse);
    assert_int_equal(JetCreateInstance2(&b, name, "other display", 0), JET_errInstanceNameInUse);
    assert_int_equal(JetTerm(a), JET_errSuccess);
    /* Once the first is gone the name is free again. */
    assert_int_equal(JetCreateInstance(&b, name), JET_errSuccess);
    assert_int_equal(JetTerm(b), JET_errSuccess);
}

static void test_create_instance_without_pointer_is_invalid_parameter(void **state)
{
    (void)state;
    assert_int_equal(JetCreateInstance(NULL, "x-null"), JET_errInvalidParameter);
    assert_int_equal(JetCreateInstance2(NULL, "x-null", "x", 0), JET_errInvalidParameter);
}

static void test_unknown_handles_are_invalid_instance(void **state)
{
    (void)state;
    JET_INSTANCE keep = 0;
    char name[64];
    tfx_unique_name(name, sizeof name, "keep");
    /* Multi-instance mode must be on for a made-up handle to be merely unknown. */
    assert_int_equal(JetCreateInstance(&keep, name), JET_errSuccess);
    JET_SESID ses;
    assert_int_equal(JetTerm((JET_INSTANCE)0x7777), JET_errInvalidInstance);
    assert_int_equal(JetBeginSession((JET_INSTANCE)0x7777, &ses, NULL, NULL), JET_errInvalidInstance);
    assert_int_equal(JetInit2((JET_INSTANCE[]){0x7777}, 0), JET_errInvalidInstance);
    assert_int_equal(JetTerm(keep), JET_errSuccess);
}

/* ---- lifecycle --------------------------------------------------------------------------------- */
static void test_calls_before_init_are_not_initialized(void **state)
{
    (void)state;
    char dir[TFX_PATH_MAX], name[64];
    JET_INSTANCE inst;
    JET_SESID ses;
    assert_int_equal(tfx_mkdtemp(dir, sizeof dir, "noinit"), 0);
    assert_int_equal(tfx_instance_create(&inst, name, sizeof name, "noinit", dir), JET_errSuccess);
    assert_int_equal(JetBeginSession(inst, &ses, NULL, NULL), JET_errNotInitialized);
    /* An instance that was never initialised is simply freed by JetTerm. */
    assert_int_equal(JetTerm(inst), JET_errSuccess);
    assert_int_equal(JetBeginSession(inst, &ses, NULL, NULL), JET_errInvalidInstance);
    /* Nothing was written to its directory. */
    char chk[TFX_PATH_MAX];
    tfx_join(chk, sizeof chk, dir, "edb.chk");
    assert_false(tfx_exists(chk));
    tfx_rmtree(dir);
}

static void test_second_init_is_already_initialized(void **state)
{
    struct tfx_env *e = *state;
    JET_INSTANCE h = e->inst;
    assert_int_equal(JetInit(&h), JET_errAlreadyInitialized);
    assert_int_equal(JetInit2(&h, 0), JET_errAlreadyInitialized);
    /* The instance is still usable. */
    JET_SESID ses;
    assert_int_equal(JetBeginSession(e->inst, &ses, NULL, NULL), JET_errSuccess);
    assert_int_equal(JetEndSession(ses, 0), JET_errSuccess);
}

static void test_init_creates_log_set_and_checkpoint(void **state)
{
    struct tfx_env *e = *state;
    char p[TFX_PATH_MAX];
    tfx_join(p, sizeof p, e->dir, "edb.log");
    assert_true(tfx_exists(p));
    assert_int_equal(tfx_file_size(p), TFX_LOG_KB * 1024);
    tfx_join(p, sizeof p, e->dir, "edb.chk");
    assert_true(tfx_exists(p));
    JET_XINSTANCEINFO info;
    assert_int_equal(JetXGetInstanceInfo(e->inst, &info), JET_errSuccess);
    assert_int_equal(info.fInitialized, 1);
    assert_int_equal(info.fUnavailable, 0);
    assert_true(info.ulCurrentGeneration >= 1);
    assert_string_equal(info.szName, e->name);
}

/* ---- parameters -------------------------------------------------------------------------------- */
static void expect_string_param(JET_INSTANCE inst, unsigned long id, const char *want)
{
    char buf[TFX_PATH_MAX];
    assert_int_equal(JetGetSystemParameter(inst, 0, id, NULL, buf, sizeof buf), JET_errSuccess);
    assert_string_equal(buf, want);
}

static void expect_int_param(JET_INSTANCE inst, unsigned long id, JET_API_PTR want)
{
    JET_API_PTR v = 0;
    assert_int_equal(JetGetSystemParameter(inst, 0, id, &v, NULL, 0), JET_errSuccess);
    assert_int_equal(v, want);
}

static void test_parameters_round_trip_on_a_created_instance(void **state)
{
    (void)state;
    JET_INSTANCE inst;
    char name[64];
    tfx_unique_name(name, sizeof name, "params");
    assert_int_equal(JetCreateInstance(&inst, name), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, "/tmp/sys/"), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramTempPath, 0, "/tmp/tmp/"), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramLogFilePath, 0, "C:\\logs\\"), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramBaseName, 0, "abc"), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramLogFileSize, 256, NULL), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramDatabasePageSize, 16384, NULL), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramCircularLog, 1, NULL), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramCacheSizeMax, 1000, NULL), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramRecovery, 0, "Off"), JET_errSuccess);
    expect_string_param(inst, JET_paramSystemPath, "/tmp/sys/");
    expect_string_param(inst, JET_paramTempPath, "/tmp/tmp/");
    expect_string_param(inst, JET_paramLogFilePath, "C:/logs/"); /* ESE separators normalised */
    expect_string_param(inst, JET_paramBaseName, "abc");
    expect_string_param(inst, JET_paramRecovery, "Off");
    expect_int_param(inst, JET_paramLogFileSize, 256);
    expect_int_param(inst, JET_paramDatabasePageSize, 16384);
    expect_int_param(inst, JET_paramCircularLog, 1);
    expect_int_param(inst, JET_paramCacheSizeMax, 1000);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramRecovery, 0, "on"), JET_errSuccess);
    expect_string_param(inst, JET_paramRecovery, "On");
    /* A string that does not fit. */
    char small[3];
    assert_int_equal(JetGetSystemParameter(inst, 0, JET_paramSystemPath, NULL, small, sizeof small),
                     JET_errBufferTooSmall);
    /* Another instance kept the defaults. */
    JET_INSTANCE other;
    char oname[64];
    tfx_unique_name(oname, sizeof oname, "params-other");
    assert_int_equal(JetCreateInstance(&other, oname), JET_errSuccess);
    expect_string_param(other, JET_paramBaseName, "edb");
    expect_int_param(other, JET_paramLogFileSize, 5120);
    expect_int_param(other, JET_paramDatabasePageSize, 8192);
    expect_string_param(other, JET_paramRecovery, "On");
    assert_int_equal(JetTerm(other), JET_errSuccess);
    assert_int_equal(JetTerm(inst), JET_errSuccess);
}

static void test_parameters_refuse_bad_values(void **state)
{
    (void)state;
    JET_INSTANCE inst;
    char name[64];
    tfx_unique_name(name, sizeof name, "badparams");
    assert_int_equal(JetCreateInstance(&inst, name), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramLogFileSize, 63, NULL), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramLogFileSize, 32769, NULL), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramLogFileSize, 64, NULL), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramLogFileSize, 32768, NULL), JET_errSuccess);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramDatabasePageSize, 2048, NULL), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramDatabasePageSize, 6000, NULL), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramDatabasePageSize, 65536, NULL), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramBaseName, 0, "ab"), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramBaseName, 0, "abcd"), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramBaseName, 0, "a/b"), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramBaseName, 0, NULL), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramRecovery, 0, "maybe"), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, JET_paramSystemPath, 0, NULL), JET_errInvalidParameter);
    assert_int_equal(JetSetSystemParameter(&inst, 0, 99999, 1, NULL), JET_errInvalidParameter);
    JET_API_PTR v;
    assert_int_equal(JetGetSystemParameter(inst, 0, 99999, &v, NULL, 0), JET_errInvalidParameter);
    /* Refused values changed nothing. */
    expect_int_param(inst, JET_paramLogFileSize, 32768);
    expect_int_param(inst, JET_paramDatabasePageSize, 8192);
    expect_string_param(inst, JET_paramBaseName, "edb");
    assert_int_equal(JetSetSystemParameter((JET_INSTANCE[]){0x7777}, 0, JET_paramLogFileSize, 128, NULL),
                     JET_errInvalidInstance);
    assert_int_equal(JetGetSystemParameter(0x7777, 0, JET_paramLogFileSize, &v, NULL, 0), JET_errInvalidInstance);
    assert_int_equal(JetTerm(inst), JET_errSuccess);
}

static void test_parameters_are_fixed_after_init(void **state)
{
    struct tfx_env *e = *state;
    JET_INSTANCE *pi = &e->inst;
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramSystemPath, 0, "/tmp/x/"), JET_errAlreadyInitialized);
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramTempPath, 0, "/tmp/x/"), JET_errAlreadyInitialized);
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramLogFilePath, 0, "/tmp/x/"), JET_errAlreadyInitialized);
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramBaseName, 0, "xyz"), JET_errAlreadyInitialized);
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramLogFileSize, 256, NULL), JET_errAlreadyInitialized);
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramDatabasePageSize, 4096, NULL), JET_errAlreadyInitialized);
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramCircularLog, 1, NULL), JET_errAlreadyInitialized);
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramRecovery, 0, "Off"), JET_errAlreadyInitialized);
    /* Unchanged. */
    expect_int_param(e->inst, JET_paramLogFileSize, TFX_LOG_KB);
    expect_string_param(e->inst, JET_paramBaseName, "edb");
    expect_int_param(e->inst, JET_paramCircularLog, 0);
    /* The cache size is not a path or a size of a file: it may still change. */
    assert_int_equal(JetSetSystemParameter(pi, 0, JET_paramCacheSizeMax, 2048, NULL), JET_errSuccess);
}

static void test_parameters_take_effect(void **state)
{
    (void)state;
    struct tfx_env e;
    JET_SETSYSPARAM params[] = {
        {JET_paramBaseName, 0, "abc", 0},
        {JET_paramLogFileSize, 256, NULL, 0},
        {JET_paramDatabasePageSize, 4096, NULL, 0},
    };
    assert_int_equal(tfx_env_open_with(&e, "effect", 1, params, 3), JET_errSuccess);
    char p[TFX_PATH_MAX];
    tfx_join(p, sizeof p, e.dir, "abc.log");
    assert_int_equal(tfx_file_size(p), 256 * 1024);
    tfx_join(p, sizeof p, e.dir, "abc.chk");
    assert_true(tfx_exists(p));
    tfx_join(p, sizeof p, e.dir, "edb.log");
    assert_false(tfx_exists(p));
    unsigned long pgsz = 0;
    assert_int_equal(JetGetDatabaseInfo(e.ses, e.dbid, &pgsz, sizeof pgsz, JET_DbInfoPageSize), JET_errSuccess);
    assert_int_equal(pgsz, 4096);
    assert_int_equal(JetCloseDatabase(e.ses, e.dbid, 0), JET_errSuccess);
    assert_int_equal(tfx_env_term(&e, JET_bitTermComplete), JET_errSuccess);
    assert_int_equal(JetGetDatabaseFileInfo(e.dbpath, &pgsz, sizeof pgsz, JET_DbInfoPageSize), JET_errSuccess);
    assert_int_equal(pgsz, 4096);
    assert_int_equal(tfx_file_size(e.dbpath) % 4096, 0);
    tfx_env_close(&e);
}

/* ---- termination ------------------------------------------------------------------------------- */
static unsigned long db_state(const char *path)
{
    JET_DBINFOMISC m;
    memset(&m, 0, sizeof m);
    if (JetGetDatabaseFileInfo(path, &m, sizeof m, JET_DbInfoMisc) < 0) return 0;
    return m.dbstate;
}

/* Opens an env with one committed record, terminates it with grbit, checks the state on disk,
 * reopens (running recovery when needed) and checks the record survived. */
static void term_and_check(JET_GRBIT grbit, unsigned long want_state)
{
    struct tfx_env e;
    struct tfx_kv kv;
    assert_int_equal(tfx_env_open(&e, "term", 1), JET_errSuccess);
    assert_int_equal(tfx_kv_create(e.ses, e.dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e.ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e.ses, &kv, 7, "seven", 5), JET_errSuccess);
    assert_int_equal(JetCommitTransaction(e.ses, 0), JET_errSuccess);
    /* An open transaction at term is rolled back (complete) or lost (abrupt, dirty). */
    assert_int_equal(JetBeginTransaction(e.ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e.ses, &kv, 8, "eight", 5), JET_errSuccess);
    assert_int_equal(JetTerm2(e.inst, grbit), JET_errSuccess);
    e.running = 0;
    e.ses = 0;
    assert_int_equal(db_state(e.dbpath), want_state);
    assert_int_equal(tfx_env_reopen(&e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e.ses, e.dbid, "t", &kv), JET_errSuccess);
    char buf[16];
    unsigned long cb = 0;
    assert_int_equal(tfx_kv_get(e.ses, &kv, 7, buf, sizeof buf, &cb), JET_errSuccess);
    assert_int_equal(cb, 5);
    assert_memory_equal(buf, "seven", 5);
    assert_int_equal(tfx_kv_seek(e.ses, &kv, 8), JET_errRecordNotFound);
    assert_int_equal(tfx_count(e.ses, kv.t), 1);
    tfx_env_close(&e);
}

static void test_term_complete_leaves_a_clean_database(void **state)
{
    (void)state;
    term_and_check(JET_bitTermComplete, JET_dbstateCleanShutdown);
}

static void test_term_abrupt_leaves_a_dirty_database_that_recovers(void **state)
{
    (void)state;
    term_and_check(JET_bitTermAbrupt, JET_dbstateDirtyShutdown);
}

static void test_term_dirty_leaves_a_dirty_database_that_recovers(void **state)
{
    (void)state;
    term_and_check(JET_bitTermDirty, JET_dbstateDirtyShutdown);
}

static void test_plain_jetterm_is_complete(void **state)
{
    struct tfx_env *e = *state;
    JetEndSession(e->ses, 0);
    e->ses = 0;
    assert_int_equal(JetTerm(e->inst), JET_errSuccess);
    e->running = 0;
    assert_int_equal(db_state(e->dbpath), JET_dbstateCleanShutdown);
}

/* ---- the entry gate ---------------------------------------------------------------------------- */
static void test_stop_service_fails_later_calls_but_not_term(void **state)
{
    struct tfx_env *e = *state;
    JET_SESID ses2;
    assert_int_equal(JetStopServiceInstance(e->inst), JET_errSuccess);
    assert_int_equal(JetBeginSession(e->inst, &ses2, NULL, NULL), JET_errClientRequestToStopJetService);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errClientRequestToStopJetService);
    JET_DBID db;
    assert_int_equal(JetOpenDatabase(e->ses, e->dbpath, NULL, &db, 0), JET_errClientRequestToStopJetService);
    assert_int_equal(JetStopServiceInstance2(e->inst, 0), JET_errSuccess);
    assert_int_equal(JetStopServiceInstance((JET_INSTANCE)0x7777), JET_errInvalidInstance);
    JetEndSession(e->ses, 0);
    e->ses = 0;
    assert_int_equal(JetTerm(e->inst), JET_errSuccess);
    e->running = 0;
}

/* Makes the log unwritable and commits: the commit fails and the instance becomes unavailable. */
static void break_the_log(struct tfx_env *e, struct tfx_kv *kv)
{
    JET_XFAULT f = {JET_XFAULT_WRITE, JET_XFAULT_FAIL, "edb.log", 0, 0, EIO, 0};
    assert_int_equal(JetXFaultSet(&f), JET_errSuccess);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, kv, 2, "two", 3), JET_errSuccess);
    JET_ERR err = JetCommitTransaction(e->ses, 0);
    assert_true(err == JET_errLogWriteFail || err == JET_errInstanceUnavailable);
    assert_true(JetXFaultHits() > 0);
    JetXFaultClear();
}

static void test_log_write_failure_makes_the_instance_unavailable(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_insert(e->ses, &kv, 1, "one", 3), JET_errSuccess);
    break_the_log(e, &kv);
    /* Sticky: the fault is gone but the instance stays unusable. */
    JET_SESID ses2;
    assert_int_equal(JetBeginSession(e->inst, &ses2, NULL, NULL), JET_errInstanceUnavailable);
    assert_int_equal(JetBeginTransaction(e->ses), JET_errInstanceUnavailable);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errInstanceUnavailable);
    JET_XINSTANCEINFO info;
    assert_int_equal(JetXGetInstanceInfo(e->inst, &info), JET_errSuccess);
    assert_int_equal(info.fUnavailable, 1);
    /* JetTerm still frees it; the next start recovers what was durable. */
    JetEndSession(e->ses, 0);
    e->ses = 0;
    JetTerm(e->inst);
    e->running = 0;
    assert_int_equal(tfx_env_reopen(e, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_open(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 1), JET_errSuccess);
    assert_int_equal(tfx_kv_seek(e->ses, &kv, 2), JET_errRecordNotFound);
}

struct term_thread {
    JET_INSTANCE inst;
    JET_ERR err;
};

static void *term_main(void *arg)
{
    struct term_thread *t = arg;
    t->err = JetTerm(t->inst);
    return NULL;
}

/* Starts JetTerm on another thread and waits until the TERM_PAUSE fault holds it. */
static void start_paused_term(pthread_t *th, struct term_thread *tt, JET_INSTANCE inst)
{
    JET_XFAULT f = {JET_XFAULT_TERM_PAUSE, JET_XFAULT_FAIL, NULL, 0, 0, 0, 0};
    unsigned long hits = JetXFaultHits();
    assert_int_equal(JetXFaultSet(&f), JET_errSuccess);
    tt->inst = inst;
    tt->err = 1;
    assert_int_equal(pthread_create(th, NULL, term_main, tt), 0);
    for (int i = 0; i < 5000 && JetXFaultHits() == hits; i++) usleep(1000);
    assert_true(JetXFaultHits() > hits);
}

static void test_term_in_progress_while_another_thread_terminates(void **state)
{
    struct tfx_env *e = *state;
    pthread_t th;
    struct term_thread tt;
    JetEndSession(e->ses, 0);
    e->ses = 0;
    start_paused_term(&th, &tt, e->inst);
    JET_SESID ses;
    assert_int_equal(JetBeginSession(e->inst, &ses, NULL, NULL), JET_errTermInProgress);
    assert_int_equal(JetTerm(e->inst), JET_errTermInProgress);
    JET_INSTANCE h = e->inst;
    JetXFaultResume();
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(tt.err, JET_errSuccess);
    e->running = 0;
    assert_int_equal(JetBeginSession(h, &ses, NULL, NULL), JET_errInvalidInstance);
}

static void test_entry_gate_checks_in_the_documented_order(void **state)
{
    struct tfx_env *e = *state;
    struct tfx_kv kv;
    JET_SESID ses;
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "t", &kv), JET_errSuccess);
    /* Not initialised < restore in progress (set directly: hard recovery is not in this suite). */
    JET_INSTANCE other;
    char name[64];
    tfx_unique_name(name, sizeof name, "gate");
    assert_int_equal(JetCreateInstance(&other, name), JET_errSuccess);
    struct inst *oi = inst_from_handle(other);
    assert_non_null(oi);
    assert_int_equal(JetBeginSession(other, &ses, NULL, NULL), JET_errNotInitialized);
    pthread_mutex_lock(&oi->mu);
    oi->restore_in_progress = 1;
    pthread_mutex_unlock(&oi->mu);
    assert_int_equal(JetBeginSession(other, &ses, NULL, NULL), JET_errRestoreInProgress);
    pthread_mutex_lock(&oi->mu);
    oi->restore_in_progress = 0;
    pthread_mutex_unlock(&oi->mu);
    assert_int_equal(JetTerm(other), JET_errSuccess);

    /* Unavailable, then a term under way: unavailable wins; then stop service wins over both. */
    break_the_log(e, &kv);
    JetEndSession(e->ses, 0);
    e->ses = 0;
    pthread_t th;
    struct term_thread tt;
    start_paused_term(&th, &tt, e->inst);
    assert_int_equal(JetBeginSession(e->inst, &ses, NULL, NULL), JET_errInstanceUnavailable);
    assert_int_equal(JetStopServiceInstance(e->inst), JET_errSuccess);
    assert_int_equal(JetBeginSession(e->inst, &ses, NULL, NULL), JET_errClientRequestToStopJetService);
    JetXFaultResume();
    assert_int_equal(pthread_join(th, NULL), 0);
    e->running = 0;
}

/* ---- information ------------------------------------------------------------------------------- */
static void test_get_instance_info_lists_running_instances_and_databases(void **state)
{
    struct tfx_env *e = *state;
    unsigned long n = 0;
    JET_INSTANCE_INFO *info = NULL;
    assert_int_equal(JetGetInstanceInfo(&n, &info), JET_errSuccess);
    assert_non_null(info);
    int found = 0;
    for (unsigned long i = 0; i < n; i++) {
        if (info[i].hInstanceId != e->inst) continue;
        found = 1;
        assert_string_equal(info[i].szInstanceName, e->name);
        assert_int_equal(info[i].cDatabases, 1);
        assert_non_null(strstr(info[i].szDatabaseFileName[0], TFX_DB_NAME));
        assert_string_equal(info[i].szDatabaseDisplayName[0], TFX_DB_NAME);
    }
    assert_true(found);
    assert_int_equal(JetFreeBuffer((char *)info), JET_errSuccess);
    assert_int_equal(JetGetInstanceInfo(NULL, &info), JET_errInvalidParameter);
    unsigned long version = 0;
    assert_int_equal(JetGetVersion(e->ses, &version), JET_errSuccess);
    assert_true(version != 0);
}

/* ---- process-wide modes (each in a forked child) ----------------------------------------------- */
struct mode_ctx {
    char dir[TFX_PATH_MAX];
};

static void child_one_instance_mode(void *arg)
{
    struct mode_ctx *m = arg;
    JET_INSTANCE inst = 0;
    JET_SESID ses;
    TFX_CHILD_EQ(tfx_set_params(NULL, m->dir), JET_errSuccess);
    TFX_CHILD_EQ(JetInit(NULL), JET_errSuccess);
    TFX_CHILD_EQ(JetInit(NULL), JET_errAlreadyInitialized);
    TFX_CHILD_EQ(JetInit(&inst), JET_errAlreadyInitialized);
    TFX_CHILD_EQ(JetCreateInstance(&inst, "refused"), JET_errRunningInOneInstanceMode);
    TFX_CHILD_EQ(JetCreateInstance2(&inst, "refused", "refused", 0), JET_errRunningInOneInstanceMode);
    TFX_CHILD_EQ(JetEnableMultiInstance(NULL, 0, NULL), JET_errRunningInOneInstanceMode);
    /* The legacy instance answers to the nil handle. */
    TFX_CHILD_EQ(JetBeginSession(0, &ses, NULL, NULL), JET_errSuccess);
    TFX_CHILD_EQ(JetEndSession(ses, 0), JET_errSuccess);
    /* Legacy JetStopService acts on it. */
    TFX_CHILD_EQ(JetStopService(), JET_errSuccess);
    TFX_CHILD_EQ(JetBeginSession(0, &ses, NULL, NULL), JET_errClientRequestToStopJetService);
    TFX_CHILD_EQ(JetTerm(0), JET_errSuccess);
    /* The mode ended with the instance: multi-instance mode is possible now. */
    TFX_CHILD_EQ(JetCreateInstance(&inst, "after-legacy"), JET_errSuccess);
    TFX_CHILD_EQ(JetInit(NULL), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetTerm(inst), JET_errSuccess);
}

static void child_one_instance_mode_handle(void *arg)
{
    struct mode_ctx *m = arg;
    JET_INSTANCE inst = 0;
    JET_SESID ses;
    TFX_CHILD_EQ(tfx_set_params(NULL, m->dir), JET_errSuccess);
    /* JetInit on a nil instance returns the legacy instance's handle. */
    TFX_CHILD_EQ(JetInit(&inst), JET_errSuccess);
    TFX_CHILD_CHECK(inst != 0);
    TFX_CHILD_EQ(JetBeginSession(inst, &ses, NULL, NULL), JET_errSuccess);
    TFX_CHILD_EQ(JetEnableMultiInstance(NULL, 0, NULL), JET_errRunningInOneInstanceMode);
    TFX_CHILD_EQ(JetTerm(inst), JET_errSuccess);
}

static void child_multi_instance_mode_refuses_legacy_calls(void *arg)
{
    struct mode_ctx *m = arg;
    JET_INSTANCE inst = 0;
    TFX_CHILD_EQ(JetCreateInstance(&inst, "multi"), JET_errSuccess);
    TFX_CHILD_EQ(tfx_set_params(&inst, m->dir), JET_errSuccess);
    TFX_CHILD_EQ(JetStopService(), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetBeginExternalBackup(0), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetEndExternalBackup(), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetStopBackup(), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetTruncateLog(), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetInit(NULL), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetInit(&inst), JET_errSuccess);
    TFX_CHILD_EQ(JetStopService(), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetBeginExternalBackup(0), JET_errRunningInMultiInstanceMode);
    TFX_CHILD_EQ(JetTerm(inst), JET_errSuccess);
}

static void child_no_mode_legacy_calls_are_invalid_parameter(void *arg)
{
    (void)arg;
    TFX_CHILD_EQ(JetStopService(), JET_errInvalidParameter);
    TFX_CHILD_EQ(JetBeginExternalBackup(0), JET_errInvalidParameter);
    TFX_CHILD_EQ(JetEndExternalBackup(), JET_errInvalidParameter);
    TFX_CHILD_EQ(JetStopBackup(), JET_errInvalidParameter);
}

static void child_enable_multi_instance_sets_defaults(void *arg)
{
    struct mode_ctx *m = arg;
    JET_SETSYSPARAM sp[] = {
        {JET_paramLogFileSize, 256, NULL, 1},
        {JET_paramBaseName, 0, "xyz", 1},
        {JET_paramSystemPath, 0, m->dir, 1},
        {JET_paramLogFilePath, 0, m->dir, 1},
        {JET_paramCreatePathIfNotExist, 1, NULL, 1},
    };
    unsigned long ok = 0;
    TFX_CHILD_EQ(JetEnableMultiInstance(sp, 5, &ok), JET_errSuccess);
    TFX_CHILD_EQ(ok, 5);
    for (int i = 0; i < 5; i++) TFX_CHILD_EQ(sp[i].err, JET_errSuccess);
    TFX_CHILD_EQ(JetInit(NULL), JET_errRunningInMultiInstanceMode);
    JET_INSTANCE inst = 0;
    TFX_CHILD_EQ(JetCreateInstance(&inst, "defaults"), JET_errSuccess);
    JET_API_PTR v = 0;
    TFX_CHILD_EQ(JetGetSystemParameter(inst, 0, JET_paramLogFileSize, &v, NULL, 0), JET_errSuccess);
    TFX_CHILD_EQ(v, 256);
    char base[8];
    TFX_CHILD_EQ(JetGetSystemParameter(inst, 0, JET_paramBaseName, NULL, base, sizeof base), JET_errSuccess);
    TFX_CHILD_CHECK(strcmp(base, "xyz") == 0);
    /* With an instance alive, parameters can no longer be given this way. */
    JET_SETSYSPARAM late[] = {{JET_paramLogFileSize, 512, NULL, 0}};
    TFX_CHILD_EQ(JetEnableMultiInstance(late, 1, &ok), JET_errSystemParamsAlreadySet);
    TFX_CHILD_EQ(JetInit(&inst), JET_errSuccess);
    char p[TFX_PATH_MAX];
    tfx_join(p, sizeof p, m->dir, "xyz.log");
    TFX_CHILD_EQ(tfx_file_size(p), 256 * 1024);
    TFX_CHILD_EQ(JetTerm(inst), JET_errSuccess);
    /* A bad entry is reported in its own err and in the result; the good ones still apply. */
    JET_SETSYSPARAM mixed[] = {{JET_paramLogFileSize, 1, NULL, 0}, {JET_paramLogFileSize, 512, NULL, 0}};
    TFX_CHILD_EQ(JetEnableMultiInstance(mixed, 2, &ok), JET_errInvalidParameter);
    TFX_CHILD_EQ(ok, 1);
    TFX_CHILD_EQ(mixed[0].err, JET_errInvalidParameter);
    TFX_CHILD_EQ(mixed[1].err, JET_errSuccess);
}

static void run_mode_child(void (*fn)(void *))
{
    struct mode_ctx m;
    assert_int_equal(tfx_mkdtemp(m.dir, sizeof m.dir, "mode"), 0);
    strcat(m.dir, "/");
    int code = tfx_run_in_child(fn, &m);
    tfx_rmtree(m.dir);
    assert_int_equal(code, 0);
}

static void test_one_instance_mode(void **state)
{
    (void)state;
    run_mode_child(child_one_instance_mode);
}

static void test_one_instance_mode_with_handle(void **state)
{
    (void)state;
    run_mode_child(child_one_instance_mode_handle);
}

static void test_multi_instance_mode_refuses_legacy_calls(void **state)
{
    (void)state;
    run_mode_child(child_multi_instance_mode_refuses_legacy_calls);
}

static void test_no_mode_legacy_calls_are_invalid_parameter(void **state)
{
    (void)state;
    run_mode_child(child_no_mode_legacy_calls_are_invalid_parameter);
}

static void test_enable_multi_instance_sets_defaults(void **state)
{
    (void)state;
    run_mode_child(child_enable_multi_instance_sets_defaults);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_instance_gives_distinct_live_handles),
        cmocka_unit_test(test_create_instance_refuses_a_name_in_use),
        cmocka_unit_test(test_create_instance_without_pointer_is_invalid_parameter),
        cmocka_unit_test(test_unknown_handles_are_invalid_instance),
        cmocka_unit_test(test_calls_before_init_are_not_initialized),
        cmocka_unit_test_setup_teardown(test_second_init_is_already_initialized, tfx_setup_nodb, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_init_creates_log_set_and_checkpoint, tfx_setup_nodb, tfx_teardown),
        cmocka_unit_test(test_parameters_round_trip_on_a_created_instance),
        cmocka_unit_test(test_parameters_refuse_bad_values),
        cmocka_unit_test_setup_teardown(test_parameters_are_fixed_after_init, tfx_setup_nodb, tfx_teardown),
        cmocka_unit_test(test_parameters_take_effect),
        cmocka_unit_test(test_term_complete_leaves_a_clean_database),
        cmocka_unit_test(test_term_abrupt_leaves_a_dirty_database_that_recovers),
        cmocka_unit_test(test_term_dirty_leaves_a_dirty_database_that_recovers),
        cmocka_unit_test_setup_teardown(test_plain_jetterm_is_complete, tfx_setup_db, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_stop_service_fails_later_calls_but_not_term, tfx_setup_db, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_log_write_failure_makes_the_instance_unavailable, tfx_setup_db,
                                        tfx_teardown),
        cmocka_unit_test_setup_teardown(test_term_in_progress_while_another_thread_terminates, tfx_setup_db,
                                        tfx_teardown),
        cmocka_unit_test_setup_teardown(test_entry_gate_checks_in_the_documented_order, tfx_setup_db, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_get_instance_info_lists_running_instances_and_databases, tfx_setup_db,
                                        tfx_teardown),
        cmocka_unit_test(test_one_instance_mode),
        cmocka_unit_test(test_one_instance_mode_with_handle),
        cmocka_unit_test(test_multi_instance_mode_refuses_legacy_calls),
        cmocka_unit_test(test_no_mode_legacy_calls_are_invalid_parameter),
        cmocka_unit_test(test_enable_multi_instance_sets_defaults),
    };
    return cmocka_run_group_tests_name("instance", tests, NULL, NULL);
}
