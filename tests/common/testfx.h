/*
 * testfx.h — shared fixtures of the C test suites that need nothing but libc and POSIX: temporary
 * directories and file surgery, deterministic random numbers, and a child-process harness for crash
 * tests and process-wide-mode tests. (libjet helpers are in jetfx.h: tests/common/ C files are linked
 * into every test binary, the catalog tests' too, which do not link libjet.)
 *
 * Rules the fixtures keep:
 *  - every test builds what it needs under its own directory from tfx_mkdtemp (TMPDIR or /tmp,
 *    named hotcopy-<tag>-XXXXXX) and removes it with tfx_rmtree;
 *  - code running in a forked child never uses cmocka's asserts (a failure would longjmp back into
 *    the copy of the test runner): it uses TFX_CHILD_CHECK, which exits the child with status 1
 *    after printing the failed expression, and the parent asserts the exit status.
 * Nothing here keeps global mutable state.
 */
#ifndef HOTCOPY_TESTFX_H
#define HOTCOPY_TESTFX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TFX_PATH_MAX 1024

/* ---- files ------------------------------------------------------------------------------------- */
/* Creates a fresh temporary directory into out; 0 on success, -1 on failure. */
int tfx_mkdtemp(char *out, size_t cap, const char *tag);
/* Removes a directory tree (best effort; ignores a missing path). */
void tfx_rmtree(const char *path);
/* out = dir + "/" + name. */
void tfx_join(char *out, size_t cap, const char *dir, const char *name);
/* 1 if a path exists. */
int tfx_exists(const char *path);
/* Size of a file, -1 when it does not exist. */
long long tfx_file_size(const char *path);
/* Reads / writes len bytes at off of a file; 0 on success. */
int tfx_read_at(const char *path, void *buf, size_t len, long long off);
int tfx_write_at(const char *path, const void *buf, size_t len, long long off);
/* Flips (xor 0xff) the byte at off; 0 on success. */
int tfx_flip_byte(const char *path, long long off);
/* Copies a file; 0 on success. */
int tfx_copy_file(const char *from, const char *to);

/* ---- deterministic randomness ------------------------------------------------------------------ */
/* splitmix64 step. */
uint64_t tfx_rand(uint64_t *state);
/* Uniform in [0, n). */
uint64_t tfx_rand_below(uint64_t *state, uint64_t n);
/* Fills buf with bytes derived only from (a, b): the same pair always gives the same bytes. */
void tfx_fill(void *buf, size_t len, uint64_t a, uint64_t b);
/* A seed: $name when set (decimal or 0x hex), else from the clock and pid. */
uint64_t tfx_seed(const char *env_name);
/* An integer from the environment, or def. */
long tfx_env_long(const char *name, long def);

/* ---- child processes --------------------------------------------------------------------------- */
/* Fails a check inside a forked child: prints the expression and exits with status 1. */
#define TFX_CHILD_CHECK(expr)                                                                      \
    do {                                                                                           \
        if (!(expr)) tfx_child_fail(__FILE__, __LINE__, #expr);                                    \
    } while (0)
_Noreturn void tfx_child_fail(const char *file, int line, const char *what);
/* Same with the value found and the value wanted (error codes). */
_Noreturn void tfx_child_fail_long(const char *file, int line, const char *what, long got, long want);
#define TFX_CHILD_EQ(expr, want)                                                                   \
    do {                                                                                           \
        long tfx_got_ = (long)(expr), tfx_want_ = (long)(want);                                    \
        if (tfx_got_ != tfx_want_) tfx_child_fail_long(__FILE__, __LINE__, #expr, tfx_got_, tfx_want_); \
    } while (0)

/* Runs fn(arg) in a forked child; the child exits 0 when fn returns. Returns the child's wait
 * status as decoded by tfx_exit_code: its exit code, or 128 + signal. */
int tfx_run_in_child(void (*fn)(void *arg), void *arg);

/* A child that reports through a pipe (crash tests). */
struct tfx_child {
    pid_t pid;
    int rfd; /* parent's read end */
};
/* Forks; the child runs fn(wfd, arg) and exits 0 when it returns. 0 on success. */
int tfx_child_start(struct tfx_child *c, void (*fn)(int wfd, void *arg), void *arg);
/* Reads exactly len bytes from the child. 1: read, 0: the child closed the pipe (exited),
 * -1: timed out after timeout_ms or failed. */
int tfx_child_read(struct tfx_child *c, void *buf, size_t len, int timeout_ms);
/* SIGKILLs the child (if alive), reaps it; returns tfx_exit_code of its status. */
int tfx_child_kill(struct tfx_child *c);
/* Waits for the child to exit; returns tfx_exit_code of its status. */
int tfx_child_wait(struct tfx_child *c);
/* Writes len bytes to a pipe from the child (retrying on EINTR); exits the child if it fails. */
void tfx_child_send(int wfd, const void *buf, size_t len);
/* Exit code, or 128 + signal number. */
int tfx_exit_code(int status);

#endif
