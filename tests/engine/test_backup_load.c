/*
 * test_backup_load.c — online backups taken while several threads commit small and large
 * transactions, restored and checked row by row (spec/backup-api.md, "What a database looks like in
 * a backup", "Offset reads", "Hard recovery").
 *
 * Each test: a workload (bk_load) runs for the whole backup; a transaction's sequence number joins
 * the acknowledged set only after JetCommitTransaction returned. The set is copied just before
 * JetGetLogInfo. The backup is restored with JetExternalRestore2 into a fresh directory and must
 * hold every transaction of that copy, every row of every transaction it holds (no partial
 * transaction) with the right bytes. A second restore rolls forward through the live log
 * directory's later generations and edb.log and must hold every transaction acknowledged at all.
 *
 * Two clients: the sequential API (JetOpenFile/JetReadFile with varying chunk sizes and pauses
 * between reads) and JetXReadFileAt from several threads in random order, with overlapping,
 * duplicated, odd-offset, odd-length and past-the-end reads, finished by filling the gaps.
 * HOTCOPY_BACKUP_SEED replays the random choices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

#define LOAD_THREADS 4
#define LOAD_MAX_SEQ 200000
#define LOAD_PAUSE_US 1500
#define READERS 3

struct lc {
    struct bk_env e;
    struct bk_events *ev;
    struct bk_load load;
    char bk[BK_PATH];
    uint64_t seed;
};

static int setup(void **state)
{
    struct lc *t = calloc(1, sizeof *t);
    if (!t) return -1;
    struct bk_opts o = {.ckpt_depth =
                            64 * 1024}; /* checkpoints (and full page images) during the backup */
    t->ev = bk_events_start();
    t->seed = bk_seed("HOTCOPY_BACKUP_SEED");
    JET_ERR err = bk_env_open(&t->e, "load", &o);
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
    struct lc *t = *state;
    if (t) {
        bk_load_free(&t->load);
        bk_env_close(&t->e);
        bk_events_stop(t->ev);
        free(t);
    }
    return 0;
}

static void start_load(struct lc *t)
{
    assert_int_equal(bk_load_start(&t->load, t->e.inst, t->e.dbpath, LOAD_THREADS, 1, LOAD_MAX_SEQ,
                                   LOAD_PAUSE_US),
                     0);
    bk_load_wait(&t->load, 600, 30);
    assert_int_equal(atomic_load(&t->load.errors), 0);
}

static void stop_load(struct lc *t)
{
    bk_load_stop(&t->load);
    if (atomic_load(&t->load.errors))
        fprintf(stderr, "workload error %s\n", JetXErrorName(atomic_load(&t->load.first_err)));
    assert_int_equal(atomic_load(&t->load.errors), 0);
}

/* Copies the later generations (after genHigh) and edb.log of the live log directory to dir. */
static void copy_later_logs(struct lc *t, unsigned long gen_high, const char *dir)
{
    char from[BK_PATH], to[BK_PATH];
    unsigned long lo, hi;
    assert_int_equal(bk_mkdir(dir), 0);
    bk_log_range(t->e.dir, &lo, &hi);
    for (unsigned long g = gen_high + 1; g <= hi; g++) {
        bk_log_name(from, sizeof from, t->e.dir, g);
        bk_log_name(to, sizeof to, dir, g);
        assert_int_equal(bk_copy(from, to), 0);
    }
    bk_join(from, sizeof from, t->e.dir, "edb.log");
    bk_join(to, sizeof to, dir, "edb.log");
    assert_int_equal(bk_copy(from, to), 0);
}

/* Restores the backup in t->bk into root/<tag> (roll-forward from later_logs when not NULL) and
 * verifies it against required. */
static void restore_and_verify(struct lc *t, const char *tag, const JET_LOGINFO *li,
                               const char *later_logs, const uint8_t *required, long *rows)
{
    char dir[BK_PATH], db[BK_PATH], logs[BK_PATH], from[BK_PATH], verify[BK_PATH];
    bk_join(dir, sizeof dir, t->e.root, tag);
    assert_int_equal(bk_mkdir(dir), 0);
    bk_join(db, sizeof db, dir, BK_DB_FILE);
    bk_join(from, sizeof from, t->bk, BK_DB_FILE);
    assert_int_equal(bk_copy(from, db), 0);
    if (later_logs)
        snprintf(logs, sizeof logs, "%s", later_logs);
    else
        bk_join(logs, sizeof logs, dir, "logs");
    size_t m = bk_events_mark(t->ev);
    JET_ERR err = bk_restore(t->bk, t->e.dbpath, db, li, logs, NULL);
    if (err < 0) bk_events_dump(t->ev, m);
    BK_OK(err);
    assert_int_equal(bk_events_since(t->ev, m, 204), 1);
    assert_int_equal(bk_events_since(t->ev, m, 205), 1);
    assert_int_equal(bk_events_since(t->ev, m, 454), 0);
    struct bk_check c;
    bk_join(verify, sizeof verify, dir, "verify");
    err = bk_verify_file(verify, db, LOAD_MAX_SEQ, required, &c);
    bk_check_print(tag, err, &c);
    BK_OK(err);
    assert_true(bk_check_ok(&c));
    assert_true(c.txns >= bk_count_set(required, LOAD_MAX_SEQ));
    if (rows) *rows = c.rows;
    bk_check_free(&c);
}

/* ---- the sequential client
 * ------------------------------------------------------------------------ */
static void copy_seq_slowly(struct lc *t, const char *name, const char *dest, uint64_t *rng)
{
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    BK_OK(JetOpenFileInstance(t->e.inst, name, &hf, &lo, &hi));
    unsigned long long size = ((unsigned long long)hi << 32) | lo, total = 0;
    uint8_t *buf = malloc(16 * BK_PAGE);
    FILE *out = fopen(dest, "wb");
    assert_non_null(out);
    unsigned long cb = 3 * BK_PAGE;
    for (;;) {
        BK_OK(JetReadFileInstance(t->e.inst, hf, buf, cb, &got));
        if (!got) break;
        assert_int_equal(fwrite(buf, 1, got, out), got);
        total += got;
        cb = (unsigned long)(1 + bk_rand_below(rng, 8)) * BK_PAGE;
        bk_sleep_ms((long)bk_rand_below(rng, 4)); /* let writers change pages between reads */
    }
    fclose(out);
    free(buf);
    assert_int_equal(total, size);
    BK_OK(JetCloseFileInstance(t->e.inst, hf));
}

static void test_sequential_backup_under_load_restores_acknowledged_transactions(void **state)
{
    struct lc *t = *state;
    uint64_t rng = t->seed;
    char szz[16384], dest[BK_PATH];
    unsigned long cb;
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    start_load(t);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb));
    int n = bk_szz_split(szz, list, 64);
    assert_int_equal(n, 1);
    bk_join(dest, sizeof dest, t->bk, BK_DB_FILE);
    copy_seq_slowly(t, list[0], dest, &rng);
    uint8_t *required = bk_load_snapshot(&t->load);
    JET_LOGINFO li = {sizeof li, 0, 0, ""};
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, &li));
    n = bk_szz_split(szz, list, 64);
    for (int i = 0; i < n; i++) {
        bk_join(dest, sizeof dest, t->bk, bk_basename(list[i]));
        copy_seq_slowly(t, list[i], dest, &rng);
    }
    BK_OK(JetTruncateLogInstance(t->e.inst));
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    bk_load_wait(&t->load, atomic_load(&t->load.commits) + 200, 20); /* later transactions */
    stop_load(t);
    uint8_t *all = bk_load_snapshot(&t->load);
    long before = bk_count_set(required, LOAD_MAX_SEQ), total = bk_count_set(all, LOAD_MAX_SEQ);
    fprintf(stderr,
            "[ info     ] generations %lu..%lu, %ld transactions before the log call, %ld in all\n",
            li.ulGenLow, li.ulGenHigh, before, total);
    assert_true(li.ulGenHigh > li.ulGenLow);
    assert_true(total > before);
    long rows_copy = 0, rows_rolled = 0;
    restore_and_verify(t, "restore", &li, NULL, required, &rows_copy);
    char later[BK_PATH];
    bk_join(later, sizeof later, t->e.root, "later-logs");
    copy_later_logs(t, li.ulGenHigh, later);
    restore_and_verify(t, "rollforward", &li, later, all, &rows_rolled);
    assert_true(rows_rolled > rows_copy);
    free(required);
    free(all);
    free(list);
}

/* ---- the offset-read client
 * ------------------------------------------------------------------------ */
struct rfile {
    char name[BK_PATH]; /* as listed, or its base name */
    char dest[BK_PATH];
    unsigned long long size;
    int fd;
    uint8_t *cov; /* bytes delivered to dest */
    pthread_mutex_t mu;
};

struct reader {
    struct lc *t;
    struct rfile *files;
    int nfiles;
    uint64_t seed;
    JET_ERR err;
    long reads;
};

static JET_ERR read_range(struct lc *t, struct rfile *f, unsigned long long off, unsigned long len,
                          uint8_t *buf)
{
    unsigned long got = 0;
    JET_ERR err = JetXReadFileAt(t->e.inst, f->name, off, buf, len, &got);
    if (err < 0) return err;
    unsigned long long want = off >= f->size ? 0 : (f->size - off < len ? f->size - off : len);
    if (got != want) return JET_errDiskIO;
    if (got && pwrite(f->fd, buf, got, (off_t)off) != (ssize_t)got) return JET_errDiskIO;
    pthread_mutex_lock(&f->mu);
    memset(f->cov + off, 1, got);
    pthread_mutex_unlock(&f->mu);
    return JET_errSuccess;
}

static void *reader_thread(void *p)
{
    struct reader *r = p;
    uint64_t rng = r->seed;
    uint8_t *buf = malloc(5 * BK_PAGE + 40000);
    unsigned long long last_off = 0;
    unsigned long last_len = 1;
    for (int i = 0; i < r->nfiles && r->err >= 0; i++) {
        struct rfile *f = &r->files[(i + (int)(r->seed % 7)) % r->nfiles];
        long n = (long)(f->size / 12000) + 8;
        for (long k = 0; k < n && r->err >= 0; k++) {
            unsigned long long off;
            unsigned long len;
            switch (bk_rand_below(&rng, 5)) {
            case 0: /* odd offset, odd length */
                off = bk_rand_below(&rng, f->size);
                len = 1 + (unsigned long)bk_rand_below(&rng, 40000);
                break;
            case 1: /* whole pages */
                off = bk_rand_below(&rng, f->size / BK_PAGE) * BK_PAGE;
                len = (unsigned long)(1 + bk_rand_below(&rng, 4)) * BK_PAGE;
                break;
            case 2: /* the previous read again */
                off = last_off;
                len = last_len;
                break;
            case 3: /* across the end */
                off = f->size - 1 -
                      bk_rand_below(&rng, f->size < 3 * BK_PAGE ? f->size : 3 * BK_PAGE);
                len = 5 * BK_PAGE;
                break;
            default: /* a page boundary straddled by a few bytes */
                off = bk_rand_below(&rng, f->size / BK_PAGE) * BK_PAGE;
                off = off > 13 ? off - 13 : 0;
                len = 29;
                break;
            }
            if (off >= f->size) off = f->size - 1;
            last_off = off;
            last_len = len;
            r->err = read_range(r->t, f, off, len, buf);
            r->reads++;
        }
    }
    free(buf);
    return NULL;
}

/* Reads the files with READERS threads in random order, then fills what is left in odd pieces. */
static void read_at_all(struct lc *t, struct rfile *files, int n)
{
    struct reader r[READERS];
    pthread_t th[READERS];
    for (int i = 0; i < n; i++) {
        files[i].fd = open(files[i].dest, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(files[i].fd >= 0);
        files[i].cov = calloc(files[i].size + 1, 1);
        assert_non_null(files[i].cov);
        pthread_mutex_init(&files[i].mu, NULL);
    }
    for (int i = 0; i < READERS; i++) {
        r[i] = (struct reader){t, files, n, t->seed * 31 + (uint64_t)i + 1, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, reader_thread, &r[i]), 0);
    }
    long reads = 0;
    for (int i = 0; i < READERS; i++) {
        pthread_join(th[i], NULL);
        BK_OK(r[i].err);
        reads += r[i].reads;
    }
    uint8_t *buf = malloc(64 * 1024);
    long gaps = 0;
    for (int i = 0; i < n; i++) {
        struct rfile *f = &files[i];
        for (unsigned long long a = 0; a < f->size;) {
            if (f->cov[a]) {
                a++;
                continue;
            }
            unsigned long long b = a;
            while (b < f->size && !f->cov[b])
                b++;
            /* Fill [a, b) in pieces of 777 bytes and the rest. */
            for (unsigned long long o = a; o < b;) {
                unsigned long len = b - o > 777 ? 777 : (unsigned long)(b - o);
                BK_OK(read_range(t, f, o, len, buf));
                o += len;
            }
            gaps++;
            a = b;
        }
        close(f->fd);
        free(f->cov);
        pthread_mutex_destroy(&f->mu);
    }
    free(buf);
    fprintf(stderr, "[ info     ] %d file(s): %ld random reads, %ld gaps filled\n", n, reads, gaps);
}

static JET_XBACKUPINFO *backup_info(struct lc *t)
{
    JET_XBACKUPINFO *bi = calloc(1, sizeof *bi);
    assert_non_null(bi);
    BK_OK(JetXGetBackupInfo(t->e.inst, bi));
    return bi;
}

static void
test_offset_reads_in_random_order_under_load_restore_acknowledged_transactions(void **state)
{
    struct lc *t = *state;
    char szz[16384];
    unsigned long cb;
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    struct rfile *files = calloc(64, sizeof *files);
    start_load(t);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetGetAttachInfoInstance(t->e.inst, szz, sizeof szz, &cb));
    assert_int_equal(bk_szz_split(szz, list, 64), 1);
    JET_XBACKUPINFO *bi = backup_info(t);
    assert_int_equal(bi->cFiles, 1);
    snprintf(files[0].name, sizeof files[0].name, "%s", bk_basename(list[0])); /* by base name */
    bk_join(files[0].dest, sizeof files[0].dest, t->bk, BK_DB_FILE);
    files[0].size = bi->rgFiles[0].cbSize;
    free(bi);
    assert_true(files[0].size > 4 * BK_PAGE);
    read_at_all(t, files, 1);
    bi = backup_info(t);
    assert_int_equal(bi->rgFiles[0].fComplete, 1);
    assert_int_equal(bi->rgFiles[0].cbDelivered, bi->rgFiles[0].cbSize);
    free(bi);
    /* The database is closed to reads after the log call, without ending the backup. */
    uint8_t *required = bk_load_snapshot(&t->load);
    JET_LOGINFO li = {sizeof li, 0, 0, ""};
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, &li));
    uint8_t page[BK_PAGE];
    unsigned long got;
    BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, page, sizeof page, &got),
          JET_errInvalidBackupSequence);
    int n = bk_szz_split(szz, list, 64);
    memset(files, 0, 64 * sizeof *files);
    for (int i = 0; i < n; i++) {
        snprintf(files[i].name, sizeof files[i].name, "%s", i % 2 ? bk_basename(list[i]) : list[i]);
        bk_join(files[i].dest, sizeof files[i].dest, t->bk, bk_basename(list[i]));
        files[i].size = (unsigned long long)bk_size(list[i]);
    }
    read_at_all(t, files, n);
    bi = backup_info(t);
    assert_int_equal(bi->phase, JET_XBACKUP_PHASE_LOGS);
    for (unsigned long i = 0; i < bi->cFiles; i++)
        assert_int_equal(bi->rgFiles[i].fComplete, 1);
    free(bi);
    for (int i = 0; i < n; i++)
        assert_true(bk_same_file(list[i], files[i].dest));
    BK_OK(JetTruncateLogInstance(t->e.inst)); /* every listed log counts as copied */
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    JET_DBINFOMISC4 h;
    BK_OK(bk_header(t->e.dbpath, &h));
    assert_int_equal(h.bkinfoFullPrev.genHigh,
                     li.ulGenHigh); /* the database counted as read to its end */
    bk_load_wait(&t->load, atomic_load(&t->load.commits) + 200, 20);
    stop_load(t);
    uint8_t *all = bk_load_snapshot(&t->load);
    restore_and_verify(t, "restore", &li, NULL, required, NULL);
    char later[BK_PATH];
    bk_join(later, sizeof later, t->e.root, "later-logs");
    copy_later_logs(t, li.ulGenHigh, later);
    restore_and_verify(t, "rollforward", &li, later, all, NULL);
    free(required);
    free(all);
    free(files);
    free(list);
}

/* The same, but the whole database is first read page by page in reverse, then again by a second
 * pass that splices every page from two reads: two copies of the file taken at different moments.
 */
static void test_database_spliced_from_two_passes_restores(void **state)
{
    struct lc *t = *state;
    char dest[BK_PATH];
    unsigned long got;
    start_load(t);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    JET_XBACKUPINFO *bi = backup_info(t);
    unsigned long long size = bi->rgFiles[0].cbSize;
    free(bi);
    bk_join(dest, sizeof dest, t->bk, BK_DB_FILE);
    int fd = open(dest, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    uint8_t *buf = malloc(2 * BK_PAGE);
    for (long long p = (long long)(size / BK_PAGE) - 1; p >= 0; p--) {
        BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, (unsigned long long)p * BK_PAGE, buf, BK_PAGE,
                             &got));
        assert_int_equal(got, BK_PAGE);
        assert_int_equal(pwrite(fd, buf, got, (off_t)(p * BK_PAGE)), (ssize_t)got);
    }
    bk_sleep_ms(30);
    /* Second pass: the first half of each page from this later read overwrites the older one. */
    for (unsigned long long off = BK_PAGE / 2; off < size; off += BK_PAGE) {
        unsigned long long start = off - BK_PAGE / 2;
        BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, start, buf, BK_PAGE / 2, &got));
        assert_int_equal(pwrite(fd, buf, got, (off_t)start), (ssize_t)got);
    }
    close(fd);
    free(buf);
    uint8_t *required = bk_load_snapshot(&t->load);
    JET_LOGINFO li = {sizeof li, 0, 0, ""};
    char szz[16384];
    unsigned long cb;
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, &li));
    int n = bk_szz_split(szz, list, 64);
    for (int i = 0; i < n; i++) {
        bk_join(dest, sizeof dest, t->bk, bk_basename(list[i]));
        BK_OK(bk_copy_seq(t->e.inst, list[i], dest, 64 * 1024, NULL));
    }
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    stop_load(t);
    restore_and_verify(t, "restore", &li, NULL, required, NULL);
    free(required);
    free(list);
}

/* A database larger than the cache (JET_paramCacheSizeMax is floored at 512 pages): during the
 * backup, pages are evicted and written while the backup reads them from the file or the cache. */
static void test_backup_of_database_larger_than_cache_under_load(void **state)
{
    struct lc *t = *state;
    uint64_t rng = t->seed;
    uint8_t *buf = malloc(BK_VALUE_MAX);
    /* About 6 MiB of large values first (single thread, fast), then the workload on top. */
    uint32_t s = LOAD_MAX_SEQ / 2;
    BK_OK(JetBeginTransaction(t->e.ses));
    for (uint32_t n = 0; n < 1200; n++, s++) {
        int32_t k = (int32_t)(s * 8);
        unsigned long len = 5000;
        bk_value_fill(buf, len, s, 0);
        BK_OK(JetPrepareUpdate(t->e.ses, t->e.kv.t, JET_prepInsert));
        BK_OK(JetSetColumn(t->e.ses, t->e.kv.t, t->e.kv.k, &k, sizeof k, 0, NULL));
        BK_OK(JetSetColumn(t->e.ses, t->e.kv.t, t->e.kv.v, buf, len, 0, NULL));
        BK_OK(JetUpdate(t->e.ses, t->e.kv.t, NULL, 0, NULL));
        if (n % 50 == 49) {
            BK_OK(JetCommitTransaction(t->e.ses, 0));
            BK_OK(JetBeginTransaction(t->e.ses));
        }
    }
    BK_OK(JetCommitTransaction(t->e.ses, 0));
    free(buf);
    start_load(t);
    char dest[BK_PATH];
    unsigned long cb;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    bk_join(dest, sizeof dest, t->bk, BK_DB_FILE);
    copy_seq_slowly(t, t->e.dbpath, dest, &rng);
    assert_true(bk_size(dest) > 5 * 1024 * 1024);
    uint8_t *required = bk_load_snapshot(&t->load);
    JET_LOGINFO li = {sizeof li, 0, 0, ""};
    /* The list's size depends on how much the workload logged: ask, then read it whole. */
    BK_OK(JetGetLogInfoInstance2(t->e.inst, NULL, 0, &cb, &li));
    char *names = malloc(cb);
    assert_non_null(names);
    BK_OK(JetGetLogInfoInstance2(t->e.inst, names, cb, &cb, &li));
    int cap = (int)(li.ulGenHigh - li.ulGenLow + 1);
    char(*list)[BK_PATH] = calloc((size_t)cap, BK_PATH);
    int n = bk_szz_split(names, list, cap);
    free(names);
    assert_int_equal(n, cap);
    for (int i = 0; i < n; i++) {
        bk_join(dest, sizeof dest, t->bk, bk_basename(list[i]));
        BK_OK(bk_copy_seq(t->e.inst, list[i], dest, 64 * 1024, NULL));
    }
    BK_OK(JetEndExternalBackupInstance(t->e.inst));
    stop_load(t);
    /* The bulk rows are values of (seq, 0) with 5000 bytes: not the workload's row model, so check
     * only the workload's range here, and count the bulk rows separately. */
    char dir[BK_PATH], db[BK_PATH], from[BK_PATH], logs[BK_PATH];
    bk_join(dir, sizeof dir, t->e.root, "restore");
    assert_int_equal(bk_mkdir(dir), 0);
    bk_join(db, sizeof db, dir, BK_DB_FILE);
    bk_join(from, sizeof from, t->bk, BK_DB_FILE);
    assert_int_equal(bk_copy(from, db), 0);
    bk_join(logs, sizeof logs, dir, "logs");
    BK_OK(bk_restore(t->bk, t->e.dbpath, db, &li, logs, NULL));
    struct bk_env v;
    memset(&v, 0, sizeof v);
    bk_join(v.dir, sizeof v.dir, dir, "verify");
    assert_int_equal(bk_mkdir(v.dir), 0);
    BK_OK(bk_env_start(&v));
    BK_OK(JetAttachDatabase(v.ses, db, 0));
    BK_OK(JetOpenDatabase(v.ses, db, NULL, &v.dbid, 0));
    BK_OK(bk_kv_open(v.ses, v.dbid, &v.kv));
    uint8_t *val = malloc(BK_VALUE_MAX), *want = malloc(BK_VALUE_MAX);
    long bulk = 0, small = 0;
    uint8_t *seen = calloc(LOAD_MAX_SEQ + 2, 1);
    JET_ERR err = JetMove(v.ses, v.kv.t, JET_MoveFirst, 0);
    while (err >= 0) {
        int32_t k = 0;
        unsigned long ck = 0, cv = 0;
        BK_OK(JetRetrieveColumn(v.ses, v.kv.t, v.kv.k, &k, sizeof k, &ck, 0, NULL));
        BK_OK(JetRetrieveColumn(v.ses, v.kv.t, v.kv.v, val, BK_VALUE_MAX, &cv, 0, NULL));
        uint32_t seq = (uint32_t)k / 8;
        int i = (int)((uint32_t)k % 8);
        if (seq >= LOAD_MAX_SEQ / 2) {
            bk_value_fill(want, 5000, seq, 0);
            assert_int_equal(cv, 5000);
            assert_memory_equal(val, want, 5000);
            bulk++;
        } else {
            assert_int_equal(cv, bk_value_len(seq, i));
            bk_value_fill(want, cv, seq, i);
            assert_memory_equal(val, want, cv);
            seen[seq]++;
            small++;
        }
        err = JetMove(v.ses, v.kv.t, JET_MoveNext, 0);
    }
    BK_EQ(err, JET_errNoCurrentRecord);
    assert_int_equal(bulk, 1200);
    for (uint32_t q = 1; q < LOAD_MAX_SEQ / 2; q++) {
        if (required[q]) assert_int_equal(seen[q], bk_rows_of(q));
        if (seen[q]) assert_int_equal(seen[q], bk_rows_of(q));
    }
    fprintf(stderr, "[ info     ] %ld bulk rows, %ld workload rows restored\n", bulk, small);
    JetCloseTable(v.ses, v.kv.t);
    bk_env_term(&v, JET_bitTermComplete);
    free(seen);
    free(val);
    free(want);
    free(required);
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_sequential_backup_under_load_restores_acknowledged_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_offset_reads_in_random_order_under_load_restore_acknowledged_transactions, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_database_spliced_from_two_passes_restores, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backup_of_database_larger_than_cache_under_load, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("backup_load", tests, NULL, NULL);
}
