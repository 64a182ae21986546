/*
 * floor.c — the fdatasync floor (contract in floor.h). The file is written in full and synced
 * before timing, so the timed appends never allocate blocks or change the file size (only data
 * reaches the disk on each fdatasync, as for a preallocated log generation).
 */
#include "floor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLOOR_FILE_BYTES (64u << 20)
#define FLOOR_CHUNK (1u << 20)

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "floor: %s %s: %s\n", what, path, strerror(errno));
    return -1;
}

/* Writes FLOOR_FILE_BYTES of zeros into fd and syncs. */
static int preallocate(int fd, const char *path)
{
    uint8_t *zeros = calloc(1, FLOOR_CHUNK);
    int rc = zeros ? 0 : -1;
    for (off_t off = 0; rc == 0 && off < (off_t)FLOOR_FILE_BYTES; off += FLOOR_CHUNK)
        if (pwrite(fd, zeros, FLOOR_CHUNK, off) != (ssize_t)FLOOR_CHUNK) rc = fail("pwrite", path);
    free(zeros);
    if (rc == 0 && fdatasync(fd) != 0) rc = fail("fdatasync", path);
    return rc;
}

int floor_fsync(const char *dir, const struct workload_params *p, struct workload_result *out)
{
    char path[4096];
    uint8_t block[BENCH_FLOOR_BLOCK];
    memset(out, 0, sizeof *out);
    memset(block, 0xA5, sizeof block);
    int n = snprintf(path, sizeof path, "%s/floor.dat", dir);
    if (n < 0 || (size_t)n >= sizeof path) return -1;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) return fail("mkdir", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return fail("open", path);
    int rc = preallocate(fd, path);
    double t0 = measure_now(), t = t0, c0 = measure_cpu_seconds();
    for (off_t off = 0; rc == 0 && t - t0 < p->seconds; off += BENCH_FLOOR_BLOCK) {
        if (off + BENCH_FLOOR_BLOCK > (off_t)FLOOR_FILE_BYTES) off = 0;
        double t1 = measure_now();
        if (pwrite(fd, block, sizeof block, off) != (ssize_t)sizeof block)
            rc = fail("pwrite", path);
        else if (fdatasync(fd) != 0)
            rc = fail("fdatasync", path);
        t = measure_now();
        hist_add(&out->latency, (uint64_t)((t - t1) * 1e9));
        out->ops++;
    }
    out->seconds = t - t0;
    out->cpu_seconds = measure_cpu_seconds() - c0;
    if (close(fd) != 0 && rc == 0) rc = fail("close", path);
    if (unlink(path) != 0 && rc == 0) rc = fail("unlink", path);
    return rc;
}
