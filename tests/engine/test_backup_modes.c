/*
 * test_backup_modes.c — the process-wide instance modes and the backup calls (spec/backup-api.md,
 * "Instances and modes"): the legacy (instance-less) calls in multi-instance mode and with no mode,
 * and the calls one-instance mode refuses. The mode belongs to the process, so every test runs in
 * its own forked child and reports through its exit status (BK_CHILD_* checks, no cmocka asserts
 * in the child).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

struct dir_arg {
    char root[BK_PATH];
};

static int setup(void **state)
{
    struct dir_arg *d = calloc(1, sizeof *d);
    if (!d || bk_mkdtemp(d->root, sizeof d->root, "modes") != 0) return -1;
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    struct dir_arg *d = *state;
    if (d) bk_rmtree(d->root);
    free(d);
    return 0;
}

/* Every legacy backup call once, each expected to return want. */
static void legacy_calls_return(JET_ERR want)
{
    char szz[1024];
    unsigned long cb = 0, lo, hi, got;
    JET_HANDLE hf = 0;
    uint8_t buf[3 * BK_PAGE];
    BK_CHILD_EQ(JetBeginExternalBackup(0), want);
    BK_CHILD_EQ(JetGetAttachInfo(szz, sizeof szz, &cb), want);
    BK_CHILD_EQ(JetOpenFile("x.edb", &hf, &lo, &hi), want);
    BK_CHILD_EQ(JetReadFile(1, buf, sizeof buf, &got), want);
    BK_CHILD_EQ(JetCloseFile(1), want);
    BK_CHILD_EQ(JetGetLogInfo(szz, sizeof szz, &cb), want);
    BK_CHILD_EQ(JetTruncateLog(), want);
    BK_CHILD_EQ(JetEndExternalBackup(), want);
    BK_CHILD_EQ(JetStopBackup(), want);
    BK_CHILD_EQ(JetStopService(), want);
}

static void child_legacy_calls_in_multi_instance_mode(void *p)
{
    struct dir_arg *d = p;
    JET_INSTANCE inst;
    BK_CHILD_EQ(JetCreateInstance(&inst, "multi"), JET_errSuccess);
    BK_CHILD_EQ(bk_set_params(&inst, d->root, NULL), JET_errSuccess);
    BK_CHILD_EQ(JetInit(&inst), JET_errSuccess);
    BK_CHILD_EQ(JetBeginExternalBackupInstance(inst, 0), JET_errSuccess);
    legacy_calls_return(JET_errRunningInMultiInstanceMode);
    BK_CHILD_EQ(JetInit(NULL), JET_errRunningInMultiInstanceMode);
    /* The instance's own backup was not touched by any of them. */
    BK_CHILD_EQ(JetEndExternalBackupInstance(inst), errBackupAbortByCaller);
    BK_CHILD_EQ(JetTerm(inst), JET_errSuccess);
}

static void test_legacy_calls_in_multi_instance_mode(void **state)
{
    assert_int_equal(bk_run_in_child(child_legacy_calls_in_multi_instance_mode, *state), 0);
}

static void child_legacy_calls_with_no_mode(void *p)
{
    (void)p;
    legacy_calls_return(JET_errInvalidParameter);
}

static void test_legacy_calls_with_no_mode_are_invalid_parameter(void **state)
{
    assert_int_equal(bk_run_in_child(child_legacy_calls_with_no_mode, *state), 0);
}

/* JetEnableMultiInstance alone enters multi-instance mode. */
static void child_enable_multi_instance(void *p)
{
    (void)p;
    unsigned long ok = 0;
    BK_CHILD_EQ(JetEnableMultiInstance(NULL, 0, &ok), JET_errSuccess);
    BK_CHILD_EQ(JetEndExternalBackup(), JET_errRunningInMultiInstanceMode);
    BK_CHILD_EQ(JetInit(NULL), JET_errRunningInMultiInstanceMode);
}

static void test_enable_multi_instance_enters_multi_instance_mode(void **state)
{
    assert_int_equal(bk_run_in_child(child_enable_multi_instance, *state), 0);
}

static void child_one_instance_mode_refusals(void *p)
{
    struct dir_arg *d = p;
    JET_INSTANCE other = 0, legacy = 0;
    unsigned long ok;
    BK_CHILD_EQ(bk_set_params(NULL, d->root, NULL), JET_errSuccess);
    BK_CHILD_EQ(JetInit(NULL), JET_errSuccess);
    BK_CHILD_EQ(JetInit(NULL), JET_errAlreadyInitialized);
    BK_CHILD_EQ(JetInit(&legacy), JET_errAlreadyInitialized);
    BK_CHILD_EQ(JetCreateInstance(&other, "second"), JET_errRunningInOneInstanceMode);
    BK_CHILD_EQ(JetCreateInstance2(&other, "second", "second", 0), JET_errRunningInOneInstanceMode);
    BK_CHILD_EQ(JetEnableMultiInstance(NULL, 0, &ok), JET_errRunningInOneInstanceMode);
    JET_RSTMAP map = {(char *)"a.edb", (char *)"b.edb"};
    JET_LOGINFO li = {sizeof li, 1, 1, "edb"};
    BK_CHILD_EQ(JetExternalRestore(d->root, d->root, &map, 1, d->root, 1, 1, NULL),
                JET_errRunningInOneInstanceMode);
    BK_CHILD_EQ(
        JetExternalRestore2(d->root, d->root, &map, 1, d->root, &li, NULL, NULL, NULL, NULL),
        JET_errRunningInOneInstanceMode);
    /* The legacy backup calls act on the one instance. */
    BK_CHILD_EQ(JetEndExternalBackup(), JET_errNoBackup);
    BK_CHILD_EQ(JetBeginExternalBackup(0), JET_errSuccess);
    BK_CHILD_EQ(JetBeginExternalBackup(0), JET_errBackupInProgress);
    BK_CHILD_EQ(JetEndExternalBackup(), errBackupAbortByCaller);
    BK_CHILD_EQ(JetBeginExternalBackup(0), JET_errSuccess);
    BK_CHILD_EQ(JetStopBackup(), JET_errSuccess);
    BK_CHILD_EQ(JetEndExternalBackup(), JET_errBackupAbortByServer);
    /* The gate applies to the legacy forms too. */
    BK_CHILD_EQ(JetBeginExternalBackup(0), JET_errSuccess);
    BK_CHILD_EQ(JetStopService(), JET_errSuccess);
    BK_CHILD_EQ(JetEndExternalBackup(), JET_errClientRequestToStopJetService);
    BK_CHILD_EQ(JetTerm2(0, JET_bitTermStopBackup), JET_errSuccess);
    /* The mode resets when the last instance is freed. */
    BK_CHILD_EQ(JetCreateInstance(&other, "after"), JET_errSuccess);
    BK_CHILD_EQ(JetEndExternalBackup(), JET_errRunningInMultiInstanceMode);
    BK_CHILD_EQ(JetTerm(other), JET_errSuccess);
}

static void test_one_instance_mode_refusals(void **state)
{
    assert_int_equal(bk_run_in_child(child_one_instance_mode_refusals, *state), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_legacy_calls_in_multi_instance_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_calls_with_no_mode_are_invalid_parameter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_enable_multi_instance_enters_multi_instance_mode,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_instance_mode_refusals, setup, teardown),
    };
    return cmocka_run_group_tests_name("backup_modes", tests, NULL, NULL);
}
