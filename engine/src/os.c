/*
 * os.c — system calls through one table (syscalls[]) and the fault points that can fail them.
 *
 * The fault table is the one piece of process-wide mutable state besides the instance table: test
 * infrastructure compiled into every build, inert when nothing is armed (a relaxed atomic load of
 * `armed` per call). Faults are matched by kind of call and a substring of the file's path.
 * Locking: fault_mu guards faults[] and the pause flag; `armed` mirrors "any fault set".
 */
#include "os.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the system call table ---------------------------------------------------------------------- */
static int sys_open(const char *p, int fl, mode_t m) { return open(p, fl, m); }
static struct {
    int (*open)(const char *, int, mode_t);
    int (*close)(int);
    ssize_t (*pread)(int, void *, size_t, off_t);
    ssize_t (*pwrite)(int, const void *, size_t, off_t);
    int (*fsync)(int);
    int (*fdatasync)(int);
    int (*fstat)(int, struct stat *);
    int (*ftruncate)(int, off_t);
    int (*fallocate)(int, int, off_t, off_t);
    int (*rename)(const char *, const char *);
    int (*unlink)(const char *);
    int (*mkdir)(const char *, mode_t);
    int (*stat)(const char *, struct stat *);
} const syscalls = {sys_open, close, pread, pwrite, fsync, fdatasync, fstat,
                    ftruncate, fallocate, rename, unlink, mkdir, stat};

/* ---- fault points --------------------------------------------------------------------------------- */
#define FAULTS_MAX 8
struct fault {
    int in_use;
    JET_XFAULT f;
    char path_sub[OS_PATH_MAX];
    unsigned long seen; /* matching calls so far */
};
static pthread_mutex_t fault_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fault_cv = PTHREAD_COND_INITIALIZER;
static struct fault faults[FAULTS_MAX];
static atomic_int armed;
static unsigned long fault_hits;
static int paused[2]; /* a TERM_PAUSE / INIT_PAUSE fault is armed and not resumed */

/* Returns the fault to apply to this call (copied into *out), or 0. A matching DELAY fault makes
 * the call wait here first (outside the fault mutex) and is not returned. */
static int fault_check(unsigned long op, const char *path, JET_XFAULT *out)
{
    if (!atomic_load_explicit(&armed, memory_order_relaxed)) return 0;
    int hit = 0;
    unsigned long delay_ms = 0;
    pthread_mutex_lock(&fault_mu);
    for (int i = 0; i < FAULTS_MAX && !hit; i++) {
        struct fault *ft = &faults[i];
        if (!ft->in_use || ft->f.op != op) continue;
        if (ft->path_sub[0] && (!path || !strstr(path, ft->path_sub))) continue;
        unsigned long n = ft->seen++;
        if (n < ft->f.cSkip) continue;
        if (ft->f.cFail && n >= ft->f.cSkip + ft->f.cFail) continue;
        fault_hits++;
        if (ft->f.mode == JET_XFAULT_DELAY) {
            if (ft->f.ulDelayMs > delay_ms) delay_ms = ft->f.ulDelayMs;
            continue;
        }
        *out = ft->f;
        hit = 1;
    }
    pthread_mutex_unlock(&fault_mu);
    if (delay_ms) {
        struct timespec ts = {(time_t)(delay_ms / 1000), (long)(delay_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
    }
    return hit;
}

JET_ERR JetXFaultSet(const JET_XFAULT *pfault)
{
    if (!pfault || pfault->op < JET_XFAULT_READ || pfault->op > JET_XFAULT_INIT_PAUSE ||
        pfault->mode > JET_XFAULT_DELAY || (pfault->mode == JET_XFAULT_DELAY && pfault->ulDelayMs > 60000))
        return JET_errInvalidParameter;
    if (pfault->szPathContains && strlen(pfault->szPathContains) >= OS_PATH_MAX)
        return JET_errInvalidParameter;
    JET_ERR err = JET_errOutOfMemory;
    pthread_mutex_lock(&fault_mu);
    for (int i = 0; i < FAULTS_MAX; i++) {
        if (faults[i].in_use) continue;
        faults[i].in_use = 1;
        faults[i].f = *pfault;
        faults[i].seen = 0;
        snprintf(faults[i].path_sub, sizeof faults[i].path_sub, "%s",
                 pfault->szPathContains ? pfault->szPathContains : "");
        faults[i].f.szPathContains = faults[i].path_sub;
        if (pfault->op == JET_XFAULT_TERM_PAUSE) paused[0] = 1;
        if (pfault->op == JET_XFAULT_INIT_PAUSE) paused[1] = 1;
        atomic_store(&armed, 1);
        err = JET_errSuccess;
        break;
    }
    pthread_mutex_unlock(&fault_mu);
    return err;
}

void JetXFaultClear(void)
{
    pthread_mutex_lock(&fault_mu);
    memset(faults, 0, sizeof faults);
    atomic_store(&armed, 0);
    paused[0] = paused[1] = 0;
    pthread_cond_broadcast(&fault_cv);
    pthread_mutex_unlock(&fault_mu);
}

void JetXFaultResume(void)
{
    pthread_mutex_lock(&fault_mu);
    paused[0] = paused[1] = 0;
    for (int i = 0; i < FAULTS_MAX; i++)
        if (faults[i].in_use &&
            (faults[i].f.op == JET_XFAULT_TERM_PAUSE || faults[i].f.op == JET_XFAULT_INIT_PAUSE))
            faults[i].in_use = 0;
    pthread_cond_broadcast(&fault_cv);
    pthread_mutex_unlock(&fault_mu);
}

unsigned long JetXFaultHits(void)
{
    pthread_mutex_lock(&fault_mu);
    unsigned long n = fault_hits;
    pthread_mutex_unlock(&fault_mu);
    return n;
}

void os_fault_pause(int init)
{
    if (!atomic_load_explicit(&armed, memory_order_relaxed)) return;
    pthread_mutex_lock(&fault_mu);
    if (paused[init != 0]) fault_hits++;
    while (paused[init != 0]) pthread_cond_wait(&fault_cv, &fault_mu);
    pthread_mutex_unlock(&fault_mu);
}

/* ---- errors ---------------------------------------------------------------------------------------- */
JET_ERR os_err(int e)
{
    switch (e) {
    case 0: return JET_errSuccess;
    case ENOENT: return JET_errFileNotFound;
    case ENOSPC:
    case EDQUOT: return JET_errDiskFull;
    case EACCES:
    case EPERM:
    case EROFS: return JET_errFileAccessDenied;
    case ENAMETOOLONG:
    case ENOTDIR:
    case EISDIR: return JET_errInvalidPath;
    case EEXIST: return JET_errFileAlreadyExists;
    case ENOMEM: return JET_errOutOfMemory;
    case EMFILE:
    case ENFILE: return JET_errOutOfFileHandles;
    default: return JET_errDiskIO;
    }
}

/* Applies a FAIL fault or exits for CRASH; returns the errno to fail with, 0 to proceed. */
static int fault_fail_or_crash(const JET_XFAULT *f)
{
    if (f->mode == JET_XFAULT_CRASH) _exit(99);
    if (f->mode == JET_XFAULT_FAIL) return f->errnoValue ? f->errnoValue : EIO;
    return 0;
}

/* ---- files ------------------------------------------------------------------------------------------ */
JET_ERR os_open(const char *path, int flags, os_file **out)
{
    JET_XFAULT f;
    *out = NULL;
    if (!path || !path[0]) return JET_errInvalidPath;
    if (strlen(path) >= OS_PATH_MAX) return JET_errInvalidPath;
    if (fault_check(JET_XFAULT_OPEN, path, &f)) {
        int e = fault_fail_or_crash(&f);
        if (e) return os_err(e);
    }
    int fl = O_CLOEXEC | ((flags & OS_RDWR) ? O_RDWR : O_RDONLY);
    if (flags & OS_CREATE) fl |= O_CREAT;
    if (flags & OS_EXCL) fl |= O_EXCL;
    if (flags & OS_TRUNC) fl |= O_TRUNC;
    int fd;
    do fd = syscalls.open(path, fl, 0644);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return os_err(errno);
    os_file *file = malloc(sizeof *file);
    if (!file) {
        syscalls.close(fd);
        return JET_errOutOfMemory;
    }
    file->fd = fd;
    snprintf(file->path, sizeof file->path, "%s", path);
    *out = file;
    return JET_errSuccess;
}

void os_close(os_file *f)
{
    if (!f) return;
    syscalls.close(f->fd);
    free(f);
}

JET_ERR os_pread(os_file *f, void *buf, size_t len, uint64_t off, size_t *got)
{
    JET_XFAULT ft;
    int corrupt = 0;
    *got = 0;
    if (fault_check(JET_XFAULT_READ, f->path, &ft)) {
        int e = fault_fail_or_crash(&ft);
        if (e) return os_err(e);
        corrupt = ft.mode == JET_XFAULT_CORRUPT;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = syscalls.pread(f->fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return os_err(errno);
        }
        if (n == 0) break;
        done += (size_t)n;
    }
    if (corrupt && done > 0) ((unsigned char *)buf)[done / 2] ^= 0x5a;
    *got = done;
    return JET_errSuccess;
}

JET_ERR os_pread_full(os_file *f, void *buf, size_t len, uint64_t off)
{
    size_t got;
    JET_ERR err = os_pread(f, buf, len, off, &got);
    if (err < 0) return err;
    return got == len ? JET_errSuccess : JET_errDiskIO;
}

static JET_ERR write_all(int fd, const void *buf, size_t len, uint64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = syscalls.pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return os_err(errno);
        }
        done += (size_t)n;
    }
    return JET_errSuccess;
}

JET_ERR os_pwrite(os_file *f, const void *buf, size_t len, uint64_t off)
{
    JET_XFAULT ft;
    if (fault_check(JET_XFAULT_WRITE, f->path, &ft)) {
        int e = fault_fail_or_crash(&ft);
        if (e) return os_err(e);
        size_t half = (len / 2) & ~(size_t)511;
        if (ft.mode == JET_XFAULT_TORN) return write_all(f->fd, buf, half, off);
        if (ft.mode == JET_XFAULT_TORN_EXIT) {
            write_all(f->fd, buf, half, off);
            _exit(99);
        }
        if (ft.mode == JET_XFAULT_SHORT) {
            JET_ERR err = write_all(f->fd, buf, half, off);
            return err < 0 ? err : os_err(ft.errnoValue ? ft.errnoValue : EIO);
        }
    }
    return write_all(f->fd, buf, len, off);
}

static JET_ERR sync_common(os_file *f, int data_only)
{
    JET_XFAULT ft;
    if (fault_check(JET_XFAULT_FSYNC, f->path, &ft)) {
        int e = fault_fail_or_crash(&ft);
        if (e) return os_err(e);
    }
    int rc = data_only ? syscalls.fdatasync(f->fd) : syscalls.fsync(f->fd);
    return rc == 0 ? JET_errSuccess : os_err(errno);
}

JET_ERR os_fsync(os_file *f) { return sync_common(f, 0); }
JET_ERR os_fdatasync(os_file *f) { return sync_common(f, 1); }

JET_ERR os_size(os_file *f, uint64_t *size)
{
    struct stat st;
    if (syscalls.fstat(f->fd, &st) != 0) return os_err(errno);
    *size = (uint64_t)st.st_size;
    return JET_errSuccess;
}

JET_ERR os_truncate(os_file *f, uint64_t size)
{
    JET_XFAULT ft;
    if (fault_check(JET_XFAULT_WRITE, f->path, &ft)) {
        int e = fault_fail_or_crash(&ft);
        if (e) return os_err(e);
    }
    return syscalls.ftruncate(f->fd, (off_t)size) == 0 ? JET_errSuccess : os_err(errno);
}

JET_ERR os_allocate(os_file *f, uint64_t off, uint64_t len)
{
    JET_XFAULT ft;
    if (fault_check(JET_XFAULT_ALLOCATE, f->path, &ft)) {
        int e = fault_fail_or_crash(&ft);
        if (e) return os_err(e);
    }
    if (syscalls.fallocate(f->fd, 0, (off_t)off, (off_t)len) == 0) return JET_errSuccess;
    if (errno == EOPNOTSUPP || errno == ENOSYS) return JET_errSuccess;
    return os_err(errno);
}

/* ---- paths ------------------------------------------------------------------------------------------ */
JET_ERR os_rename(const char *from, const char *to)
{
    JET_XFAULT ft;
    if (fault_check(JET_XFAULT_RENAME, to, &ft)) {
        int e = fault_fail_or_crash(&ft);
        if (e) return os_err(e);
    }
    return syscalls.rename(from, to) == 0 ? JET_errSuccess : os_err(errno);
}

JET_ERR os_unlink(const char *path)
{
    JET_XFAULT ft;
    if (fault_check(JET_XFAULT_UNLINK, path, &ft)) {
        int e = fault_fail_or_crash(&ft);
        if (e) return os_err(e);
    }
    return syscalls.unlink(path) == 0 ? JET_errSuccess : os_err(errno);
}

JET_ERR os_fsync_dir(const char *dir)
{
    os_file *f;
    JET_ERR err = os_open(dir && dir[0] ? dir : ".", OS_READ, &f);
    if (err < 0) return err;
    err = os_fsync(f);
    os_close(f);
    return err;
}

void os_dirname(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, cap, ".");
    } else if (slash == path) {
        snprintf(dir, cap, "/");
    } else {
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
    }
}

const char *os_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

JET_ERR os_mkdirs(const char *dir)
{
    char tmp[OS_PATH_MAX];
    if (!dir || !dir[0]) return JET_errSuccess;
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp) return JET_errInvalidPath;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (syscalls.mkdir(tmp, 0755) != 0 && errno != EEXIST) return os_err(errno);
        *p = '/';
    }
    if (syscalls.mkdir(tmp, 0755) != 0 && errno != EEXIST) return os_err(errno);
    struct stat st;
    if (syscalls.stat(tmp, &st) != 0) return os_err(errno);
    return S_ISDIR(st.st_mode) ? JET_errSuccess : JET_errInvalidPath;
}

int os_exists(const char *path)
{
    struct stat st;
    return path && syscalls.stat(path, &st) == 0;
}

JET_ERR os_file_size(const char *path, uint64_t *size)
{
    struct stat st;
    if (syscalls.stat(path, &st) != 0) return os_err(errno);
    *size = (uint64_t)st.st_size;
    return JET_errSuccess;
}

JET_ERR os_join(char *out, size_t cap, const char *dir, const char *name)
{
    int n;
    size_t dl = dir ? strlen(dir) : 0;
    if (dl == 0)
        n = snprintf(out, cap, "%s", name);
    else if (dir[dl - 1] == '/')
        n = snprintf(out, cap, "%s%s", dir, name);
    else
        n = snprintf(out, cap, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= cap) ? JET_errInvalidPath : JET_errSuccess;
}

JET_ERR os_publish(const char *path, const void *data, size_t len)
{
    char tmp[OS_PATH_MAX], dir[OS_PATH_MAX];
    os_file *f = NULL;
    JET_ERR err;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return JET_errInvalidPath;
    err = os_open(tmp, OS_RDWR | OS_CREATE | OS_TRUNC, &f);
    if (err < 0) goto out;
    err = os_pwrite(f, data, len, 0);
    if (err < 0) goto out;
    err = os_fsync(f);
    if (err < 0) goto out;
    os_close(f);
    f = NULL;
    err = os_rename(tmp, path);
    if (err < 0) goto out;
    os_dirname(path, dir, sizeof dir);
    err = os_fsync_dir(dir);
out:
    if (f) os_close(f);
    if (err < 0) syscalls.unlink(tmp);
    return err;
}

/* ---- time and randomness ---------------------------------------------------------------------------- */
int64_t os_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t os_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void os_random(void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom((char *)buf + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            /* No entropy source at all: fall back to time-derived bytes rather than failing. */
            uint64_t t = (uint64_t)os_mono_us() ^ ((uint64_t)os_now_us() << 17);
            for (; done < len; done++, t = t * 6364136223846793005u + 1442695040888963407u)
                ((unsigned char *)buf)[done] = (unsigned char)(t >> 33);
            return;
        }
        done += (size_t)n;
    }
}
