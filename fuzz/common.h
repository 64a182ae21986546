/*
 * common.h — what the libFuzzer harnesses in fuzz/ share: a reader that takes typed values off the
 * fuzz input (as LLVM's FuzzedDataProvider does), a private scratch directory per process, and file
 * helpers. Each harness is one fuzz/fuzz_*.c file defining LLVMFuzzerTestOneInput; mk/fuzz.mk
 * links it with this file and the fuzz build of the libraries.
 *
 * Rule for every harness: no input may crash, hang, leak or abort (an assert is a bug); results
 * are only checked where the contract says what they must be (e.g. a range lies inside the file).
 */
#ifndef HOTCOPY_FUZZ_COMMON_H
#define HOTCOPY_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_PATH_MAX 512

/* A cursor over the fuzz input. Reads past the end give zeros (and an empty tail). */
struct fz_in {
    const uint8_t *p;
    size_t len;
    size_t off;
};

void fz_init(struct fz_in *in, const uint8_t *data, size_t len);
uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);
/* Up to max bytes (the count taken from the input), as a pointer into the input. */
const uint8_t *fz_bytes(struct fz_in *in, size_t max, size_t *n);
/* Everything not read yet. */
const uint8_t *fz_rest(struct fz_in *in, size_t *n);
/* A NUL-terminated copy of up to max bytes into out (max + 1 bytes). */
size_t fz_cstr(struct fz_in *in, char *out, size_t max);

/* The process's scratch directory (created at first use under $FUZZ_SCRATCH, else /dev/shm or /tmp;
 * removed at a normal exit: fuzz/run.sh removes what a crashed or timed-out run leaves). */
const char *fz_dir(void);
/* dir/name into out (FZ_PATH_MAX). */
void fz_path(char *out, const char *name);
/* Writes (replaces) a file; aborts the harness on an I/O error (a harness bug, not a finding). */
void fz_write(const char *path, const void *data, size_t len);
/* Reads a whole file into a malloc'd buffer (NULL when absent). */
uint8_t *fz_read(const char *path, size_t *len);
/* Removes every entry of dir (recursively), keeping dir. */
void fz_clear(const char *dir);
/* Makes dir (and no parents); existing is fine. */
void fz_mkdir(const char *dir);
/* FUZZ_VERBOSE is set: harnesses say how far an input got (to check seeds). */
bool fz_verbose(void);

#endif
