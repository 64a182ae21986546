/*
 * common.c — input reader and scratch files shared by the harnesses (see common.h).
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fz_init(struct fz_in *in, const uint8_t *data, size_t len)
{
    in->p = data;
    in->len = len;
    in->off = 0;
}

uint8_t fz_u8(struct fz_in *in) { return in->off < in->len ? in->p[in->off++] : 0; }

uint16_t fz_u16(struct fz_in *in)
{
    uint16_t v = fz_u8(in);
    return (uint16_t)(v | fz_u8(in) << 8);
}

uint32_t fz_u32(struct fz_in *in)
{
    uint32_t v = fz_u16(in);
    return v | (uint32_t)fz_u16(in) << 16;
}

uint64_t fz_u64(struct fz_in *in)
{
    uint64_t v = fz_u32(in);
    return v | (uint64_t)fz_u32(in) << 32;
}

const uint8_t *fz_bytes(struct fz_in *in, size_t max, size_t *n)
{
    size_t want = fz_u16(in);
    size_t left = in->len - in->off;
    if (max && want > max) want %= max + 1;
    if (want > left) want = left;
    const uint8_t *p = in->p + in->off;
    in->off += want;
    *n = want;
    return p;
}

const uint8_t *fz_rest(struct fz_in *in, size_t *n)
{
    *n = in->len - in->off;
    const uint8_t *p = in->p + in->off;
    in->off = in->len;
    return p;
}

size_t fz_cstr(struct fz_in *in, char *out, size_t max)
{
    size_t n;
    const uint8_t *p = fz_bytes(in, max, &n);
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

static char scratch[FZ_PATH_MAX];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    if (ftw->level == 0) return 0; /* keep the directory itself */
    return remove(path);
}

void fz_clear(const char *dir) { nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static void remove_scratch(void)
{
    if (!scratch[0]) return;
    fz_clear(scratch);
    rmdir(scratch);
}

const char *fz_dir(void)
{
    if (scratch[0]) return scratch;
    const char *base = getenv("FUZZ_SCRATCH");
    if (base == NULL || base[0] == '\0') base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(scratch, sizeof scratch, "%s/hotcopy-fuzz-XXXXXX", base);
    if (mkdtemp(scratch) == NULL) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(remove_scratch);
    return scratch;
}

void fz_path(char *out, const char *name) { snprintf(out, FZ_PATH_MAX, "%s/%s", fz_dir(), name); }

void fz_mkdir(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        perror("fuzz: mkdir");
        abort();
    }
}

void fz_write(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror("fuzz: open");
        abort();
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            perror("fuzz: write");
            abort();
        }
        done += (size_t)n;
    }
    close(fd);
}

uint8_t *fz_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(buf, cap);
            if (grown == NULL) break;
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

bool fz_verbose(void)
{
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("FUZZ_VERBOSE") != NULL;
    return verbose;
}
