/*
 * main.c — bench_backup: the engine side of the backup benchmark (bench/backup.sh). Each case runs
 * in its own process and prints machine-readable RESULT lines on stdout.
 *
 *   bench_backup --case fill    --dir DIR --db-mib N    creates DIR/bench.edb of at least N MiB
 *                                                       (bulk rows of --value-kib, --rows-per-tx a
 *                                                       transaction)
 *   bench_backup --case read    --dir DIR [--writers N] [--reps R]
 *                full backups of DIR/bench.edb read end to end through JetXReadFileAt in
 *                --block-kib reads (1024), while N threads commit one-row transactions; one
 *                RESULT line per backup (read throughput, commits/s during it)
 *   bench_backup --case commit  --dir DIR --writers N [--seconds S] [--reps R]
 *                N threads committing; per repetition a window of S s without a backup, then one
 *                of S s during which a backup reads the database again and again; commits/s of
 *                both windows
 *   bench_backup --case floor   --dir DIR [--reps R]
 *                the floor of any verified read, without the engine: DIR/bench.edb read with
 *                pread in 128 KiB pieces into the --block-kib buffer, the CRC32C of every page
 *                computed three pages at a time (the engine's own crc32c.c) and compared with its
 *                stored one (bad_pages counts mismatches: 0 on a clean file)
 *   bench_backup --case writers --dir DIR --writers N [--seconds S]
 *                only the N committing threads for S s (the load `cat` is timed under)
 *   bench_backup --case restore --dir DIR --log-mib M [--workload rows|bulk]
 *                a fresh instance in DIR/src: begin a full backup, copy its database to DIR/set,
 *                write M MiB of log into the bulk table (rows: 1000-row transactions of 100-byte
 *                values; bulk: --rows-per-tx values of --value-kib), copy the logs, end; then
 *                hard recovery (JetExternalRestore2) of DIR/set into DIR/restored, checked by its
 *                last row: MB of log replayed per second against the rate it was written at
 *   common: --cache-mib (256) --page-size (8192) --log-file-kib (5120) --warmup-s (1)
 *           --buffer-offset B: the read buffer starts B bytes past a page boundary (0; malloc's
 *           large blocks start 16 bytes past one)
 * Exit status 0 on success, 1 when the engine failed, 2 on bad usage.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32c.h"
#include "jetenv.h"
#include "measure.h"
#include "stream.h"
#include "writers.h"

#define MIB (1024.0 * 1024.0)

struct options {
    const char *kase, *dir, *workload;
    unsigned long long db_mib, log_mib, value_kib, rows_per_tx, writers, reps, block_kib, buffer_offset;
    double seconds, warmup_s;
    struct jetenv_config cfg;
};

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_backup --case fill|read|floor|commit|writers|restore --dir DIR [--db-mib N]\n"
            "       [--log-mib N] [--workload rows|bulk] [--value-kib N] [--rows-per-tx N]\n"
            "       [--writers N] [--reps N] [--seconds S] [--block-kib N] [--warmup-s S]\n"
            "       [--cache-mib N] [--page-size N] [--log-file-kib N] [--buffer-offset N]\n");
}

static int parse_num(const char *s, unsigned long long *out)
{
    char *end;
    if (!s || !*s || *s == '-') return -1;
    *out = strtoull(s, &end, 10);
    return *end ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"case", required_argument, NULL, 'c'},       {"dir", required_argument, NULL, 'd'},
        {"workload", required_argument, NULL, 'W'},   {"db-mib", required_argument, NULL, 'D'},
        {"log-mib", required_argument, NULL, 'L'},    {"value-kib", required_argument, NULL, 'v'},
        {"rows-per-tx", required_argument, NULL, 'b'}, {"writers", required_argument, NULL, 'w'},
        {"reps", required_argument, NULL, 'r'},       {"block-kib", required_argument, NULL, 'B'},
        {"seconds", required_argument, NULL, 's'},    {"warmup-s", required_argument, NULL, 'u'},
        {"cache-mib", required_argument, NULL, 'm'},  {"page-size", required_argument, NULL, 'p'},
        {"log-file-kib", required_argument, NULL, 'l'}, {"buffer-offset", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0}};
    unsigned long long v;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'c': o->kase = optarg; continue;
        case 'd': o->dir = optarg; continue;
        case 'W': o->workload = optarg; continue;
        case 's':
        case 'u':
            *(ch == 's' ? &o->seconds : &o->warmup_s) = strtod(optarg, &end);
            if (*end || *(ch == 's' ? &o->seconds : &o->warmup_s) < 0) return -1;
            continue;
        case '?': return -1;
        default: break;
        }
        if (parse_num(optarg, &v)) return -1;
        switch (ch) {
        case 'D': o->db_mib = v; break;
        case 'L': o->log_mib = v; break;
        case 'v': o->value_kib = v; break;
        case 'b': o->rows_per_tx = v; break;
        case 'w': o->writers = v; break;
        case 'r': o->reps = v; break;
        case 'B': o->block_kib = v; break;
        case 'm': o->cfg.cache_mib = (unsigned long)v; break;
        case 'p': o->cfg.page_size = (unsigned long)v; break;
        case 'l': o->cfg.log_file_kib = (unsigned long)v; break;
        case 'o': o->buffer_offset = v; break;
        default: return -1;
        }
    }
    if (optind != argc || !o->kase || !o->dir || o->reps < 1 || o->block_kib < 1 ||
        o->rows_per_tx < 1 || o->value_kib < 1 || o->writers > 64 || o->buffer_offset >= 4096)
        return -1;
    if (strcmp(o->workload, "rows") != 0 && strcmp(o->workload, "bulk") != 0) return -1;
    return 0;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* out = a/b; -1 when it does not fit. */
static int path_join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The read buffer: page-aligned plus --buffer-offset bytes (a malloc'ed buffer is 16 bytes past a
 * page). *base is what to free. */
static uint8_t *read_buffer(const struct options *o, void **base)
{
    size_t block = (size_t)o->block_kib * 1024;
    *base = aligned_alloc(4096, (block + 2 * 4096) / 4096 * 4096);
    return *base ? (uint8_t *)*base + o->buffer_offset : NULL;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* ---- fill -------------------------------------------------------------------------------------- */
static int case_fill(const struct options *o)
{
    struct jetenv env;
    struct jetses s;
    struct jetenv_config cfg = o->cfg;
    size_t len = (size_t)o->value_kib * 1024;
    uint8_t *value = malloc(len);
    uint64_t key = 1, want = o->db_mib * 1024 * 1024;
    int rc = -1;
    if (!value) return -1;
    for (size_t i = 0; i < len; i++) value[i] = (uint8_t)(i * 131 + (i >> 9));
    cfg.create = 1;
    if (jetenv_open(&cfg, &env)) goto out;
    double t0 = measure_now();
    if (jetenv_session(&env, &s)) goto out_env;
    while (file_size(env.db_path) < want)
        if (jetenv_insert_bulk(&s, &key, (unsigned)o->rows_per_tx, value, len)) goto out_ses;
    rc = 0;
out_ses:
    jetenv_session_end(&s);
out_env:
    if (jetenv_close(&env)) rc = -1;
    if (rc == 0)
        printf("RESULT case=fill bytes=%llu rows=%llu seconds=%.3f\n",
               (unsigned long long)file_size(env.db_path), (unsigned long long)key - 1,
               measure_now() - t0);
out:
    free(value);
    return rc;
}

/* ---- read and commit --------------------------------------------------------------------------- */
/* One full backup: begin, read the database end to end (passes times, or until `seconds` have
 * passed when seconds > 0), end with JET_bitBackupEndAbort (nothing recorded, nothing truncated). */
static int backup_read(struct jetenv *env, uint8_t *buf, size_t block, unsigned passes, double seconds,
                       uint64_t *bytes, unsigned *done)
{
    char db[JETENV_PATH_MAX];
    int rc = -1;
    *bytes = 0;
    *done = 0;
    if (jetenv_check(JetBeginExternalBackupInstance(env->inst, 0), "JetBeginExternalBackupInstance"))
        return -1;
    if (stream_first_database(env->inst, db, sizeof db)) goto end;
    double t0 = measure_now();
    while (seconds > 0 ? measure_now() - t0 < seconds : *done < passes) {
        uint64_t n;
        if (stream_file(env->inst, db, buf, block, NULL, &n)) goto end;
        *bytes += n;
        (*done)++;
    }
    rc = 0;
end:;
    JET_ERR err = JetEndExternalBackupInstance2(env->inst, JET_bitBackupEndAbort);
    if (err != errBackupAbortByCaller && jetenv_check(err, "JetEndExternalBackupInstance2")) rc = -1;
    return rc;
}

static int case_read_or_commit(const struct options *o, int commit)
{
    struct jetenv env;
    struct jetenv_config cfg = o->cfg;
    size_t block = (size_t)o->block_kib * 1024;
    void *base;
    uint8_t *buf = read_buffer(o, &base);
    int rc = -1;
    if (!buf) return -1;
    cfg.create = 0;
    if (jetenv_open(&cfg, &env)) goto out;
    struct writers *w = writers_start(&env, (unsigned)o->writers);
    if (!w) goto out_env;
    usleep((useconds_t)(o->warmup_s * 1e6));
    for (unsigned long long rep = 1; rep <= o->reps; rep++) {
        uint64_t bytes, c0, c1;
        unsigned passes;
        double t0, t1, idle = 0.0;
        if (commit) { /* the window without a backup */
            c0 = writers_commits(w);
            t0 = measure_now();
            usleep((useconds_t)(o->seconds * 1e6));
            idle = (double)(writers_commits(w) - c0) / (measure_now() - t0);
        }
        c0 = writers_commits(w);
        t0 = measure_now();
        if (backup_read(&env, buf, block, 1, commit ? o->seconds : 0.0, &bytes, &passes)) goto out_w;
        t1 = measure_now();
        c1 = writers_commits(w);
        double secs = t1 - t0, during = (double)(c1 - c0) / secs;
        if (commit)
            printf("RESULT case=commit rep=%llu writers=%llu idle_commits_per_s=%.1f "
                   "backup_commits_per_s=%.1f ratio=%.4f backup_passes=%u backup_mb_s=%.1f\n",
                   rep, o->writers, idle, during, idle > 0 ? during / idle : 0.0, passes,
                   (double)bytes / MIB / secs);
        else
            printf("RESULT case=read rep=%llu writers=%llu block_kib=%llu bytes=%llu seconds=%.4f "
                   "mib_s=%.1f commits_per_s=%.1f\n",
                   rep, o->writers, o->block_kib, (unsigned long long)bytes, secs,
                   (double)bytes / MIB / secs, during);
        fflush(stdout);
    }
    rc = 0;
out_w:
    if (writers_stop(w)) rc = -1;
out_env:
    if (jetenv_close(&env)) rc = -1;
out:
    free(base);
    return rc;
}

static int case_writers(const struct options *o)
{
    struct jetenv env;
    struct jetenv_config cfg = o->cfg;
    int rc = 0;
    cfg.create = 0;
    if (jetenv_open(&cfg, &env)) return -1;
    struct writers *w = writers_start(&env, (unsigned)o->writers);
    if (!w) {
        jetenv_close(&env);
        return -1;
    }
    double t0 = measure_now();
    usleep((useconds_t)(o->seconds * 1e6));
    uint64_t c = writers_commits(w);
    double secs = measure_now() - t0;
    if (writers_stop(w)) rc = -1;
    if (jetenv_close(&env)) rc = -1;
    printf("RESULT case=writers writers=%llu seconds=%.3f commits_per_s=%.1f\n", o->writers, secs,
           (double)c / secs);
    return rc;
}

/* ---- floor ------------------------------------------------------------------------------------- */
#define FLOOR_PIECE (128u * 1024)

static int case_floor(const struct options *o)
{
    char path[JETENV_PATH_MAX];
    size_t block = (size_t)o->block_kib * 1024, pgsz = o->cfg.page_size;
    void *base;
    uint8_t *buf = read_buffer(o, &base);
    int rc = -1, fd = -1;
    if (!buf || block % FLOOR_PIECE || FLOOR_PIECE % pgsz || path_join(path, sizeof path, o->dir, JETENV_DB_FILE))
        goto out;
    if ((fd = open(path, O_RDONLY)) < 0) {
        perror(path);
        goto out;
    }
    for (unsigned long long rep = 1; rep <= o->reps; rep++) {
        uint64_t off = 0, bad = 0;
        double t0 = measure_now();
        for (ssize_t n = 1; n > 0;) {
            for (size_t at = 0; at < block && n > 0; at += FLOOR_PIECE) {
                uint8_t *p = buf + at;
                if ((n = pread(fd, p, FLOOR_PIECE, (off_t)off)) <= 0) break;
                off += (uint64_t)n;
                size_t pages = (size_t)n / pgsz, i = 0;
                uint32_t crc[3];
                for (; i + 3 <= pages; i += 3) {
                    crc32c_x3(p + i * pgsz + 4, p + (i + 1) * pgsz + 4, p + (i + 2) * pgsz + 4, pgsz - 4, crc);
                    for (int k = 0; k < 3; k++) bad += crc[k] != get_le32(p + (i + k) * pgsz);
                }
                for (; i < pages; i++) bad += crc32c(0, p + i * pgsz + 4, pgsz - 4) != get_le32(p + i * pgsz);
            }
        }
        double secs = measure_now() - t0;
        printf("RESULT case=floor rep=%llu bytes=%llu seconds=%.4f mib_s=%.1f bad_pages=%llu\n", rep,
               (unsigned long long)off, secs, (double)off / MIB / secs, (unsigned long long)bad);
    }
    rc = 0;
out:
    if (fd >= 0) close(fd);
    free(base);
    return rc;
}

/* ---- restore ----------------------------------------------------------------------------------- */
static unsigned long long log_bytes(JET_INSTANCE inst)
{
    JET_XINSTANCEINFO info;
    if (jetenv_check(JetXGetInstanceInfo(inst, &info), "JetXGetInstanceInfo")) return 0;
    return info.cLogBytes;
}

/* Writes at least `mib` MiB of log with the chosen workload; *seconds: how long it took. */
static int write_log(const struct options *o, struct jetenv *env, double *seconds,
                     unsigned long long *written, uint64_t *last_key)
{
    struct jetses s;
    size_t len = strcmp(o->workload, "bulk") == 0 ? (size_t)o->value_kib * 1024 : 100;
    unsigned rows = strcmp(o->workload, "bulk") == 0 ? (unsigned)o->rows_per_tx : 1000;
    uint8_t *value = malloc(len);
    uint64_t key = 1;
    int rc = -1;
    if (!value) return -1;
    for (size_t i = 0; i < len; i++) value[i] = (uint8_t)(i * 131 + (i >> 9));
    if (jetenv_session(env, &s)) goto out;
    unsigned long long b0 = log_bytes(env->inst);
    double t0 = measure_now();
    while (log_bytes(env->inst) - b0 < o->log_mib * 1024 * 1024)
        if (jetenv_insert_bulk(&s, &key, rows, value, len)) goto out_ses;
    *seconds = measure_now() - t0;
    *written = log_bytes(env->inst) - b0;
    *last_key = key - 1;
    rc = 0;
out_ses:
    jetenv_session_end(&s);
out:
    free(value);
    return rc;
}

/* Copies every log the backup lists into set/ (same base names); *li: the generations. */
static int copy_logs(struct jetenv *env, const char *set, uint8_t *buf, size_t block, JET_LOGINFO *li,
                     unsigned long long *bytes)
{
    unsigned long need = 0;
    char *list = calloc(1, 1 << 20);
    int rc = -1;
    if (!list) return -1;
    li->cbSize = sizeof *li;
    if (jetenv_check(JetGetLogInfoInstance2(env->inst, list, (1 << 20) - 2, &need, li),
                     "JetGetLogInfoInstance2"))
        goto out;
    *bytes = 0;
    for (const char *p = list; *p; p += strlen(p) + 1) {
        char to[JETENV_PATH_MAX];
        const char *base = strrchr(p, '/');
        uint64_t n;
        if (path_join(to, sizeof to, set, base ? base + 1 : p)) goto out;
        if (stream_file(env->inst, p, buf, block, to, &n)) goto out;
        *bytes += n;
    }
    rc = 0;
out:
    free(list);
    return rc;
}

/* The largest key of the restored bulk table: the last row the workload committed must be there. */
static int check_restored(const struct options *o, const char *dir, const char *db, uint64_t last_key)
{
    struct jetenv env;
    struct jetenv_config cfg = o->cfg;
    struct jetses s;
    int64_t id = 0;
    unsigned long got = 0;
    int rc = -1;
    cfg.dir = dir;
    cfg.db_path = db;
    cfg.create = 0;
    if (jetenv_open(&cfg, &env)) return -1;
    if (jetenv_session(&env, &s)) goto out;
    if (!jetenv_check(JetMove(s.ses, s.bulk, JET_MoveLast, 0), "JetMove") &&
        !jetenv_check(JetRetrieveColumn(s.ses, s.bulk, s.bulk_id, &id, sizeof id, &got, 0, NULL),
                      "JetRetrieveColumn"))
        rc = (uint64_t)id == last_key ? 0 : -1;
    if (rc) fprintf(stderr, "restore: last key %lld, expected %llu\n", (long long)id, (unsigned long long)last_key);
    jetenv_session_end(&s);
out:
    if (jetenv_close(&env)) rc = -1;
    return rc;
}

static int case_restore(const struct options *o)
{
    char src[JETENV_PATH_MAX], set[JETENV_PATH_MAX], dst[JETENV_PATH_MAX], db[JETENV_PATH_MAX],
        copy[JETENV_PATH_MAX], check[JETENV_PATH_MAX];
    struct jetenv env;
    struct jetenv_config cfg = o->cfg;
    size_t block = (size_t)o->block_kib * 1024;
    void *base;
    uint8_t *buf = read_buffer(o, &base);
    JET_LOGINFO li;
    unsigned long long written = 0, set_logs = 0;
    uint64_t db_bytes = 0, last_key = 0;
    double write_s = 0.0;
    int rc = -1;
    if (!buf) return -1;
    if (path_join(src, sizeof src, o->dir, "src") || path_join(set, sizeof set, o->dir, "set") ||
        path_join(dst, sizeof dst, o->dir, "restored") ||
        path_join(check, sizeof check, o->dir, "check") ||
        path_join(copy, sizeof copy, set, JETENV_DB_FILE))
        goto out;
    if (mkdir(o->dir, 0755) != 0 || mkdir(set, 0755) != 0 || mkdir(dst, 0755) != 0) {
        perror("restore: mkdir (the directory must not exist yet)");
        goto out;
    }
    cfg.dir = src;
    cfg.create = 1;
    cfg.circular_log = 0;
    if (jetenv_open(&cfg, &env)) goto out;
    if (jetenv_check(JetBeginExternalBackupInstance(env.inst, 0), "JetBeginExternalBackupInstance") ||
        stream_first_database(env.inst, db, sizeof db) ||
        stream_file(env.inst, db, buf, block, copy, &db_bytes) ||
        write_log(o, &env, &write_s, &written, &last_key) ||
        copy_logs(&env, set, buf, block, &li, &set_logs) ||
        jetenv_check(JetEndExternalBackupInstance2(env.inst, JET_bitBackupEndNormal),
                     "JetEndExternalBackupInstance2")) {
        jetenv_close(&env);
        goto out;
    }
    if (jetenv_close(&env)) goto out;

    JET_RSTMAP map = {db, copy};
    double t0 = measure_now();
    if (jetenv_check(JetExternalRestore2(dst, dst, &map, 1, set, &li, NULL, NULL, NULL, NULL),
                     "JetExternalRestore2"))
        goto out;
    double restore_s = measure_now() - t0;
    if (check_restored(o, check, copy, last_key)) goto out;
    printf("RESULT case=restore workload=%s log_bytes=%llu write_seconds=%.3f write_mb_s=%.1f "
           "generations=%lu set_log_bytes=%llu db_bytes=%llu restore_seconds=%.3f restore_mb_s=%.1f "
           "ratio=%.4f\n",
           o->workload, written, write_s, (double)written / 1e6 / write_s,
           li.ulGenHigh - li.ulGenLow + 1, set_logs, (unsigned long long)db_bytes, restore_s,
           (double)written / 1e6 / restore_s, write_s / restore_s);
    rc = 0;
out:
    free(base);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o = {.workload = "rows", .db_mib = 1100, .log_mib = 256, .value_kib = 64,
                        .rows_per_tx = 16, .reps = 1, .block_kib = 1024, .seconds = 5.0,
                        .warmup_s = 1.0,
                        .cfg = {.page_size = 8192, .cache_mib = 256, .log_file_kib = 5120,
                                .circular_log = 1}};
    if (parse_args(argc, argv, &o)) {
        usage();
        return 2;
    }
    o.cfg.dir = o.dir;
    int rc;
    if (strcmp(o.kase, "fill") == 0)
        rc = case_fill(&o);
    else if (strcmp(o.kase, "read") == 0)
        rc = case_read_or_commit(&o, 0);
    else if (strcmp(o.kase, "commit") == 0)
        rc = o.writers ? case_read_or_commit(&o, 1) : -2;
    else if (strcmp(o.kase, "floor") == 0)
        rc = case_floor(&o);
    else if (strcmp(o.kase, "writers") == 0)
        rc = o.writers ? case_writers(&o) : -2;
    else if (strcmp(o.kase, "restore") == 0)
        rc = case_restore(&o);
    else
        rc = -2;
    if (rc == -2) usage();
    return rc == 0 ? 0 : rc == -2 ? 2 : 1;
}
