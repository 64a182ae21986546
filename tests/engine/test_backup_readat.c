/*
 * test_backup_readat.c — the offset read extension JetXReadFileAt (spec/backup-api.md, "Offset
 * reads"; decisions in the backup issue): same layout, phase rules and verification as the
 * sequential API, any offset and length, names as listed or by base name, a file complete once
 * every byte was delivered by either path; the backup ending or stopping under concurrent offset
 * readers; the fields every backup event carries; and a backup of two databases restored together
 * and one of them alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

#define MAX_SEQ 20000

struct tc {
    struct bk_env e;
    struct bk_events *ev;
    char bk[BK_PATH];
    uint32_t next;
};

static int setup(void **state)
{
    struct tc *t = calloc(1, sizeof *t);
    if (!t) return -1;
    t->ev = bk_events_start();
    JET_ERR err = bk_env_open(&t->e, "readat", NULL);
    t->next = 1;
    if (err >= 0) err = bk_write_gens(&t->e, 1, 2, &t->next);
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

static JET_XBACKUPINFO *backup_info(struct tc *t)
{
    JET_XBACKUPINFO *bi = calloc(1, sizeof *bi);
    assert_non_null(bi);
    BK_OK(JetXGetBackupInfo(t->e.inst, bi));
    return bi;
}

static unsigned long long db_size(struct tc *t)
{
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_true(bi->cFiles >= 1);
    unsigned long long size = bi->rgFiles[0].cbSize;
    free(bi);
    return size;
}

/* The log call; returns the list (caller frees) and its count. */
static char (*log_call(struct tc *t, JET_LOGINFO *li, int *n))[BK_PATH]
{
    char szz[16384];
    unsigned long cb;
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    assert_non_null(list);
    memset(li, 0, sizeof *li);
    li->cbSize = sizeof *li;
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, li));
    *n = bk_szz_split(szz, list, 64);
    return list;
}

/* Reads a whole file with JetXReadFileAt in pieces of `piece` bytes into a new buffer. */
static uint8_t *read_at_whole(struct tc *t, const char *name, unsigned long long size,
                              unsigned long piece)
{
    uint8_t *buf = malloc(size + piece);
    unsigned long got;
    assert_non_null(buf);
    for (unsigned long long off = 0; off < size; off += got) {
        BK_OK(JetXReadFileAt(t->e.inst, name, off, buf + off, piece, &got));
        assert_true(got > 0);
    }
    return buf;
}

/* ---- layout and sizes
 * ---------------------------------------------------------------------------- */
static void test_offset_reads_give_the_sequential_layout(void **state)
{
    struct tc *t = *state;
    unsigned long got = 99;
    uint8_t small[64];
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    unsigned long long size = db_size(t);
    uint8_t *at = read_at_whole(t, t->e.dbpath, size, 5000); /* odd pieces across page boundaries */
    char dest[BK_PATH];
    bk_join(dest, sizeof dest, t->bk, BK_DB_FILE);
    unsigned long long seq_size = 0;
    BK_OK(bk_copy_seq(t->e.inst, t->e.dbpath, dest, 5 * BK_PAGE, &seq_size));
    assert_int_equal(seq_size, size);
    uint8_t *seq = malloc(size);
    assert_int_equal(bk_read_at(dest, seq, size, 0), 0);
    assert_memory_equal(at, seq, size);
    /* Sizes: nothing asked, nothing given; at or past the end, nothing; across it, the rest. */
    BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, 10, small, 0, &got));
    assert_int_equal(got, 0);
    BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, size, small, sizeof small, &got));
    assert_int_equal(got, 0);
    BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, size + 12345, small, sizeof small, &got));
    assert_int_equal(got, 0);
    BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, size - 10, small, sizeof small, &got));
    assert_int_equal(got, 10);
    assert_memory_equal(small, seq + size - 10, 10);
    BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, NULL, 10, &got), JET_errInvalidParameter);
    free(at);
    free(seq);
}

static void test_offset_read_names(void **state)
{
    struct tc *t = *state;
    uint8_t buf[BK_PAGE];
    unsigned long got;
    char log1[BK_PATH], other[BK_PATH];
    bk_log_name(log1, sizeof log1, t->e.dir, 1);
    bk_join(other, sizeof other, t->e.root, BK_DB_FILE); /* same base name, another directory */
    BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, buf, sizeof buf, &got), JET_errNoBackup);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, buf, sizeof buf, &got));
    BK_OK(JetXReadFileAt(t->e.inst, BK_DB_FILE, 0, buf, sizeof buf, &got));
    BK_EQ(JetXReadFileAt(t->e.inst, other, 0, buf, sizeof buf, &got), JET_errDatabaseNotFound);
    BK_EQ(JetXReadFileAt(t->e.inst, "nothing.edb", 0, buf, sizeof buf, &got),
          JET_errDatabaseNotFound);
    BK_EQ(JetXReadFileAt(t->e.inst, log1, 0, buf, sizeof buf, &got), JET_errDatabaseNotFound);
    BK_EQ(JetXReadFileAt(t->e.inst, "", 0, buf, sizeof buf, &got), JET_errInvalidParameter);
    BK_EQ(JetXReadFileAt(t->e.inst, NULL, 0, buf, sizeof buf, &got), JET_errInvalidParameter);
    JET_LOGINFO li;
    int n;
    char(*list)[BK_PATH] = log_call(t, &li, &n);
    BK_OK(JetXReadFileAt(t->e.inst, list[0], 0, buf, sizeof buf, &got));
    BK_OK(JetXReadFileAt(t->e.inst, bk_basename(list[0]), 0, buf, sizeof buf, &got));
    /* The database, now: refused, and the backup goes on. */
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, buf, sizeof buf, &got),
          JET_errInvalidBackupSequence);
    BK_EQ(JetXReadFileAt(t->e.inst, BK_DB_FILE, 0, buf, sizeof buf, &got),
          JET_errInvalidBackupSequence);
    assert_int_equal(bk_events_since(t->ev, m, 214), 0);
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_int_equal(bi->phase, JET_XBACKUP_PHASE_LOGS);
    free(bi);
    free(list);
}

static void test_offset_read_of_database_in_incremental_refused(void **state)
{
    struct tc *t = *state;
    uint8_t buf[BK_PAGE];
    unsigned long got;
    struct bk_run r = {.truncate = 1};
    BK_OK(bk_backup_seq(t->e.inst, t->bk, &r));
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, JET_bitBackupIncremental));
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, buf, sizeof buf, &got),
          JET_errInvalidBackupSequence);
    assert_int_equal(bk_events_since(t->ev, m, 214), 0);
    JET_LOGINFO li;
    int n;
    char(*list)[BK_PATH] = log_call(t, &li, &n); /* the incremental goes on */
    assert_true(n > 0);
    free(list);
}

static void test_both_read_paths_together_complete_a_file(void **state)
{
    struct tc *t = *state;
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    unsigned long long size = db_size(t);
    uint8_t *buf = malloc(size);
    BK_OK(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi));
    unsigned long long half = (size / BK_PAGE / 2) * BK_PAGE, done = 0;
    while (done < half) {
        BK_OK(JetReadFileInstance(t->e.inst, hf, buf + done, 3 * BK_PAGE, &got));
        done += got;
    }
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
    assert_int_equal(bk_events_since(t->ev, m, 222), 1);
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_int_equal(bi->rgFiles[0].fComplete, 0);
    assert_int_equal(bi->rgFiles[0].cbDelivered, done);
    free(bi);
    /* The rest, backwards, in pieces that overlap what the handle read. */
    for (unsigned long long end = size; end > done - 100;) {
        unsigned long long start = end > 7000 ? end - 7000 : 0;
        if (start < done - 100) start = done - 100;
        BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, start, buf + start,
                             (unsigned long)(end - start), &got));
        assert_int_equal(got, end - start);
        end = start;
    }
    bi = backup_info(t);
    assert_int_equal(bi->rgFiles[0].fComplete, 1);
    assert_int_equal(bi->rgFiles[0].cbDelivered, size);
    free(bi);
    JET_LOGINFO li;
    int n;
    char(*list)[BK_PATH] = log_call(t, &li, &n);
    for (int i = 0; i < n; i++) {
        uint8_t *l = read_at_whole(t, bk_basename(list[i]), (unsigned long long)bk_size(list[i]),
                                   3 * BK_PAGE);
        free(l);
    }
    BK_OK(JetTruncateLogInstance(t->e.inst));
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    JET_DBINFOMISC4 h;
    BK_OK(bk_header(t->e.dbpath, &h));
    assert_int_equal(h.bkinfoFullPrev.genHigh, li.ulGenHigh);
    free(list);
    free(buf);
}

/* ---- verification
 * -------------------------------------------------------------------------------- */
static void test_offset_read_of_damaged_log_ends_backup_218(void **state)
{
    struct tc *t = *state;
    uint8_t *buf = malloc(16 * 1024);
    unsigned long got;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    free(read_at_whole(t, t->e.dbpath, db_size(t), 64 * 1024));
    JET_LOGINFO li;
    int n;
    char(*list)[BK_PATH] = log_call(t, &li, &n);
    BK_OK(JetXReadFileAt(t->e.inst, list[0], 0, buf, 4096, &got)); /* verified at first access */
    assert_int_equal(bk_flip_byte(list[0], 40000), 0);
    BK_OK(JetXReadFileAt(t->e.inst, list[0], 0, buf, 4096,
                         &got)); /* an intact block is still served */
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetXReadFileAt(t->e.inst, list[0], 39990, buf, 100, &got), JET_errLogReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 218), 1);
    assert_int_equal(bk_events_since(t->ev, m, 214), 1);
    BK_EQ(JetXReadFileAt(t->e.inst, list[1], 0, buf, 4096, &got), JET_errNoBackup);
    BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errNoBackup);
    free(list);
    free(buf);
}

static void test_offset_read_of_damaged_page_fails_that_database_217(void **state)
{
    struct tc *t = *state;
    BK_OK(bk_write_txns(&t->e, t->next, t->next + 40));
    t->next += 41;
    BK_OK(bk_env_term(&t->e, JET_bitTermComplete));
    /* Damage the last large-value page of the file, then restart without opening the table. */
    long long size = bk_size(t->e.dbpath);
    uint8_t *pg = malloc(BK_PAGE);
    uint32_t victim = 0;
    for (uint32_t p = 2; (long long)(p + 1) * BK_PAGE <= size; p++) {
        assert_int_equal(bk_read_at(t->e.dbpath, pg, BK_PAGE, (long long)p * BK_PAGE), 0);
        uint32_t pgno =
            (uint32_t)pg[4] | (uint32_t)pg[5] << 8 | (uint32_t)pg[6] << 16 | (uint32_t)pg[7] << 24;
        if (pgno == p && pg[16] == 5) victim = p;
    }
    free(pg);
    assert_true(victim > 2);
    assert_int_equal(bk_flip_byte(t->e.dbpath, (long long)victim * BK_PAGE + 3000), 0);
    BK_OK(bk_env_start(&t->e));
    BK_OK(JetAttachDatabase(t->e.ses, t->e.dbpath, 0));
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    uint8_t *buf = malloc(2 * BK_PAGE);
    unsigned long got;
    size_t m = bk_events_mark(t->ev);
    /* Pages around it are fine; the read that covers it fails the database. */
    BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, (unsigned long long)(victim - 1) * BK_PAGE, buf,
                         BK_PAGE, &got));
    BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, (unsigned long long)victim * BK_PAGE + 17, buf,
                         100, &got),
          JET_errReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 217), 1);
    assert_int_equal(bk_events_since(t->ev, m, 214), 0);
    BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, buf, BK_PAGE, &got), JET_errReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 217), 1); /* reported once */
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_int_equal(bi->rgFiles[0].fFailed, 1);
    free(bi);
    JET_LOGINFO li;
    int n;
    char(*list)[BK_PATH] = log_call(t, &li, &n);
    for (int i = 0; i < n; i++)
        free(read_at_whole(t, list[i], (unsigned long long)bk_size(list[i]), 64 * 1024));
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    JET_DBINFOMISC4 h;
    BK_OK(bk_header(t->e.dbpath, &h));
    assert_int_equal(h.bkinfoCopyPrev.genHigh, 0);
    free(list);
    free(buf);
}

/* ---- concurrent readers and the end of the backup
 * ------------------------------------------------ */
struct hammer {
    struct tc *t;
    unsigned long long size;
    uint64_t seed;
    JET_ERR last;
    atomic_long ok;
    atomic_int *go;
};

static void *hammer_thread(void *p)
{
    struct hammer *h = p;
    uint64_t rng = h->seed;
    uint8_t *buf = malloc(64 * 1024);
    unsigned long got;
    while (!atomic_load(h->go)) {
    }
    for (;;) {
        unsigned long long off = bk_rand_below(&rng, h->size);
        unsigned long len = 1 + (unsigned long)bk_rand_below(&rng, 64 * 1024 - 1);
        JET_ERR err = JetXReadFileAt(h->t->e.inst, BK_DB_FILE, off, buf, len, &got);
        if (err < 0) {
            h->last = err;
            break;
        }
        atomic_fetch_add(&h->ok, 1);
    }
    free(buf);
    return NULL;
}

static void run_hammer(struct tc *t, int stop)
{
    enum { N = 4 };
    struct hammer h[N];
    pthread_t th[N];
    atomic_int go = 0;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    unsigned long long size = db_size(t);
    for (int i = 0; i < N; i++) {
        h[i].t = t;
        h[i].size = size;
        h[i].seed = (uint64_t)i * 7919 + 1;
        h[i].last = 0;
        atomic_init(&h[i].ok, 0);
        h[i].go = &go;
        assert_int_equal(pthread_create(&th[i], NULL, hammer_thread, &h[i]), 0);
    }
    atomic_store(&go, 1);
    /* Every reader is under way before the backup goes. */
    double until = bk_now() + 20;
    for (int i = 0; i < N && bk_now() < until; i++)
        while (atomic_load(&h[i].ok) < 3 && bk_now() < until)
            bk_sleep_ms(1);
    if (stop) {
        BK_OK(JetStopBackupInstance(t->e.inst));
        for (int i = 0; i < N; i++)
            pthread_join(th[i], NULL);
        BK_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errBackupAbortByServer);
    } else {
        BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort),
              errBackupAbortByCaller);
        for (int i = 0; i < N; i++)
            pthread_join(th[i], NULL);
    }
    for (int i = 0; i < N; i++) {
        assert_true(atomic_load(&h[i].ok) > 0);
        BK_EQ(h[i].last, stop ? JET_errBackupAbortByServer : JET_errNoBackup);
    }
}

static void test_end_while_offset_reads_run(void **state)
{
    run_hammer(*state, 0);
}

static void test_stop_while_offset_reads_run(void **state)
{
    run_hammer(*state, 1);
}

/* ---- events
 * -------------------------------------------------------------------------------------- */
static long long realtime_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void test_backup_events_carry_instance_category_backup_id_level_and_time(void **state)
{
    struct tc *t = *state;
    long long before = realtime_us(); /* the clock the events use; time() can lag it */
    size_t m = bk_events_mark(t->ev);
    BK_OK(JetXBeginExternalBackupInstance(t->e.inst, 0, 777));
    char dest[BK_PATH];
    bk_join(dest, sizeof dest, t->bk, BK_DB_FILE);
    BK_OK(bk_copy_seq(t->e.inst, t->e.dbpath, dest, 64 * 1024, NULL));
    JET_LOGINFO li;
    int n;
    char(*list)[BK_PATH] = log_call(t, &li, &n);
    for (int i = 0; i < n; i++) {
        bk_join(dest, sizeof dest, t->bk, bk_basename(list[i]));
        BK_OK(bk_copy_seq(t->e.inst, list[i], dest, 64 * 1024, NULL));
    }
    BK_OK(JetTruncateLogInstance(t->e.inst));
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    long long after = realtime_us();
    const unsigned long info_ids[] = {210, 220, 221, 223, 213};
    for (size_t i = 0; i < sizeof info_ids / sizeof info_ids[0]; i++) {
        struct bk_event e;
        assert_true(bk_events_last(t->ev, m, info_ids[i], &e));
        assert_int_equal(e.backup_id, 777);
        assert_string_equal(e.inst, t->e.name);
        assert_string_equal(e.category, "Logging/Recovery");
        assert_int_equal(e.level, JET_XEVENT_INFO);
        assert_true(e.time_us >= before && e.time_us <= after);
        assert_true(strlen(e.msg) > 10);
    }
    struct bk_event e;
    assert_true(bk_events_last(t->ev, m, 220, &e));
    assert_non_null(strstr(e.msg, t->e.dbpath)); /* parameters filled in */
    /* An abandoned backup warns; a failed one is an error. Backup ids of the engine's own count. */
    m = bk_events_mark(t->ev);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
    assert_true(bk_events_last(t->ev, m, 215, &e));
    assert_int_equal(e.level, JET_XEVENT_WARNING);
    assert_true(e.backup_id != 0 && e.backup_id != 777);
    unsigned long long first_id = e.backup_id;
    m = bk_events_mark(t->ev);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    free(log_call(t, &li, &n));
    JET_HANDLE hf;
    unsigned long lo, hi;
    BK_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi), JET_errInvalidBackupSequence);
    assert_true(bk_events_last(t->ev, m, 214, &e));
    assert_int_equal(e.level, JET_XEVENT_ERROR);
    assert_int_equal(e.err, JET_errInvalidBackupSequence);
    assert_true(e.backup_id != first_id); /* each backup its own id */
    free(list);
}

/* The event callback may call JetXGetBackupInfo (jet.h): events raised under the backup's lock must
 * be delivered after it. Run in a child with an alarm, so that a deadlock fails instead of hanging.
 */
struct cb_probe {
    JET_INSTANCE inst;
    int calls, info_ok;
};

static void probing_callback(const JET_XEVENT *e, void *ctx)
{
    struct cb_probe *p = ctx;
    JET_XBACKUPINFO *bi = calloc(1, sizeof *bi);
    if (bi && JetXGetBackupInfo(p->inst, bi) >= 0) p->info_ok++;
    free(bi);
    p->calls++;
    (void)e;
}

static void child_callback_calls_backup_info(void *arg)
{
    struct tc *t = arg;
    struct cb_probe probe = {t->e.inst, 0, 0};
    alarm(30);
    BK_CHILD_EQ(JetXSetEventCallback(probing_callback, &probe), JET_errSuccess);
    struct bk_run r = {.truncate = 1};
    BK_CHILD_EQ(bk_backup_seq(t->e.inst, t->bk, &r),
                JET_errSuccess); /* 210, 220, 221, 223, 224/225, 213 */
    BK_CHILD_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errSuccess);
    char szz[16384];
    unsigned long cb, lo, hi;
    BK_CHILD_EQ(JetGetLogInfoInstance(t->e.inst, szz, sizeof szz, &cb), JET_errSuccess);
    JET_HANDLE hf;
    BK_CHILD_EQ(JetOpenFileInstance(t->e.inst, t->e.dbpath, &hf, &lo, &hi),
                JET_errInvalidBackupSequence); /* 214 */
    BK_CHILD_EQ(JetBeginExternalBackupInstance(t->e.inst, 0), JET_errSuccess);
    BK_CHILD_EQ(JetStopBackupInstance(t->e.inst), JET_errSuccess);
    BK_CHILD_EQ(JetEndExternalBackupInstance(t->e.inst), JET_errBackupAbortByServer); /* 226 */
    BK_CHILD_CHECK(probe.calls >= 8);
    BK_CHILD_EQ(probe.info_ok, probe.calls);
    JetXSetEventCallback(NULL, NULL);
}

static void test_event_callback_may_call_backup_info(void **state)
{
    struct tc *t = *state;
    int rc = bk_run_in_child(child_callback_calls_backup_info, t);
    if (rc == 128 + SIGALRM) fprintf(stderr, "deadlock: the callback never returned\n");
    assert_int_equal(rc, 0);
}

/* ---- two databases
 * ------------------------------------------------------------------------------- */
static void test_two_databases_backed_up_and_restored_together_or_alone(void **state)
{
    struct tc *t = *state;
    char second[BK_PATH];
    JET_DBID db2;
    struct bk_kv kv2;
    bk_join(second, sizeof second, t->e.dir, "second.edb");
    BK_OK(JetCreateDatabase(t->e.ses, second, NULL, &db2, 0));
    BK_OK(bk_kv_create(t->e.ses, db2, &kv2));
    uint8_t *buf = malloc(BK_VALUE_MAX);
    for (uint32_t s = 1; s <= 60; s++)
        BK_OK(bk_txn_write(t->e.ses, &kv2, s, buf));
    free(buf);
    uint32_t last1 = t->next - 1;
    char szz[16384];
    unsigned long cb;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb));
    char(*dbs)[BK_PATH] = calloc(8, BK_PATH);
    assert_int_equal(bk_szz_split(szz, dbs, 8), 2);
    assert_true((strcmp(dbs[0], t->e.dbpath) == 0 && strcmp(dbs[1], second) == 0) ||
                (strcmp(dbs[1], t->e.dbpath) == 0 && strcmp(dbs[0], second) == 0));
    free(dbs);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
    struct bk_run r = {.truncate = 1};
    BK_OK(bk_backup_seq(t->e.inst, t->bk, &r));
    assert_int_equal(r.ndbs, 2);
    JET_DBINFOMISC4 h;
    BK_OK(bk_header(second, &h));
    assert_int_equal(h.bkinfoFullPrev.genHigh, r.li.ulGenHigh);
    /* Both together. */
    char dir[BK_PATH], r1[BK_PATH], r2[BK_PATH], from[BK_PATH], logs[BK_PATH], v[BK_PATH];
    bk_join(dir, sizeof dir, t->e.root, "both");
    assert_int_equal(bk_mkdir(dir), 0);
    bk_join(r1, sizeof r1, dir, BK_DB_FILE);
    bk_join(r2, sizeof r2, dir, "second.edb");
    bk_join(from, sizeof from, t->bk, BK_DB_FILE);
    assert_int_equal(bk_copy(from, r1), 0);
    bk_join(from, sizeof from, t->bk, "second.edb");
    assert_int_equal(bk_copy(from, r2), 0);
    bk_join(logs, sizeof logs, dir, "logs");
    JET_RSTMAP maps[2] = {{t->e.dbpath, r1}, {second, r2}};
    JET_LOGINFO li = r.li;
    BK_OK(JetExternalRestore2(logs, logs, maps, 2, t->bk, &li, NULL, NULL, NULL, NULL));
    uint8_t *req = calloc(MAX_SEQ + 2, 1);
    struct bk_check c;
    for (uint32_t s = 1; s <= last1; s++)
        req[s] = 1;
    bk_join(v, sizeof v, dir, "v1");
    BK_OK(bk_verify_file(v, r1, MAX_SEQ, req, &c));
    assert_true(bk_check_ok(&c));
    bk_check_free(&c);
    memset(req, 0, MAX_SEQ + 2);
    for (uint32_t s = 1; s <= 60; s++)
        req[s] = 1;
    bk_join(v, sizeof v, dir, "v2");
    BK_OK(bk_verify_file(v, r2, MAX_SEQ, req, &c));
    assert_true(bk_check_ok(&c));
    assert_int_equal(c.txns, 60);
    bk_check_free(&c);
    /* The second alone: a map may name a subset of the databases. */
    bk_join(dir, sizeof dir, t->e.root, "alone");
    assert_int_equal(bk_mkdir(dir), 0);
    bk_join(r2, sizeof r2, dir, "second.edb");
    assert_int_equal(bk_copy(from, r2), 0);
    bk_join(logs, sizeof logs, dir, "logs");
    JET_RSTMAP one = {second, r2};
    BK_OK(JetExternalRestore2(logs, logs, &one, 1, t->bk, &li, NULL, NULL, NULL, NULL));
    bk_join(v, sizeof v, dir, "v");
    BK_OK(bk_verify_file(v, r2, MAX_SEQ, req, &c));
    assert_true(bk_check_ok(&c));
    assert_int_equal(c.txns, 60);
    bk_check_free(&c);
    free(req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_offset_reads_give_the_sequential_layout, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_offset_read_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offset_read_of_database_in_incremental_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_both_read_paths_together_complete_a_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_offset_read_of_damaged_log_ends_backup_218, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_offset_read_of_damaged_page_fails_that_database_217,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_end_while_offset_reads_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_while_offset_reads_run, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_backup_events_carry_instance_category_backup_id_level_and_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_callback_may_call_backup_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_databases_backed_up_and_restored_together_or_alone,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("backup_readat", tests, NULL, NULL);
}
