/*
 * test_esebackup_client.c — a streaming backup client written from ESE's documentation of the
 * external backup API alone, run unchanged against libjet in both instance modes.
 *
 * The client (ese_client_backup / ese_client_restore) follows the documented sequence:
 *   JetBeginExternalBackup; JetGetAttachInfo (called once with no buffer for the size, then for
 *   the list); for each database JetOpenFile, JetReadFile until the announced size is read,
 *   JetCloseFile; JetGetLogInfo (same two calls) and the same loop for each log file;
 *   JetTruncateLog; JetEndExternalBackup.
 *   Restore: the generation range is taken from the names of the log files (edbXXXXXXXX.log, hex),
 *   JET_RSTMAP maps each database's original path to its copy, and JetExternalRestore2 replays.
 * It calls the backup functions through one small table (struct ese_api) whose entries are either
 * the instance-less legacy functions or the ...Instance ones; the client code is the same for both.
 *
 * Each mode runs in its own forked child (the mode is process-wide): legacy = JetInit(NULL) and the
 * calls without an instance; multi-instance = JetCreateInstance and the ...Instance calls. The
 * child writes transactions, backs up with the client, writes more, shuts down, restores with the
 * client, then reads the restored database back with the data API in a new instance of the same
 * mode: it must hold exactly the transactions written before the backup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

#define CLIENT_BUFFER (64 * 1024) /* a multiple of the page size, as JetReadFile requires */
#define MAX_SEQ 10000

/* ---- the backup functions, legacy or per instance
 * ------------------------------------------------ */
struct ese_api {
    int legacy;
    JET_INSTANCE instance;
};

static JET_ERR api_begin(const struct ese_api *a, JET_GRBIT grbit)
{
    return a->legacy ? JetBeginExternalBackup(grbit)
                     : JetBeginExternalBackupInstance(a->instance, grbit);
}
static JET_ERR api_attach_info(const struct ese_api *a, void *pv, unsigned long cb,
                               unsigned long *pcb)
{
    return a->legacy ? JetGetAttachInfo(pv, cb, pcb)
                     : JetGetAttachInfoInstance(a->instance, pv, cb, pcb);
}
static JET_ERR api_open(const struct ese_api *a, const char *name, JET_HANDLE *hf,
                        unsigned long *lo, unsigned long *hi)
{
    return a->legacy ? JetOpenFile(name, hf, lo, hi)
                     : JetOpenFileInstance(a->instance, name, hf, lo, hi);
}
static JET_ERR api_read(const struct ese_api *a, JET_HANDLE hf, void *pv, unsigned long cb,
                        unsigned long *pcb)
{
    return a->legacy ? JetReadFile(hf, pv, cb, pcb)
                     : JetReadFileInstance(a->instance, hf, pv, cb, pcb);
}
static JET_ERR api_close(const struct ese_api *a, JET_HANDLE hf)
{
    return a->legacy ? JetCloseFile(hf) : JetCloseFileInstance(a->instance, hf);
}
static JET_ERR api_log_info(const struct ese_api *a, void *pv, unsigned long cb, unsigned long *pcb)
{
    return a->legacy ? JetGetLogInfo(pv, cb, pcb) : JetGetLogInfoInstance(a->instance, pv, cb, pcb);
}
static JET_ERR api_truncate(const struct ese_api *a)
{
    return a->legacy ? JetTruncateLog() : JetTruncateLogInstance(a->instance);
}
static JET_ERR api_end(const struct ese_api *a)
{
    return a->legacy ? JetEndExternalBackup() : JetEndExternalBackupInstance(a->instance);
}

/* ---- the client
 * ---------------------------------------------------------------------------------- */
/* Copies one file of the backup to dest: open, read until the size JetOpenFile gave, close. */
static JET_ERR ese_client_copy(const struct ese_api *a, const char *name, const char *dest)
{
    JET_HANDLE hf = 0;
    unsigned long lo = 0, hi = 0, cb = 0;
    JET_ERR err = api_open(a, name, &hf, &lo, &hi);
    if (err < 0) return err;
    unsigned long long size = ((unsigned long long)hi << 32) | lo, done = 0;
    void *buf = malloc(CLIENT_BUFFER);
    FILE *out = fopen(dest, "wb");
    if (!buf || !out) err = JET_errOutOfMemory;
    while (err >= 0 && done < size) {
        err = api_read(a, hf, buf, CLIENT_BUFFER, &cb);
        if (err < 0 || cb == 0) break;
        if (fwrite(buf, 1, cb, out) != cb) err = JET_errDiskIO;
        done += cb;
    }
    if (err >= 0 && done != size) err = JET_errDiskIO;
    if (out) fclose(out);
    free(buf);
    JET_ERR err2 = api_close(a, hf);
    return err < 0 ? err : err2;
}

/* Calls a list function twice: for the size, then for the list (caller frees). */
static JET_ERR ese_client_list(const struct ese_api *a,
                               JET_ERR (*fn)(const struct ese_api *, void *, unsigned long,
                                             unsigned long *),
                               char **out)
{
    unsigned long cb = 0, cb2 = 0;
    JET_ERR err = fn(a, NULL, 0, &cb);
    if (err < 0) return err;
    *out = calloc(1, cb + 2);
    if (!*out) return JET_errOutOfMemory;
    err = fn(a, *out, cb, &cb2);
    if (err >= 0 && cb2 != cb) err = JET_errDiskIO;
    return err;
}

/* A full backup of every attached database and the logs into dir, truncating the logs. */
static JET_ERR ese_client_backup(const struct ese_api *a, const char *dir)
{
    char *dbs = NULL, *logs = NULL, dest[BK_PATH];
    JET_ERR err = api_begin(a, 0);
    if (err < 0) return err;
    err = ese_client_list(a, api_attach_info, &dbs);
    for (const char *p = dbs; err >= 0 && p && *p; p += strlen(p) + 1) {
        bk_join(dest, sizeof dest, dir, bk_basename(p));
        err = ese_client_copy(a, p, dest);
    }
    if (err >= 0) err = ese_client_list(a, api_log_info, &logs);
    for (const char *p = logs; err >= 0 && p && *p; p += strlen(p) + 1) {
        bk_join(dest, sizeof dest, dir, bk_basename(p));
        err = ese_client_copy(a, p, dest);
    }
    if (err >= 0) err = api_truncate(a);
    /* The end call always runs: after an error it ends the backup as abandoned. */
    JET_ERR err_end = api_end(a);
    free(dbs);
    free(logs);
    return err < 0 ? err : err_end;
}

/* Restores the database copy backup_dir/<base name of original> into restored, replaying the
 * backup's logs (their range read from the file names). */
static JET_ERR ese_client_restore(const char *backup_dir, const char *original,
                                  const char *restored, const char *log_path)
{
    char copy[BK_PATH];
    JET_LOGINFO li;
    unsigned long lo, hi;
    if (bk_log_range(backup_dir, &lo, &hi) == 0) return JET_errMissingRestoreLogFiles;
    bk_join(copy, sizeof copy, backup_dir, bk_basename(original));
    if (bk_copy(copy, restored) != 0) return JET_errDiskIO;
    memset(&li, 0, sizeof li);
    li.cbSize = sizeof li;
    li.ulGenLow = lo;
    li.ulGenHigh = hi;
    snprintf(li.szBaseName, sizeof li.szBaseName, "edb");
    JET_RSTMAP map = {(char *)original, (char *)restored};
    return JetExternalRestore2((char *)log_path, (char *)log_path, &map, 1, (char *)backup_dir, &li,
                               NULL, NULL, NULL, NULL);
}

/* ---- the scenario, the same in both modes
 * -------------------------------------------------------- */
struct scenario {
    int legacy;
    char root[BK_PATH];
};

/* Starts the one instance of the mode on dir; fills *api and *ses. */
static void start_instance(const struct scenario *s, const char *dir, struct ese_api *api,
                           JET_SESID *ses)
{
    api->legacy = s->legacy;
    api->instance = 0;
    if (s->legacy) {
        BK_CHILD_EQ(bk_set_params(NULL, dir, NULL), JET_errSuccess);
        BK_CHILD_EQ(JetInit(NULL), JET_errSuccess);
    } else {
        BK_CHILD_EQ(JetCreateInstance(&api->instance, "ese-client"), JET_errSuccess);
        BK_CHILD_EQ(bk_set_params(&api->instance, dir, NULL), JET_errSuccess);
        BK_CHILD_EQ(JetInit(&api->instance), JET_errSuccess);
    }
    BK_CHILD_EQ(JetBeginSession(api->instance, ses, NULL, NULL), JET_errSuccess);
}

static void stop_instance(const struct ese_api *api, JET_SESID ses)
{
    BK_CHILD_EQ(JetEndSession(ses, 0), JET_errSuccess);
    BK_CHILD_EQ(JetTerm(api->instance), JET_errSuccess);
}

static void scenario_main(void *p)
{
    const struct scenario *s = p;
    char live[BK_PATH], bkdir[BK_PATH], rst[BK_PATH], rlogs[BK_PATH], restored[BK_PATH],
        check[BK_PATH];
    char dbpath[BK_PATH];
    bk_join(live, sizeof live, s->root, "live");
    bk_join(bkdir, sizeof bkdir, s->root, "backup");
    bk_join(rst, sizeof rst, s->root, "restore");
    bk_join(rlogs, sizeof rlogs, rst, "logs");
    bk_join(check, sizeof check, s->root, "check");
    bk_join(dbpath, sizeof dbpath, live, BK_DB_FILE);
    bk_join(restored, sizeof restored, rst, BK_DB_FILE);
    BK_CHILD_CHECK(bk_mkdir(live) == 0 && bk_mkdir(bkdir) == 0 && bk_mkdir(rst) == 0 &&
                   bk_mkdir(check) == 0);

    struct ese_api api;
    JET_SESID ses;
    JET_DBID db;
    struct bk_kv kv;
    uint8_t *buf = malloc(BK_VALUE_MAX);
    start_instance(s, live, &api, &ses);
    BK_CHILD_EQ(JetCreateDatabase(ses, dbpath, NULL, &db, 0), JET_errSuccess);
    BK_CHILD_EQ(bk_kv_create(ses, db, &kv), JET_errSuccess);
    uint32_t seq = 1;
    /* Transactions over a few log generations. */
    JET_XINSTANCEINFO info;
    BK_CHILD_EQ(JetXGetInstanceInfo(api.instance, &info), JET_errSuccess);
    unsigned long gen0 = info.ulCurrentGeneration;
    do {
        BK_CHILD_EQ(bk_txn_write(ses, &kv, seq++, buf), JET_errSuccess);
        BK_CHILD_EQ(JetXGetInstanceInfo(api.instance, &info), JET_errSuccess);
    } while (info.ulCurrentGeneration < gen0 + 3);
    uint32_t in_backup = seq - 1;

    BK_CHILD_EQ(ese_client_backup(&api, bkdir), JET_errSuccess);

    /* Later transactions are not in the backup. */
    for (int i = 0; i < 20; i++)
        BK_CHILD_EQ(bk_txn_write(ses, &kv, seq++, buf), JET_errSuccess);
    BK_CHILD_EQ(JetCloseTable(ses, kv.t), JET_errSuccess);
    stop_instance(&api, ses);

    BK_CHILD_EQ(ese_client_restore(bkdir, dbpath, restored, rlogs), JET_errSuccess);

    /* Read the restored database back in a new instance of the same mode. */
    start_instance(s, check, &api, &ses);
    BK_CHILD_EQ(JetAttachDatabase(ses, restored, 0), JET_errSuccess);
    BK_CHILD_EQ(JetOpenDatabase(ses, restored, NULL, &db, 0), JET_errSuccess);
    BK_CHILD_EQ(bk_kv_open(ses, db, &kv), JET_errSuccess);
    uint8_t *required = calloc(MAX_SEQ + 2, 1);
    for (uint32_t i = 1; i <= in_backup; i++)
        required[i] = 1;
    struct bk_check c;
    BK_CHILD_EQ(bk_verify(ses, &kv, MAX_SEQ, required, &c), JET_errSuccess);
    bk_check_print("restored", 0, &c);
    BK_CHILD_CHECK(bk_check_ok(&c));
    BK_CHILD_EQ(c.txns, in_backup);
    /* One record through a seek, too. */
    int32_t key = (int32_t)(in_backup * 8);
    unsigned long cb = 0;
    BK_CHILD_EQ(JetMakeKey(ses, kv.t, &key, sizeof key, JET_bitNewKey), JET_errSuccess);
    BK_CHILD_EQ(JetSeek(ses, kv.t, JET_bitSeekEQ), JET_errSuccess);
    BK_CHILD_EQ(JetRetrieveColumn(ses, kv.t, kv.v, buf, BK_VALUE_MAX, &cb, 0, NULL),
                JET_errSuccess);
    BK_CHILD_EQ(cb, bk_value_len(in_backup, 0));
    key = (int32_t)((in_backup + 1) * 8);
    BK_CHILD_EQ(JetMakeKey(ses, kv.t, &key, sizeof key, JET_bitNewKey), JET_errSuccess);
    BK_CHILD_EQ(JetSeek(ses, kv.t, JET_bitSeekEQ), JET_errRecordNotFound);
    BK_CHILD_EQ(JetCloseTable(ses, kv.t), JET_errSuccess);
    stop_instance(&api, ses);
    bk_check_free(&c);
    free(required);
    free(buf);
}

static int setup(void **state)
{
    struct scenario *s = calloc(1, sizeof *s);
    if (!s || bk_mkdtemp(s->root, sizeof s->root, "eseclient") != 0) return -1;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct scenario *s = *state;
    if (s && !getenv("BK_KEEP")) bk_rmtree(s->root);
    free(s);
    return 0;
}

static void test_client_in_one_instance_mode(void **state)
{
    struct scenario *s = *state;
    s->legacy = 1;
    assert_int_equal(bk_run_in_child(scenario_main, s), 0);
}

static void test_client_in_multi_instance_mode(void **state)
{
    struct scenario *s = *state;
    s->legacy = 0;
    assert_int_equal(bk_run_in_child(scenario_main, s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_client_in_one_instance_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_in_multi_instance_mode, setup, teardown),
    };
    return cmocka_run_group_tests_name("esebackup_client", tests, NULL, NULL);
}
