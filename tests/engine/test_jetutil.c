/*
 * test_jetutil.c — jetutil (engine/tools/jetutil.c), run as a program on files made through the
 * public API in a temporary directory. The tool is <build>/bin/jetutil next to this test binary's
 * <build>/tests/engine/ (so the ASan build tests its own tool), or $JETUTIL.
 *
 * Proves: `header` reports CleanShutdown after JetTerm and DirtyShutdown after JetTerm2
 * (JET_bitTermDirty), with the signature JetGetDatabaseFileInfo reports, in text and JSON;
 * `verify` passes a good database (counting its records) and fails, naming the page, on a flipped
 * byte, on a page whose level is wrong behind a valid checksum, and on a free count that disagrees
 * with the free list; `log` counts the records the engine's own scanner counts, tells a closed
 * generation from the open current one and a torn tail, and lists every record with --records;
 * `checkpoint` shows the slot ckpt_read takes and falls back to the other slot when one is torn;
 * `verify-backup` accepts a backup taken through the backup API and names a missing generation, a
 * damaged copy page, a truncated copy and a broken chain; truncated, random and mutated files give
 * exit status 1 with a message on stderr and never crash the tool (sanitizer reports are caught);
 * usage errors give 2; the tool tolerates a database being written while it reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../engine/src/checkpoint.h"
#include "../../engine/src/logfmt.h"
#include "../../engine/src/page.h"
#include "../../engine/src/space.h"
#include "../common/jetfx.h"

#define TOOL_OUT_MAX (4 * 1024 * 1024)
#define ROWS 300
#define BIG_VALUE 20000 /* spans long value pages */
#define BIG_EVERY 25
#define MUTATION_ROUNDS 40

/* ---- running the tool
 * ---------------------------------------------------------------------------- */

struct run {
    int code;  /* exit status, or 128 + signal */
    char *out; /* stdout and stderr, NUL-terminated (owned) */
    char *err;
};

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static void tool_path(char *out, size_t cap)
{
    const char *env = getenv("JETUTIL");
    char self[PATH_MAX - 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (env && env[0]) {
        snprintf(out, cap, "%s", env);
        return;
    }
    snprintf(out, cap, "build/bin/jetutil");
    if (n <= 0) return;
    self[n] = 0;
    for (int up = 0; up < 3; up++) { /* <build>/tests/engine/test_jetutil -> <build> */
        char *slash = strrchr(self, '/');
        if (!slash) return;
        *slash = 0;
    }
    snprintf(out, cap, "%s/bin/jetutil", self);
}

static char *slurp(const char *path)
{
    char *buf = calloc(1, TOOL_OUT_MAX + 1);
    FILE *f = fopen(path, "rb");
    if (buf && f) {
        size_t n = fread(buf, 1, TOOL_OUT_MAX, f);
        buf[n] = 0;
    }
    if (f) fclose(f);
    return buf;
}

/* Runs jetutil with args (NULL-terminated) and captures its output in files under dir. */
static void run_tool_v(struct run *r, const char *dir, const char *const *args)
{
    char tool[PATH_MAX + 16], outp[TFX_PATH_MAX], errp[TFX_PATH_MAX];
    const char *argv[16];
    int argc = 0;
    tool_path(tool, sizeof tool);
    assert_int_equal(access(tool, X_OK), 0);
    argv[argc++] = tool;
    for (int i = 0; args[i] && argc < 15; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    tfx_join(outp, sizeof outp, dir, "tool.out");
    tfx_join(errp, sizeof errp, dir, "tool.err");
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) _exit(127);
        /* Sanitizer reports must not look like "problems found" (status 1). */
        setenv("ASAN_OPTIONS", "exitcode=97", 1);
        setenv("UBSAN_OPTIONS", "exitcode=98:print_stacktrace=1", 1);
        execv(tool, (char *const *)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        assert_int_equal(errno, EINTR);
    r->code = tfx_exit_code(st);
    r->out = slurp(outp);
    r->err = slurp(errp);
    assert_non_null(r->out);
    assert_non_null(r->err);
    assert_null(strstr(r->err, "Sanitizer"));
    assert_null(strstr(r->err, "runtime error"));
}

#define RUN(r, dir, ...)                                                                           \
    do {                                                                                           \
        const char *const args_[] = {__VA_ARGS__, NULL};                                           \
        run_tool_v((r), (dir), args_);                                                             \
    } while (0)

/* Asserts that s contains needle, printing s when it does not. */
#define assert_has(s, needle)                                                                      \
    do {                                                                                           \
        if (!strstr((s), (needle))) {                                                              \
            print_error("output lacks \"%s\":\n%s\n", (needle), (s));                              \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* ---- building files
 * ------------------------------------------------------------------------------ */

/* The kv table with ROWS rows, every BIG_EVERY-th with a long value. */
static void fill_table(struct tfx_env *e)
{
    struct tfx_kv kv;
    static uint8_t value[BIG_VALUE];
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "kv", &kv), JET_errSuccess);
    for (long k = 0; k < ROWS; k++) {
        unsigned long cb = k % BIG_EVERY == 0 ? BIG_VALUE : 50 + (unsigned long)k % 200;
        tfx_fill(value, cb, 7, (uint64_t)k);
        assert_int_equal(tfx_kv_insert(e->ses, &kv, k, value, cb), JET_errSuccess);
    }
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
}

static void fill_and_term(struct tfx_env *e, JET_GRBIT grbit)
{
    fill_table(e);
    assert_int_equal(tfx_env_term(e, grbit), JET_errSuccess);
}

static uint32_t db_page_size(const char *path)
{
    uint8_t hdr[64];
    assert_int_equal(tfx_read_at(path, hdr, sizeof hdr, 0), 0);
    return (uint32_t)hdr[40] | (uint32_t)hdr[41] << 8 | (uint32_t)hdr[42] << 16 |
           (uint32_t)hdr[43] << 24;
}

/* The last page of the given type after the catalog root; 0 when none. */
static uint32_t find_page(const char *path, unsigned type)
{
    uint32_t pgsz = db_page_size(path), found = 0;
    long long pages = tfx_file_size(path) / pgsz;
    uint8_t head[32];
    for (long long p = PGNO_FIRST_FREE; p < pages; p++) {
        assert_int_equal(tfx_read_at(path, head, sizeof head, p * pgsz), 0);
        if (head[16] == type) found = (uint32_t)p;
    }
    return found;
}

/* Rewrites page p through fn(page) and seals it again, so only structure checks can tell. */
static void reseal_page(const char *path, uint32_t p, void (*fn)(uint8_t *pg, uint32_t pgsz))
{
    uint32_t pgsz = db_page_size(path);
    uint8_t *pg = malloc(pgsz);
    assert_non_null(pg);
    assert_int_equal(tfx_read_at(path, pg, pgsz, (long long)p * pgsz), 0);
    fn(pg, pgsz);
    page_seal(pg, pgsz);
    assert_int_equal(tfx_write_at(path, pg, pgsz, (long long)p * pgsz), 0);
    free(pg);
}

static void out_file(char *out, size_t cap, const struct tfx_env *e, const char *name)
{
    tfx_join(out, cap, e->dir, name);
}

/* ---- header
 * ---------------------------------------------------------------------------------------- */

static void test_header_shows_clean_shutdown_after_term(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    char want[128];
    fill_and_term(e, JET_bitTermComplete);
    JET_DBINFOMISC m;
    assert_int_equal(JetGetDatabaseFileInfo(e->dbpath, &m, sizeof m, JET_DbInfoMisc),
                     JET_errSuccess);
    RUN(&r, e->dir, "header", e->dbpath);
    assert_int_equal(r.code, 0);
    assert_has(r.out, "state: CleanShutdown (3)\n");
    assert_has(r.out, "headerCopies: page0=ok page1=ok\n");
    snprintf(want, sizeof want, "pageSize: %lu\n", m.cbPageSize);
    assert_has(r.out, want);
    snprintf(want, sizeof want, "dbSignature: random=0x%08lx ", m.signDb.ulRandom);
    assert_has(r.out, want);
    snprintf(want, sizeof want, "logSignature: random=0x%08lx ", m.signLog.ulRandom);
    assert_has(r.out, want);
    assert_has(r.out, "previousFull: none\n");
    assert_has(r.out, "backupCopy: no\n");
    assert_has(r.out, "result: ok\n");
    assert_string_equal(r.err, "");
    run_free(&r);
}

static void test_header_shows_dirty_shutdown_after_term_dirty(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    fill_and_term(e, JET_bitTermDirty);
    RUN(&r, e->dir, "header", e->dbpath);
    assert_int_equal(r.code, 0);
    assert_has(r.out, "state: DirtyShutdown (2)\n");
    run_free(&r);
}

static void test_header_json_is_one_object_with_the_state(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    fill_and_term(e, JET_bitTermComplete);
    RUN(&r, e->dir, "--json", "header", e->dbpath);
    assert_int_equal(r.code, 0);
    assert_true(r.out[0] == '{');
    assert_has(r.out, "\n}\n");
    assert_has(r.out, "\"state\": \"CleanShutdown (3)\"");
    assert_has(r.out, "\"previousFull\": null");
    assert_has(r.out, "\"problems\": []");
    assert_has(r.out, "\"result\": \"ok\"");
    run_free(&r);
}

/* ---- verify
 * ---------------------------------------------------------------------------------------- */

static void test_verify_passes_a_good_database(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    char want[128];
    fill_and_term(e, JET_bitTermComplete);
    RUN(&r, e->dir, "verify", e->dbpath);
    assert_int_equal(r.code, 0);
    snprintf(want, sizeof want, "name=kv objid=");
    assert_has(r.out, want);
    snprintf(want, sizeof want, "records=%d ", ROWS);
    assert_has(r.out, want);
    assert_null(strstr(r.out, "longValuePages=0 "));
    assert_has(r.out, "problems: none\n");
    assert_has(r.out, "result: ok\n");
    run_free(&r);
}

static void test_verify_names_the_page_with_a_flipped_byte(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    char want[64];
    fill_and_term(e, JET_bitTermComplete);
    uint32_t p = find_page(e->dbpath, PAGE_LEAF), pgsz = db_page_size(e->dbpath);
    assert_true(p > PGNO_CATALOG);
    assert_int_equal(tfx_flip_byte(e->dbpath, (long long)p * pgsz + pgsz / 2), 0);
    RUN(&r, e->dir, "verify", e->dbpath);
    assert_int_equal(r.code, 1);
    snprintf(want, sizeof want, "page %u: checksum mismatch", p);
    assert_has(r.out, want);
    assert_has(r.err, want);
    assert_has(r.err, "jetutil: ");
    run_free(&r);
}

static void raise_level(uint8_t *pg, uint32_t pgsz)
{
    (void)pgsz;
    pg[17] = 1; /* a leaf claiming to be an internal page's level */
}

static void test_verify_finds_a_wrong_level_behind_a_valid_checksum(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    char want[64];
    fill_and_term(e, JET_bitTermComplete);
    uint32_t p = find_page(e->dbpath, PAGE_LEAF);
    reseal_page(e->dbpath, p, raise_level);
    RUN(&r, e->dir, "verify", e->dbpath);
    assert_int_equal(r.code, 1);
    snprintf(want, sizeof want, "page %u: kv: leaf page at level 1", p);
    assert_has(r.out, want);
    run_free(&r);
}

static void add_free_count(uint8_t *pg, uint32_t pgsz)
{
    (void)pgsz;
    pg[40]++; /* space page: free count */
}

static void test_verify_finds_a_free_count_off_the_free_list(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    fill_and_term(e, JET_bitTermComplete);
    reseal_page(e->dbpath, PGNO_SPACE, add_free_count);
    RUN(&r, e->dir, "verify", e->dbpath);
    assert_int_equal(r.code, 1);
    assert_has(r.out, "page 2: space page counts 1 free pages, the free list has 0");
    run_free(&r);
}

/* ---- log
 * ------------------------------------------------------------------------------------------- */

/* Records and commits in a generation by the engine's own scanner. */
static void engine_scan(const char *path, unsigned long *records, unsigned long *commits,
                        int *closed)
{
    struct logscan s;
    const uint8_t *rec;
    uint32_t len;
    assert_int_equal(logscan_open(path, &s), JET_errSuccess);
    *records = *commits = 0;
    while (logscan_next(&s, &rec, &len)) {
        (*records)++;
        *commits += rec[8] == LR_COMMIT;
    }
    *closed = s.closed;
    logscan_close(&s);
}

static unsigned long count_lines(const char *s, const char *prefix)
{
    unsigned long n = 0;
    size_t pl = strlen(prefix);
    for (const char *line = s; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        n += strncmp(line, prefix, pl) == 0;
    return n;
}

static void test_log_counts_the_records_the_engine_scans(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    char path[TFX_PATH_MAX], want[128];
    fill_and_term(e, JET_bitTermComplete);
    for (unsigned long gen = 1;; gen++) {
        unsigned long records, commits;
        int closed;
        char name[32];
        snprintf(name, sizeof name, "edb%08lX.log", gen);
        out_file(path, sizeof path, e, name);
        if (!tfx_exists(path)) {
            assert_true(gen > 2); /* the workload spans generations */
            out_file(path, sizeof path, e, "edb.log");
        }
        engine_scan(path, &records, &commits, &closed);
        RUN(&r, e->dir, "log", path, "--records");
        assert_int_equal(r.code, 0);
        snprintf(want, sizeof want, "records:\n  count: %lu\n", records);
        assert_has(r.out, want);
        if (commits) {
            snprintf(want, sizeof want, "type=Commit count=%lu ", commits);
            assert_has(r.out, want);
        }
        assert_int_equal(count_lines(r.out, "  - offset="), records);
        assert_has(r.out, closed ? "end: kind=GenEnd " : "end: kind=open ");
        int current = strcmp(name, os_basename(path)) != 0;
        if (current) {
            assert_has(r.out, "type=Term count=1 "); /* the clean shutdown's last record */
            run_free(&r);
            break;
        }
        assert_true(closed);
        run_free(&r);
    }
}

static void test_log_reports_a_torn_tail(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    char cur[TFX_PATH_MAX], arch[TFX_PATH_MAX], copy[TFX_PATH_MAX];
    fill_and_term(e, JET_bitTermComplete);
    /* The current generation: garbage after its last record is a torn tail, not fatal. */
    out_file(cur, sizeof cur, e, "edb.log");
    struct logscan s;
    const uint8_t *rec;
    uint32_t len;
    assert_int_equal(logscan_open(cur, &s), JET_errSuccess);
    while (logscan_next(&s, &rec, &len)) {
    }
    uint32_t end = s.off;
    logscan_close(&s);
    static const uint8_t junk[40] = {0x28, 0, 0, 0, 0x55, 0x66};
    assert_int_equal(tfx_write_at(cur, junk, sizeof junk, end), 0);
    RUN(&r, e->dir, "log", cur);
    assert_int_equal(r.code, 0);
    assert_has(r.out, "end: kind=torn tail ");
    assert_has(r.out, "torn tail at offset");
    run_free(&r);
    /* An archived generation whose record does not verify is a problem. */
    out_file(arch, sizeof arch, e, "edb00000001.log");
    out_file(copy, sizeof copy, e, "edb00000099.log");
    assert_int_equal(tfx_flip_byte(arch, LOG_HDR_SIZE + 20), 0);
    RUN(&r, e->dir, "log", arch);
    assert_int_equal(r.code, 1);
    assert_has(r.out, "archived generation stops at offset 16384");
    run_free(&r);
    /* A generation whose name disagrees with its header. */
    assert_int_equal(tfx_copy_file(cur, copy), 0);
    RUN(&r, e->dir, "log", copy);
    assert_int_equal(r.code, 1);
    assert_has(r.out, "file name says generation 153");
    run_free(&r);
}

/* ---- checkpoint
 * ------------------------------------------------------------------------------------ */

static void test_checkpoint_shows_the_slot_the_engine_takes(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    char path[TFX_PATH_MAX], want[160];
    struct ckpt_data *d = malloc(sizeof *d);
    assert_non_null(d);
    fill_and_term(e, JET_bitTermComplete);
    out_file(path, sizeof path, e, "edb.chk");
    assert_int_equal(ckpt_read(path, d), JET_errSuccess);
    unsigned slot = (unsigned)(d->seq % 2);
    RUN(&r, e->dir, "checkpoint", path);
    assert_int_equal(r.code, 0);
    snprintf(want, sizeof want, "current: slot=%u sequence=%llu\n", slot,
             (unsigned long long)d->seq);
    assert_has(r.out, want);
    snprintf(want, sizeof want, "checkpoint: gen=%u offset=%u ", LGPOS_GEN(d->pos),
             LGPOS_OFF(d->pos));
    assert_has(r.out, want);
    assert_has(r.out, "  valid: yes\n  sequence:");
    assert_has(r.out, "  clean: yes\n");
    run_free(&r);
    /* A torn current slot: the other one takes over. */
    assert_int_equal(tfx_flip_byte(path, (long long)slot * CKPT_SLOT + 100), 0);
    RUN(&r, e->dir, "checkpoint", path);
    assert_int_equal(r.code, 0);
    snprintf(want, sizeof want, "current: slot=%u ", 1 - slot);
    assert_has(r.out, want);
    assert_has(r.out, "why: checksum mismatch");
    run_free(&r);
    /* Both torn: nothing to recover from. */
    assert_int_equal(tfx_flip_byte(path, (long long)(1 - slot) * CKPT_SLOT + 100), 0);
    RUN(&r, e->dir, "checkpoint", path);
    assert_int_equal(r.code, 1);
    assert_has(r.err, "no slot verifies");
    run_free(&r);
    free(d);
}

/* ---- bad input
 * ------------------------------------------------------------------------------------- */

static void expect_failure(struct tfx_env *e, const char *cmd, const char *path)
{
    struct run r;
    RUN(&r, e->dir, cmd, path);
    if (r.code != 1) print_error("%s %s: status %d\n%s%s", cmd, path, r.code, r.out, r.err);
    assert_int_equal(r.code, 1);
    assert_true(strncmp(r.err, "jetutil: ", 9) == 0);
    assert_has(r.out, "result: ");
    run_free(&r);
}

static void test_truncated_and_garbage_files_fail_with_a_message(void **state)
{
    struct tfx_env *e = *state;
    char bad[TFX_PATH_MAX], src[3][TFX_PATH_MAX];
    static const char *const cmds[3] = {"verify", "log", "checkpoint"};
    fill_and_term(e, JET_bitTermComplete);
    snprintf(src[0], sizeof src[0], "%s", e->dbpath);
    out_file(src[1], sizeof src[1], e, "edb00000001.log");
    out_file(src[2], sizeof src[2], e, "edb.chk");
    out_file(bad, sizeof bad, e, "bad.bin");
    uint8_t *buf = malloc(1 << 20);
    assert_non_null(buf);
    for (int f = 0; f < 3; f++) {
        long long size = tfx_file_size(src[f]);
        assert_true(size > 0 && size <= (1 << 20));
        assert_int_equal(tfx_read_at(src[f], buf, (size_t)size, 0), 0);
        const long long cuts[] = {0, 1, 100, 4096, 8191, 16383, size / 2, size - 1};
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            FILE *out = fopen(bad, "wb");
            assert_non_null(out);
            assert_int_equal(fwrite(buf, 1, (size_t)cuts[c], out), (size_t)cuts[c]);
            fclose(out);
            expect_failure(e, cmds[f], bad);
            /* header reads only the header: it fails when that or a partial page is cut. */
            if (f == 0 && (cuts[c] < 2 * (long long)db_page_size(src[0]) ||
                           cuts[c] % db_page_size(src[0]) != 0))
                expect_failure(e, "header", bad);
        }
        for (uint64_t seed = 1; seed <= 3; seed++) {
            size_t n = (size_t)(size / (long long)seed);
            tfx_fill(buf, n, 99, seed);
            FILE *out = fopen(bad, "wb");
            assert_non_null(out);
            assert_int_equal(fwrite(buf, 1, n, out), n);
            fclose(out);
            expect_failure(e, cmds[f], bad);
        }
    }
    out_file(bad, sizeof bad, e, "missing.edb");
    expect_failure(e, "header", bad);
    expect_failure(e, "verify", e->dir);
    expect_failure(e, "verify-backup", bad);
    free(buf);
}

/* Random bytes in random pages, each page sealed again: the walk meets nonsense that passes the
 * checksum. Never a crash; at most "problems found". */
static void test_mutated_pages_never_crash_the_tool(void **state)
{
    struct tfx_env *e = *state;
    char mut[TFX_PATH_MAX];
    fill_and_term(e, JET_bitTermComplete);
    uint32_t pgsz = db_page_size(e->dbpath);
    long long size = tfx_file_size(e->dbpath), pages = size / pgsz;
    uint8_t *img = malloc((size_t)size);
    assert_non_null(img);
    out_file(mut, sizeof mut, e, "mutant.edb");
    uint64_t rng = tfx_seed("JETUTIL_SEED");
    print_message("mutation seed: JETUTIL_SEED=%llu\n", (unsigned long long)rng);
    int found = 0;
    for (int round = 0; round < MUTATION_ROUNDS; round++) {
        assert_int_equal(tfx_read_at(e->dbpath, img, (size_t)size, 0), 0);
        unsigned n = 1 + (unsigned)tfx_rand_below(&rng, 8);
        for (unsigned i = 0; i < n; i++) {
            long long p = 2 + (long long)tfx_rand_below(&rng, (uint64_t)pages - 2);
            uint8_t *pg = img + p * pgsz;
            /* Header fields and slots most of the time: where the structure lives. */
            uint64_t where = tfx_rand_below(&rng, 3);
            size_t off = where == 0   ? 16 + tfx_rand_below(&rng, 16)
                         : where == 1 ? 32 + tfx_rand_below(&rng, 64)
                                      : tfx_rand_below(&rng, pgsz);
            pg[off] = (uint8_t)tfx_rand(&rng);
            page_seal(pg, pgsz);
        }
        FILE *out = fopen(mut, "wb");
        assert_non_null(out);
        assert_int_equal(fwrite(img, 1, (size_t)size, out), (size_t)size);
        fclose(out);
        struct run r;
        RUN(&r, e->dir, "verify", mut);
        if (r.code != 0 && r.code != 1)
            print_error("round %d: status %d\n%s", round, r.code, r.err);
        assert_true(r.code == 0 || r.code == 1);
        assert_has(r.out, "result: ");
        found += r.code == 1;
        run_free(&r);
    }
    assert_true(found > MUTATION_ROUNDS / 2); /* most mutations are caught */
    free(img);
}

static void test_usage_errors_exit_2(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    RUN(&r, e->dir, "frobnicate", e->dbpath);
    assert_int_equal(r.code, 2);
    assert_has(r.err, "unknown command 'frobnicate'");
    assert_has(r.err, "usage: jetutil");
    run_free(&r);
    RUN(&r, e->dir, "verify");
    assert_int_equal(r.code, 2);
    run_free(&r);
    RUN(&r, e->dir, "--bogus", "verify", e->dbpath);
    assert_int_equal(r.code, 2);
    run_free(&r);
    RUN(&r, e->dir, "header", e->dbpath, "--records");
    assert_int_equal(r.code, 2);
    run_free(&r);
    RUN(&r, e->dir, "header", e->dbpath, "extra");
    assert_int_equal(r.code, 2);
    run_free(&r);
    RUN(&r, e->dir, "help");
    assert_int_equal(r.code, 0);
    assert_has(r.out, "verify-backup DIR");
    run_free(&r);
}

/* ---- verify-backup
 * --------------------------------------------------------------------------------- */

static JET_ERR copy_backup_file(JET_INSTANCE inst, const char *name, const char *dir)
{
    char dest[TFX_PATH_MAX];
    JET_HANDLE hf;
    unsigned long lo, hi, got;
    static uint8_t buf[64 * 1024];
    tfx_join(dest, sizeof dest, dir, os_basename(name));
    JET_ERR err = JetOpenFileInstance(inst, name, &hf, &lo, &hi);
    if (err < 0) return err;
    FILE *out = fopen(dest, "wb");
    while (out && (err = JetReadFileInstance(inst, hf, buf, sizeof buf, &got)) >= 0 && got)
        if (fwrite(buf, 1, got, out) != got) err = JET_errDiskIO;
    if (!out) err = JET_errDiskIO;
    if (out) fclose(out);
    JET_ERR e2 = JetCloseFileInstance(inst, hf);
    return err < 0 ? err : e2;
}

/* Rows written while a backup runs, so its logs span several generations. */
static void write_more(struct tfx_env *e)
{
    struct tfx_kv kv;
    static uint8_t value[4000];
    assert_int_equal(tfx_kv_create(e->ses, e->dbid, "more", &kv), JET_errSuccess);
    for (long k = 0; k < 120; k++) {
        tfx_fill(value, sizeof value, 8, (uint64_t)k);
        assert_int_equal(tfx_kv_insert(e->ses, &kv, k, value, sizeof value), JET_errSuccess);
    }
    assert_int_equal(JetCloseTable(e->ses, kv.t), JET_errSuccess);
}

/* A full backup through the external backup API into dir, with writes between the database copy
 * and the log call. */
static void take_backup(struct tfx_env *e, const char *dir, JET_LOGINFO *li)
{
    char szz[8192];
    unsigned long cb;
    assert_int_equal(JetBeginExternalBackupInstance(e->inst, 0), JET_errSuccess);
    assert_int_equal(JetGetAttachInfoInstance(e->inst, szz, sizeof szz, &cb), JET_errSuccess);
    for (const char *p = szz; *p; p += strlen(p) + 1)
        assert_int_equal(copy_backup_file(e->inst, p, dir), JET_errSuccess);
    write_more(e);
    memset(li, 0, sizeof *li);
    li->cbSize = sizeof *li;
    assert_int_equal(JetGetLogInfoInstance2(e->inst, szz, sizeof szz, &cb, li), JET_errSuccess);
    for (const char *p = szz; *p; p += strlen(p) + 1)
        assert_int_equal(copy_backup_file(e->inst, p, dir), JET_errSuccess);
    assert_int_equal(JetTruncateLogInstance(e->inst), JET_errSuccess);
    assert_int_equal(JetEndExternalBackupInstance(e->inst), JET_errSuccess);
}

static void test_verify_backup_accepts_a_set_and_names_what_is_wrong(void **state)
{
    struct tfx_env *e = *state;
    struct run r;
    char bk[TFX_PATH_MAX], copy[TFX_PATH_MAX], log[TFX_PATH_MAX], want[160];
    JET_LOGINFO li;
    fill_table(e);
    out_file(bk, sizeof bk, e, "backup");
    assert_int_equal(mkdir(bk, 0755), 0);
    take_backup(e, bk, &li);
    assert_true(li.ulGenHigh >= li.ulGenLow + 2);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    tfx_join(copy, sizeof copy, bk, TFX_DB_NAME);

    RUN(&r, e->dir, "verify-backup", bk);
    assert_int_equal(r.code, 0);
    snprintf(want, sizeof want, "present: genLow=%lu genHigh=%lu\n", li.ulGenLow, li.ulGenHigh);
    assert_has(r.out, want);
    assert_has(r.out, "result: ok\n");
    run_free(&r);
    RUN(&r, e->dir, "header", copy);
    assert_int_equal(r.code, 0);
    assert_has(r.out, "backupCopy: yes\n");
    assert_has(r.out, "trailerPage:\n");
    snprintf(want, sizeof want, "genLow=%lu genHigh=0\n", li.ulGenLow);
    assert_has(r.out, want);
    run_free(&r);

    /* A page of the copy damaged. */
    uint32_t pgsz = db_page_size(copy), p = find_page(copy, PAGE_LEAF);
    assert_int_equal(tfx_flip_byte(copy, (long long)p * pgsz + 200), 0);
    RUN(&r, e->dir, "verify-backup", bk);
    assert_int_equal(r.code, 1);
    snprintf(want, sizeof want, "test.edb: page %u: checksum mismatch", p);
    assert_has(r.out, want);
    run_free(&r);
    assert_int_equal(tfx_flip_byte(copy, (long long)p * pgsz + 200), 0);

    /* A middle generation whose chain is broken, then missing. */
    unsigned long mid = li.ulGenLow + 1;
    snprintf(want, sizeof want, "edb%08lX.log", mid);
    tfx_join(log, sizeof log, bk, want);
    struct loghdr h;
    uint8_t *hb = malloc(LOG_HDR_SIZE);
    assert_non_null(hb);
    assert_int_equal(loghdr_read_path(log, &h), JET_errSuccess);
    h.prev_create_time -= 1;
    loghdr_encode(&h, hb);
    assert_int_equal(tfx_write_at(log, hb, LOG_HDR_SIZE, 0), 0);
    free(hb);
    RUN(&r, e->dir, "verify-backup", bk);
    assert_int_equal(r.code, 1);
    assert_has(r.out, "does not follow");
    assert_has(r.out, "JET_errGivenLogFileIsNotContiguous");
    run_free(&r);
    assert_int_equal(unlink(log), 0);
    RUN(&r, e->dir, "verify-backup", bk);
    assert_int_equal(r.code, 1);
    snprintf(want, sizeof want, "generation %lu (edb%08lX.log) is missing", mid, mid);
    assert_has(r.out, want);
    assert_has(r.out, "JET_errMissingRestoreLogFiles");
    run_free(&r);

    /* The copy cut short: no trailer. */
    assert_int_equal(truncate(copy, tfx_file_size(copy) - pgsz), 0);
    RUN(&r, e->dir, "verify-backup", bk);
    assert_int_equal(r.code, 1);
    assert_has(r.out, "an incomplete copy");
    run_free(&r);
}

/* ---- a running engine
 * ------------------------------------------------------------------------------ */

struct writer {
    struct tfx_env *e;
    atomic_int stop;
    JET_ERR err;
    long rows;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct tfx_kv kv;
    JET_SESID ses;
    static uint8_t value[3000];
    w->err = JetBeginSession(w->e->inst, &ses, NULL, NULL);
    if (w->err < 0) return NULL;
    JET_DBID db;
    if ((w->err = JetOpenDatabase(ses, w->e->dbpath, NULL, &db, 0)) >= 0 &&
        (w->err = tfx_kv_open(ses, db, "kv", &kv)) >= 0) {
        for (long k = ROWS; !atomic_load(&w->stop) && w->err >= 0; k++) {
            w->err = tfx_kv_insert(ses, &kv, k, value, (unsigned long)(k % 7 ? 100 : sizeof value));
            w->rows++;
        }
        JetCloseTable(ses, kv.t);
    }
    JetEndSession(ses, 0);
    return NULL;
}

static void test_tool_tolerates_a_database_being_written(void **state)
{
    struct tfx_env *e = *state;
    struct writer w = {.e = e};
    pthread_t th;
    char chk[TFX_PATH_MAX];
    fill_table(e);
    out_file(chk, sizeof chk, e, "edb.chk");
    assert_int_equal(pthread_create(&th, NULL, writer_main, &w), 0);
    for (int i = 0; i < 6; i++) {
        struct run r;
        RUN(&r, e->dir, "verify", e->dbpath);
        assert_true(r.code == 0 || r.code == 1);
        assert_has(r.out, "result: ");
        run_free(&r);
        RUN(&r, e->dir, "header", e->dbpath);
        assert_int_equal(r.code, 0);
        assert_has(r.out, "state: DirtyShutdown (2)\n"); /* attached */
        run_free(&r);
        RUN(&r, e->dir, "checkpoint", chk);
        assert_true(r.code == 0 || r.code == 1);
        run_free(&r);
    }
    atomic_store(&w.stop, 1);
    pthread_join(th, NULL);
    assert_int_equal(w.err, JET_errSuccess);
    assert_true(w.rows > 0);
    assert_int_equal(tfx_env_term(e, JET_bitTermComplete), JET_errSuccess);
    struct run r;
    RUN(&r, e->dir, "verify", e->dbpath);
    assert_int_equal(r.code, 0);
    run_free(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tfx_setup_db, tfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_header_shows_clean_shutdown_after_term),
        T(test_header_shows_dirty_shutdown_after_term_dirty),
        T(test_header_json_is_one_object_with_the_state),
        T(test_verify_passes_a_good_database),
        T(test_verify_names_the_page_with_a_flipped_byte),
        T(test_verify_finds_a_wrong_level_behind_a_valid_checksum),
        T(test_verify_finds_a_free_count_off_the_free_list),
        T(test_log_counts_the_records_the_engine_scans),
        T(test_log_reports_a_torn_tail),
        T(test_checkpoint_shows_the_slot_the_engine_takes),
        T(test_truncated_and_garbage_files_fail_with_a_message),
        T(test_mutated_pages_never_crash_the_tool),
        T(test_usage_errors_exit_2),
        T(test_verify_backup_accepts_a_set_and_names_what_is_wrong),
        T(test_tool_tolerates_a_database_being_written),
    };
#undef T
    return cmocka_run_group_tests_name("jetutil", tests, NULL, NULL);
}
