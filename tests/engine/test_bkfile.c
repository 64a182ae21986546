/*
 * test_bkfile.c — the verified read path of backup files (engine/src/bkfile.c) as JetXReadFileAt
 * exposes it: reads are done in chunks (READ_CHUNK, 128 KiB) verified three pages or log blocks at
 * a time, straight into an aligned caller buffer or through a bounce chunk otherwise, a partial
 * first or last page through that chunk too.
 *
 * Proves: any offset, length and destination alignment (page and chunk boundaries, reads spanning
 * several chunks, buffers 1, 16, 64 and 100 bytes past a page boundary) gives the bytes of the
 * sequential stream (JetReadFile) for a database and the file's bytes for a log generation larger
 * than a chunk; a damaged page inside a multi-chunk read fails it (JET_errReadVerifyFailure) on
 * either path, while the chunks before it were fine; a damaged log block inside a multi-chunk read
 * fails it with JET_errLogReadVerifyFailure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "bk_fixture.h"

#define CHUNK (128u * 1024)
#define LOG_KB 1024 /* log generations of 8 chunks */
#define DB_MIN (6u * CHUNK)

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
    struct bk_opts o = {.no_init = 1};
    JET_ERR err = bk_env_open(&t->e, "bkfile", &o);
    if (err >= 0) err = JetSetSystemParameter(&t->e.inst, 0, JET_paramLogFileSize, LOG_KB, NULL);
    if (err >= 0) err = JetInit(&t->e.inst);
    if (err >= 0) {
        t->e.running = 1;
        err = JetBeginSession(t->e.inst, &t->e.ses, NULL, NULL);
    }
    if (err >= 0) err = JetCreateDatabase(t->e.ses, t->e.dbpath, NULL, &t->e.dbid, 0);
    if (err >= 0) err = bk_kv_create(t->e.ses, t->e.dbid, &t->e.kv);
    t->next = 1;
    while (err >= 0 && bk_size(t->e.dbpath) < (long long)DB_MIN) {
        err = bk_write_txns(&t->e, t->next, t->next + 49);
        t->next += 50;
    }
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

static unsigned long long streamed_size(struct tc *t, int file)
{
    JET_XBACKUPINFO *bi = calloc(1, sizeof *bi);
    assert_non_null(bi);
    BK_OK(JetXGetBackupInfo(t->e.inst, bi));
    assert_true(bi->cFiles > (unsigned long)file);
    unsigned long long size = bi->rgFiles[file].cbSize;
    free(bi);
    return size;
}

/* Reads [off, off+len) of name into a buffer `misalign` bytes past a page boundary and compares
 * it with ref (the whole file). */
static void check_read(struct tc *t, const char *name, const uint8_t *ref, unsigned long long size,
                       unsigned long long off, unsigned long len, size_t misalign)
{
    uint8_t *base = aligned_alloc(4096, (len + 2 * 4096) / 4096 * 4096);
    assert_non_null(base);
    uint8_t *dst = base + misalign;
    unsigned long got = 0;
    unsigned long long want = off >= size ? 0 : (size - off < len ? size - off : len);
    JET_ERR err = JetXReadFileAt(t->e.inst, name, off, dst, len, &got);
    if (err != JET_errSuccess || got != want || memcmp(dst, ref + off, want) != 0)
        fail_msg("read of %lu bytes at %llu into a buffer %zu bytes past a page: %s, %lu of %llu "
                 "bytes%s",
                 len, off, misalign, JetXErrorName(err), got, want,
                 got == want ? ", different bytes" : "");
    free(base);
}

/* Offsets and lengths around page (8 KiB), log block (4 KiB) and chunk boundaries. */
static void check_grid(struct tc *t, const char *name, const uint8_t *ref, unsigned long long size)
{
    const unsigned long long offs[] = {0,         1,         BK_PAGE - 1,      BK_PAGE,
                                       4096 + 3,  CHUNK - 1, CHUNK,            CHUNK + BK_PAGE + 17,
                                       2 * CHUNK, size / 2,  size - BK_PAGE - 3, size - 1};
    const unsigned long lens[] = {1, 100, BK_PAGE, BK_PAGE + 1, CHUNK, 3 * CHUNK + 5, 1u << 20};
    const size_t misaligns[] = {0, 1, 16, 64, 100};
    for (size_t i = 0; i < sizeof offs / sizeof *offs; i++)
        for (size_t j = 0; j < sizeof lens / sizeof *lens; j++)
            for (size_t k = 0; k < sizeof misaligns / sizeof *misaligns; k++)
                check_read(t, name, ref, size, offs[i], lens[j], misaligns[k]);
    check_read(t, name, ref, size, 0, (unsigned long)size, 16); /* the whole file at once */
}

static void test_database_reads_of_any_shape_give_the_sequential_stream(void **state)
{
    struct tc *t = *state;
    char dest[BK_PATH];
    unsigned long long size = 0;
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    bk_join(dest, sizeof dest, t->bk, BK_DB_FILE);
    BK_OK(bk_copy_seq(t->e.inst, t->e.dbpath, dest, 64 * 1024, &size));
    assert_true(size >= DB_MIN);
    assert_int_equal(streamed_size(t, 0), size);
    uint8_t *ref = malloc(size);
    assert_non_null(ref);
    assert_int_equal(bk_read_at(dest, ref, size, 0), 0);
    check_grid(t, t->e.dbpath, ref, size);
    free(ref);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
}

static void test_log_reads_of_any_shape_give_the_file_bytes(void **state)
{
    struct tc *t = *state;
    char szz[16384];
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    unsigned long cb;
    JET_LOGINFO li = {.cbSize = sizeof li};
    assert_non_null(list);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, &li));
    assert_true(bk_szz_split(szz, list, 64) >= 1);
    unsigned long long size = (unsigned long long)bk_size(list[0]);
    assert_true(size > 2 * CHUNK);
    uint8_t *ref = malloc(size);
    assert_non_null(ref);
    assert_int_equal(bk_read_at(list[0], ref, size, 0), 0);
    check_grid(t, list[0], ref, size);
    free(ref);
    free(list);
    BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
}

/* The number of a long-value page of the file in its third chunk or later (none is cached once
 * the instance restarted without opening the table). */
static uint32_t lv_page_past_two_chunks(const char *path)
{
    long long size = bk_size(path);
    uint8_t *pg = malloc(BK_PAGE);
    uint32_t victim = 0;
    assert_non_null(pg);
    for (uint32_t p = 2 * CHUNK / BK_PAGE + 3; !victim && (long long)(p + 1) * BK_PAGE <= size; p++) {
        assert_int_equal(bk_read_at(path, pg, BK_PAGE, (long long)p * BK_PAGE), 0);
        uint32_t pgno = (uint32_t)pg[4] | (uint32_t)pg[5] << 8 | (uint32_t)pg[6] << 16 |
                        (uint32_t)pg[7] << 24;
        if (pgno == p && pg[16] == 5) victim = p;
    }
    free(pg);
    return victim;
}

static void test_damaged_page_inside_a_long_read_fails_it(void **state)
{
    struct tc *t = *state;
    BK_OK(bk_env_term(&t->e, JET_bitTermComplete));
    t->e.opts.no_init = 0;
    uint32_t victim = lv_page_past_two_chunks(t->e.dbpath);
    assert_true(victim > 0);
    assert_int_equal(bk_flip_byte(t->e.dbpath, (long long)victim * BK_PAGE + 5000), 0);
    BK_OK(bk_env_start(&t->e));
    BK_OK(JetAttachDatabase(t->e.ses, t->e.dbpath, 0));
    unsigned long len = 4 * CHUNK, got;
    uint8_t *base = aligned_alloc(4096, len + 4096);
    assert_non_null(base);
    /* straight into an aligned buffer, through the bounce chunk (misaligned buffer, odd offset) */
    const struct {
        unsigned long long off;
        size_t misalign;
    } shapes[] = {{(unsigned long long)(victim - 20) * BK_PAGE, 0}, {(unsigned long long)(victim - 20) * BK_PAGE + 5, 16}};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
        BK_OK(JetXReadFileAt(t->e.inst, t->e.dbpath, 0, base, 2 * CHUNK, &got)); /* before it: fine */
        size_t m = bk_events_mark(t->ev);
        BK_EQ(JetXReadFileAt(t->e.inst, t->e.dbpath, shapes[i].off, base + shapes[i].misalign, len, &got),
              JET_errReadVerifyFailure);
        assert_int_equal(bk_events_since(t->ev, m, 217), 1);
        BK_EQ(JetEndExternalBackupInstance2(t->e.inst, JET_bitBackupEndAbort), errBackupAbortByCaller);
    }
    free(base);
}

static void test_damaged_log_block_inside_a_long_read_fails_it(void **state)
{
    struct tc *t = *state;
    char szz[16384];
    char(*list)[BK_PATH] = calloc(64, BK_PATH);
    unsigned long cb, got;
    JET_LOGINFO li = {.cbSize = sizeof li};
    assert_non_null(list);
    BK_OK(JetBeginExternalBackupInstance(t->e.inst, 0));
    BK_OK(JetGetLogInfoInstance2(t->e.inst, szz, sizeof szz, &cb, &li));
    assert_true(bk_szz_split(szz, list, 64) >= 1);
    long long size = bk_size(list[0]);
    uint8_t *buf = malloc((size_t)size + 16);
    assert_non_null(buf);
    BK_OK(JetXReadFileAt(t->e.inst, list[0], 0, buf, 4096, &got)); /* verified at first access */
    assert_int_equal(bk_flip_byte(list[0], 2 * CHUNK + 3 * 4096 + 100), 0);
    size_t m = bk_events_mark(t->ev);
    BK_EQ(JetXReadFileAt(t->e.inst, list[0], 7, buf + 1, (unsigned long)size, &got),
          JET_errLogReadVerifyFailure);
    assert_int_equal(bk_events_since(t->ev, m, 218), 1);
    free(buf);
    free(list);
}

/* One instance for the group (filling it takes a while); the tests that damage files run last,
 * the log one first (it ends its backup, the instance stays usable). */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_database_reads_of_any_shape_give_the_sequential_stream),
        cmocka_unit_test(test_log_reads_of_any_shape_give_the_file_bytes),
        cmocka_unit_test(test_damaged_log_block_inside_a_long_read_fails_it),
        cmocka_unit_test(test_damaged_page_inside_a_long_read_fails_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
