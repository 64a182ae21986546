/*
 * testfx.c — the libc/POSIX test fixtures (contracts in testfx.h): temporary directories, file
 * surgery for corruption tests, splitmix64 randomness, and forked children with a report pipe.
 */
#include "testfx.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- files ------------------------------------------------------------------------------------- */
int tfx_mkdtemp(char *out, size_t cap, const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !base[0]) base = "/tmp";
    int n = snprintf(out, cap, "%s/hotcopy-%s-XXXXXX", base, tag ? tag : "test");
    if (n < 0 || (size_t)n >= cap) return -1;
    return mkdtemp(out) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    (void)remove(path); /* best effort: a leftover file must not fail the test run */
    return 0;
}

void tfx_rmtree(const char *path)
{
    if (!path || !path[0] || !tfx_exists(path)) return;
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void tfx_join(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

int tfx_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

long long tfx_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int tfx_read_at(const char *path, void *buf, size_t len, long long off)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = pread(fd, buf, len, (off_t)off);
    close(fd);
    return n == (ssize_t)len ? 0 : -1;
}

int tfx_write_at(const char *path, const void *buf, size_t len, long long off)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = pwrite(fd, buf, len, (off_t)off);
    int rc = fsync(fd);
    close(fd);
    return n == (ssize_t)len && rc == 0 ? 0 : -1;
}

int tfx_flip_byte(const char *path, long long off)
{
    unsigned char b;
    if (tfx_read_at(path, &b, 1, off) != 0) return -1;
    b ^= 0xff;
    return tfx_write_at(path, &b, 1, off);
}

int tfx_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0 || write(out, buf, (size_t)n) != n) {
            rc = -1;
            break;
        }
    }
    if (fsync(out) != 0) rc = -1;
    close(in);
    close(out);
    return rc;
}

/* ---- randomness -------------------------------------------------------------------------------- */
uint64_t tfx_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t tfx_rand_below(uint64_t *state, uint64_t n) { return n ? tfx_rand(state) % n : 0; }

void tfx_fill(void *buf, size_t len, uint64_t a, uint64_t b)
{
    uint64_t st = a * 0x100000001B3ull ^ (b + 0x632BE59BD9B4E019ull);
    unsigned char *p = buf;
    size_t i = 0;
    while (i < len) {
        uint64_t r = tfx_rand(&st);
        for (int k = 0; k < 8 && i < len; k++, i++) p[i] = (unsigned char)(r >> (8 * k));
    }
}

uint64_t tfx_seed(const char *env_name)
{
    const char *v = env_name ? getenv(env_name) : NULL;
    if (v && v[0]) return strtoull(v, NULL, 0);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20);
    return tfx_rand(&s);
}

long tfx_env_long(const char *name, long def)
{
    const char *v = getenv(name);
    if (!v || !v[0]) return def;
    char *end;
    long x = strtol(v, &end, 0);
    return *end ? def : x;
}

/* ---- children ---------------------------------------------------------------------------------- */
_Noreturn void tfx_child_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: child check failed: %s\n", file, line, what);
    fflush(stderr);
    _exit(1);
}

_Noreturn void tfx_child_fail_long(const char *file, int line, const char *what, long got, long want)
{
    fprintf(stderr, "%s:%d: child check failed: %s is %ld, wanted %ld\n", file, line, what, got, want);
    fflush(stderr);
    _exit(1);
}

int tfx_exit_code(int status)
{
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

static int reap(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return 255;
    return tfx_exit_code(status);
}

int tfx_run_in_child(void (*fn)(void *arg), void *arg)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return 255;
    if (pid == 0) {
        fn(arg);
        fflush(stdout);
        fflush(stderr);
        _exit(0);
    }
    return reap(pid);
}

int tfx_child_start(struct tfx_child *c, void (*fn)(int wfd, void *arg), void *arg)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        fn(fds[1], arg);
        fflush(stdout);
        fflush(stderr);
        _exit(0);
    }
    close(fds[1]);
    c->pid = pid;
    c->rfd = fds[0];
    return 0;
}

int tfx_child_read(struct tfx_child *c, void *buf, size_t len, int timeout_ms)
{
    size_t got = 0;
    while (got < len) {
        struct pollfd p = {.fd = c->rfd, .events = POLLIN};
        int r = poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        ssize_t n = read(c->rfd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return 0;
        got += (size_t)n;
    }
    return 1;
}

static void child_close(struct tfx_child *c)
{
    if (c->rfd >= 0) close(c->rfd);
    c->rfd = -1;
    c->pid = 0;
}

int tfx_child_kill(struct tfx_child *c)
{
    if (c->pid <= 0) return 255;
    kill(c->pid, SIGKILL);
    int code = reap(c->pid);
    child_close(c);
    return code;
}

int tfx_child_wait(struct tfx_child *c)
{
    if (c->pid <= 0) return 255;
    int code = reap(c->pid);
    child_close(c);
    return code;
}

void tfx_child_send(int wfd, const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(wfd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(3);
        done += (size_t)n;
    }
}
