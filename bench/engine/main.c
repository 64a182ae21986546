/*
 * main.c — bench_engine: runs one workload of the engine benchmark against one engine in this
 * process and prints one machine-readable RESULT line (bench/engine.sh runs each case in a fresh
 * process, so VmHWM is that run's own peak).
 *
 *   bench_engine --engine libjet|sqlite --case tx|load|read --dir DIR [options]
 *     --threads N       worker threads, one connection each (1)
 *     --rows-per-tx N   rows per transaction for tx and load (1)
 *     --rows N          load: rows to insert; read: rows in the table (0)
 *     --seconds S       timed duration of tx and read (10)
 *     --warmup N        read: untimed reads per thread first (0)
 *     --seed N          read: base seed of the key generator (42)
 *     --cache-mib M     cache budget of both engines (256)
 *     --page-size B     database page size of both engines (8192)
 *     --log-file-kib K  libjet JET_paramLogFileSize (5120)
 *     --label NAME      the case's name in the RESULT line (the --case value)
 * tx and load create the store in DIR (which must not hold one yet); read opens it.
 * Exit status 0 on success, 1 when the engine failed, 2 on bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "floor.h"
#include "measure.h"
#include "store.h"
#include "workload.h"

struct options {
    const struct store_ops *ops;
    const char *workload;
    const char *label;
    struct store_config cfg;
    struct workload_params p;
};

static void usage(void)
{
    fprintf(stderr, "usage: bench_engine --engine libjet|sqlite --case tx|load|read --dir DIR\n"
                    "       bench_engine --case fsync --dir DIR [--seconds S]\n"
                    "       [--threads N] [--rows-per-tx N] [--rows N] [--seconds S] [--warmup N]\n"
                    "       [--seed N] [--cache-mib M] [--page-size B] [--log-file-kib K]\n"
                    "       [--label NAME]\n");
}

static int parse_ull(const char *s, unsigned long long *out)
{
    char *end;
    if (!s || !*s || *s == '-') return -1;
    *out = strtoull(s, &end, 10);
    return *end ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {{"engine", required_argument, NULL, 'e'},
                                             {"case", required_argument, NULL, 'c'},
                                             {"dir", required_argument, NULL, 'd'},
                                             {"threads", required_argument, NULL, 't'},
                                             {"rows-per-tx", required_argument, NULL, 'b'},
                                             {"rows", required_argument, NULL, 'n'},
                                             {"seconds", required_argument, NULL, 's'},
                                             {"warmup", required_argument, NULL, 'w'},
                                             {"seed", required_argument, NULL, 'r'},
                                             {"cache-mib", required_argument, NULL, 'm'},
                                             {"page-size", required_argument, NULL, 'p'},
                                             {"log-file-kib", required_argument, NULL, 'l'},
                                             {"label", required_argument, NULL, 'L'},
                                             {NULL, 0, NULL, 0}};
    unsigned long long v;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (ch == 'e') {
            o->ops = strcmp(optarg, "libjet") == 0   ? &store_jet_ops
                     : strcmp(optarg, "sqlite") == 0 ? &store_sqlite_ops
                                                     : NULL;
            if (!o->ops) return -1;
            continue;
        }
        if (ch == 'c') {
            o->workload = optarg;
            continue;
        }
        if (ch == 'd') {
            o->cfg.dir = optarg;
            continue;
        }
        if (ch == 'L') {
            o->label = optarg;
            continue;
        }
        if (ch == 's') {
            char *end;
            o->p.seconds = strtod(optarg, &end);
            if (*end || o->p.seconds <= 0) return -1;
            continue;
        }
        if (ch == '?' || parse_ull(optarg, &v)) return -1;
        switch (ch) {
        case 't':
            o->p.threads = (unsigned)v;
            break;
        case 'b':
            o->p.rows_per_tx = (unsigned long)v;
            break;
        case 'n':
            o->p.rows = v;
            break;
        case 'w':
            o->p.warmup = v;
            break;
        case 'r':
            o->p.seed = v;
            break;
        case 'm':
            o->cfg.cache_mib = (unsigned long)v;
            break;
        case 'p':
            o->cfg.page_size = (unsigned long)v;
            break;
        case 'l':
            o->cfg.log_file_kib = (unsigned long)v;
            break;
        default:
            return -1;
        }
    }
    if (optind != argc || !o->workload || !o->cfg.dir) return -1;
    if (!o->ops && strcmp(o->workload, "fsync") != 0) return -1;
    if (o->p.threads < 1 || o->p.threads > 256 || o->p.rows_per_tx < 1 || o->cfg.cache_mib < 1)
        return -1;
    if (strcmp(o->workload, "tx") != 0 && strcmp(o->workload, "load") != 0 &&
        strcmp(o->workload, "read") != 0 && strcmp(o->workload, "fsync") != 0)
        return -1;
    if ((strcmp(o->workload, "load") == 0 || strcmp(o->workload, "read") == 0) && o->p.rows == 0)
        return -1;
    if (!o->label) o->label = o->workload;
    o->cfg.create = strcmp(o->workload, "read") != 0;
    return 0;
}

static void print_result(const struct options *o, const struct workload_result *r,
                         const struct store_stats *s, double close_seconds)
{
    double secs = r->seconds > 0 ? r->seconds : 1e-9;
    printf("RESULT case=%s engine=%s threads=%u rows_per_tx=%lu seconds=%.3f ops=%llu rows=%llu "
           "ops_per_s=%.1f rows_per_s=%.1f p50_us=%.1f p99_us=%.1f cpu_us_per_op=%.2f "
           "cpu_us_per_row=%.3f "
           "close_s=%.3f hwm_kib=%ld "
           "cache_mib=%lu page_size=%lu commits=%llu log_flushes=%llu\n",
           o->label, o->ops ? o->ops->name : "disk", o->p.threads, o->p.rows_per_tx, r->seconds,
           r->ops, r->rows, (double)r->ops / secs, (double)r->rows / secs,
           hist_quantile_us(&r->latency, 0.50), hist_quantile_us(&r->latency, 0.99),
           r->ops ? r->cpu_seconds * 1e6 / (double)r->ops : 0.0,
           r->rows ? r->cpu_seconds * 1e6 / (double)r->rows : 0.0, close_seconds,
           measure_vmhwm_kib(), o->cfg.cache_mib, o->cfg.page_size, s->commits, s->log_flushes);
}

int main(int argc, char **argv)
{
    struct options o = {
        .cfg = {.cache_mib = 256, .page_size = 8192, .log_file_kib = 5120},
        .p = {.threads = 1, .rows_per_tx = 1, .seconds = 10.0, .seed = 42},
    };
    struct store *st;
    struct workload_result r;
    struct store_stats stats;
    if (parse_args(argc, argv, &o)) {
        usage();
        return 2;
    }
    if (!o.ops) { /* the fsync floor: no engine */
        memset(&stats, 0, sizeof stats);
        if (floor_fsync(o.cfg.dir, &o.p, &r)) return 1;
        print_result(&o, &r, &stats, 0.0);
        return 0;
    }
    if (o.ops->open(&o.cfg, &st)) return 1;
    int rc = strcmp(o.workload, "tx") == 0     ? workload_tx(o.ops, st, &o.p, &r)
             : strcmp(o.workload, "load") == 0 ? workload_load(o.ops, st, &o.p, &r)
                                               : workload_read(o.ops, st, &o.p, &r);
    o.ops->stats(st, &stats);
    double t0 = measure_now();
    if (o.ops->close(st)) rc = -1;
    double close_seconds = measure_now() - t0;
    if (rc) {
        fprintf(stderr, "%s: case %s failed\n", o.ops->name, o.label);
        return 1;
    }
    print_result(&o, &r, &stats, close_seconds);
    return 0;
}
