/*
 * test_backup.c — backup jobs (server/backup.c) against a real application (catalog, engine,
 * instance "default" in a temporary data directory): when a fatal engine error tears a backup down
 * behind the job's back (here a database opened through the sequential API after the log call,
 * which ends the whole backup with event 214), the job is finished as failed with the engine's
 * code, a new begin starts a backup the server tracks (never an engine backup without a job), and
 * the old job's end call answers JET_errNoBackup without ending anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/app.h"
#include "../../server/backup.h"
#include "../../server/config.h"
#include "../../server/instance.h"
#include "../common/testfx.h"

struct fixture {
    char dir[TFX_PATH_MAX];
    struct hc_config cfg;
    struct hc_app app;
    struct hc_instance *inst;
};

static int fixture_up(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL || tfx_mkdtemp(fx->dir, sizeof fx->dir, "backupjob") != 0) return -1;
    setenv("HOTCOPY_TOKEN", "test-backup-token", 1);
    char *argv[] = {"hotcopyd",        "--listen", "127.0.0.1:0", "--data", fx->dir,
                    "--log-file-size", "128",      "--threads",   "1"};
    char err[256];
    if (hc_config_parse(&fx->cfg, 9, argv, err, sizeof err) != HC_CONFIG_RUN) return -1;
    if (hc_app_start(&fx->app, &fx->cfg) != 0) return -1;
    fx->inst = hc_instances_find(fx->app.instances, "default");
    if (fx->inst == NULL || fx->inst->init_err < 0) return -1;
    *state = fx;
    return 0;
}

static int fixture_down(void **state)
{
    struct fixture *fx = *state;
    hc_app_stop(&fx->app);
    hc_config_free(&fx->cfg);
    tfx_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* The engine's running backup: its phase and id. */
static unsigned long engine_phase(struct fixture *fx, unsigned long long *id)
{
    JET_XBACKUPINFO *info = calloc(1, sizeof *info);
    assert_non_null(info);
    assert_int_equal(JetXGetBackupInfo(fx->inst->jet, info), JET_errSuccess);
    unsigned long phase = info->phase;
    if (id) *id = info->ullBackupId;
    free(info);
    return phase;
}

/* Begins a full backup, makes the log call, then opens its database through the sequential API:
 * a sequence error that makes the engine tear the backup down. Returns the job. */
static struct hc_backup_job *torn_down_backup(struct fixture *fx)
{
    struct hc_backup_job *job = NULL;
    int64_t id = 0;
    assert_int_equal(hc_backup_begin(&fx->app, fx->inst, CAT_BACKUP_FULL, &job, &id), 0);
    JET_LOGINFO li;
    assert_true(hc_backup_logs(job, &li) >= 0);
    struct hc_backup_file db;
    assert_true(job->file_count >= 1 && job->files[0].kind == CAT_FILE_DATABASE);
    db = job->files[0];
    JET_HANDLE hf;
    unsigned long lo = 0, hi = 0;
    assert_int_equal(JetOpenFileInstance(fx->inst->jet, db.engine_name, &hf, &lo, &hi),
                     JET_errInvalidBackupSequence);
    assert_int_equal(engine_phase(fx, NULL), JET_XBACKUP_PHASE_NONE);
    return job;
}

static void assert_failed_in_catalog(struct fixture *fx, int64_t id, JET_ERR code)
{
    struct cat_backup row;
    assert_int_equal(cat_backup_get(fx->app.cat, id, &row), CAT_OK);
    assert_int_equal(row.phase, CAT_PHASE_FAILED);
    assert_true(row.has_result);
    assert_int_equal(row.result.code, code);
    assert_string_equal(row.result.name, JetXErrorName(code));
}

static size_t catalog_backups(struct fixture *fx)
{
    struct cat_backup_filter f = {.limit = CAT_LIST_MAX};
    struct cat_backup *list = NULL;
    size_t n = 0;
    assert_int_equal(cat_backup_list(fx->app.cat, &f, &list, &n), CAT_OK);
    free(list);
    return n;
}

static void begin_after_a_teardown_finishes_the_old_job_and_tracks_the_new_backup(void **state)
{
    struct fixture *fx = *state;
    struct hc_backup_job *old = torn_down_backup(fx);
    int64_t old_id = old->id;

    struct hc_backup_job *job = NULL;
    int64_t id = 0;
    assert_int_equal(hc_backup_begin(&fx->app, fx->inst, CAT_BACKUP_FULL, &job, &id), 0);
    assert_non_null(job);
    assert_true(id != old_id);
    assert_ptr_equal(fx->inst->backup, job);
    unsigned long long engine_id = 0;
    assert_int_equal(engine_phase(fx, &engine_id), JET_XBACKUP_PHASE_DATABASE);
    assert_int_equal(engine_id, (unsigned long long)id); /* the engine's backup is the job's */
    assert_failed_in_catalog(fx, old_id, JET_errInvalidBackupSequence);

    /* the old end call: the engine's answer for that backup, and the new one goes on */
    assert_int_equal(hc_backup_end(old, false, false), JET_errNoBackup);
    assert_int_equal(engine_phase(fx, &engine_id), JET_XBACKUP_PHASE_DATABASE);
    assert_int_equal(engine_id, (unsigned long long)id);
    assert_failed_in_catalog(fx, old_id, JET_errInvalidBackupSequence);
    assert_ptr_equal(fx->inst->backup, job);

    assert_int_equal(hc_backup_end(job, true, false), errBackupAbortByCaller);
    assert_int_equal(engine_phase(fx, NULL), JET_XBACKUP_PHASE_NONE);
    hc_backup_unref(job);
    hc_backup_unref(old);
}

static void end_after_a_teardown_answers_no_backup_and_records_the_engines_code(void **state)
{
    struct fixture *fx = *state;
    struct hc_backup_job *old = torn_down_backup(fx);
    assert_int_equal(hc_backup_end(old, false, false), JET_errNoBackup);
    assert_failed_in_catalog(fx, old->id, JET_errInvalidBackupSequence);
    assert_null(fx->inst->backup);
    assert_int_equal(engine_phase(fx, NULL), JET_XBACKUP_PHASE_NONE); /* nothing was started */
    hc_backup_unref(old);
}

static void calls_after_a_teardown_finish_the_job(void **state)
{
    struct fixture *fx = *state;
    struct hc_backup_job *old = torn_down_backup(fx);
    assert_int_equal(hc_backup_truncate(old), JET_errNoBackup);
    assert_null(fx->inst->backup);
    assert_failed_in_catalog(fx, old->id, JET_errInvalidBackupSequence);
    assert_int_equal(hc_backup_stop(old), JET_errNoBackup);
    hc_backup_unref(old);
}

static void begin_while_a_backup_runs_answers_in_progress_without_a_row(void **state)
{
    struct fixture *fx = *state;
    struct hc_backup_job *job = NULL;
    int64_t id = 0, second = -1;
    assert_int_equal(hc_backup_begin(&fx->app, fx->inst, CAT_BACKUP_FULL, &job, &id), 0);
    size_t rows = catalog_backups(fx);
    struct hc_backup_job *none = NULL;
    assert_int_equal(hc_backup_begin(&fx->app, fx->inst, CAT_BACKUP_FULL, &none, &second),
                     JET_errBackupInProgress);
    assert_null(none);
    assert_int_equal(second, 0);
    assert_int_equal(catalog_backups(fx), rows);
    unsigned long long engine_id = 0;
    assert_int_equal(engine_phase(fx, &engine_id), JET_XBACKUP_PHASE_DATABASE);
    assert_int_equal(engine_id, (unsigned long long)id);
    assert_ptr_equal(fx->inst->backup, job);
    assert_int_equal(hc_backup_end(job, true, false), errBackupAbortByCaller);
    hc_backup_unref(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            begin_after_a_teardown_finishes_the_old_job_and_tracks_the_new_backup, fixture_up,
            fixture_down),
        cmocka_unit_test_setup_teardown(
            end_after_a_teardown_answers_no_backup_and_records_the_engines_code, fixture_up,
            fixture_down),
        cmocka_unit_test_setup_teardown(calls_after_a_teardown_finish_the_job, fixture_up,
                                        fixture_down),
        cmocka_unit_test_setup_teardown(begin_while_a_backup_runs_answers_in_progress_without_a_row,
                                        fixture_up, fixture_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
