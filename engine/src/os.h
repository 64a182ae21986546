/*
 * os.h — the engine's only door to the operating system: files, directories, time, randomness.
 *
 * Every system call goes through one table of function pointers (os.c), so the fault points can
 * fail any of them (EIO, ENOSPC, short or torn writes, flipped bytes on read) without #ifdefs in
 * the callers. Errors come back as JET_ERR: ENOENT -> JET_errFileNotFound, ENOSPC ->
 * JET_errDiskFull, EACCES/EPERM -> JET_errFileAccessDenied, ENAMETOOLONG/ENOTDIR -> JET_errInvalidPath,
 * anything else -> JET_errDiskIO. Callers that need a more specific code (the log writer's
 * JET_errLogDiskFull) translate.
 */
#ifndef JET_OS_H
#define JET_OS_H

#include <stddef.h>
#include <stdint.h>

#include "jet.h"

#define OS_PATH_MAX 1024

enum {
    OS_READ = 0,
    OS_RDWR = 1,
    OS_CREATE = 2, /* create if missing */
    OS_EXCL = 4,   /* fail with JET_errFileAlreadyExists if present (with OS_CREATE) */
    OS_TRUNC = 8
};

typedef struct os_file {
    int fd;
    char path[OS_PATH_MAX];
} os_file;

/* Opens a file. *out is freed by os_close. */
JET_ERR os_open(const char *path, int flags, os_file **out);
void os_close(os_file *f);

/* Reads up to len bytes at off; *got < len only at end of file. */
JET_ERR os_pread(os_file *f, void *buf, size_t len, uint64_t off, size_t *got);
/* Reads exactly len bytes; JET_errDiskIO (or the fault's error) on a short read. */
JET_ERR os_pread_full(os_file *f, void *buf, size_t len, uint64_t off);
/* Writes exactly len bytes. */
JET_ERR os_pwrite(os_file *f, const void *buf, size_t len, uint64_t off);
JET_ERR os_fsync(os_file *f);
JET_ERR os_fdatasync(os_file *f);
JET_ERR os_size(os_file *f, uint64_t *size);
JET_ERR os_truncate(os_file *f, uint64_t size);
/* Reserves [off, off+len) (fallocate; falls back to writing nothing when unsupported). */
JET_ERR os_allocate(os_file *f, uint64_t off, uint64_t len);

JET_ERR os_rename(const char *from, const char *to);
JET_ERR os_unlink(const char *path);
/* Makes a directory's entries durable (after create, rename, unlink). */
JET_ERR os_fsync_dir(const char *dir);
/* The directory part of a path into dir (cap bytes): "." when there is none. */
void os_dirname(const char *path, char *dir, size_t cap);
/* The last component of a path. */
const char *os_basename(const char *path);
/* mkdir -p. */
JET_ERR os_mkdirs(const char *dir);
/* 1 if the path exists (any type), 0 if not. */
int os_exists(const char *path);
/* Size of a file by path. */
JET_ERR os_file_size(const char *path, uint64_t *size);
/* Publishes data as path durably: temporary file, fsync, rename, fsync of the directory. */
JET_ERR os_publish(const char *path, const void *data, size_t len);
/* Joins dir and name into out (cap bytes); JET_errInvalidPath if it does not fit. A dir of ""
 * gives the name alone; a trailing '/' is not doubled. */
JET_ERR os_join(char *out, size_t cap, const char *dir, const char *name);

/* Wall-clock microseconds since 1970, and a monotonic clock in microseconds. */
int64_t os_now_us(void);
int64_t os_mono_us(void);
/* Cryptographically random bytes (getrandom). */
void os_random(void *buf, size_t len);

/* Maps an errno to a JET_ERR as described above. */
JET_ERR os_err(int e);

/* Blocks while a JET_XFAULT_TERM_PAUSE (init = 0, called by JetTerm) or JET_XFAULT_INIT_PAUSE
 * (init = 1, called by JetInit) fault is armed and not resumed. */
void os_fault_pause(int init);

#endif
