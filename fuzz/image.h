/*
 * image.h — engine files (log generations, database files) built from compact fuzz inputs, with
 * optional repairs of their checksums so that mutations reach the code behind the checks.
 *
 * Log generation, compact form (fz_log_image):
 *   u16 H, then H bytes: the first H bytes of the 16 KiB generation header (the rest is zeros);
 *   then the records, placed from LOG_HDR_SIZE on. The file is padded with zeros to FZ_LOG_SIZE
 *   (or to its end when longer).
 *   Repairs (flags): FZ_FIX_LOGHDR  magic, version and the header's CRC made valid;
 *                    FZ_FIX_LOGSIZE the header's file and page size set to the image's (4 KiB);
 *                    FZ_FIX_RECORDS each record that fits re-sealed with the generation's salt.
 *   Paths: when a sandbox is given, every database path of a header that verifies and of every
 *   LR_DB_CREATE / LR_DB_ATTACH record is replaced by a path inside the sandbox directory (the
 *   engine opens, and soft recovery creates, the files a log names: a fuzzed path must not reach
 *   the real file system), and the signatures of those entries can be forced to a template's.
 * Database file, compact form (fz_db_image): u8 page size shift (4 KiB << (n % 4)), u8 count, pages:
 *   u16 n + n bytes each (the page's first n bytes; the rest zeros), at most FZ_DB_PAGES_MAX
 *   pages and FZ_DB_BYTES_MAX bytes (a u8 count before the pages: 0 means as many as given).
 *   Repair (flags): FZ_FIX_PAGES each page gets its own number and a valid checksum.
 * fz_compact_* turn real files into these forms (used to write seed corpora).
 */
#ifndef HOTCOPY_FUZZ_IMAGE_H
#define HOTCOPY_FUZZ_IMAGE_H

#include "common.h"

#include "../engine/src/dbheader.h"

#define FZ_LOG_SIZE (64u * 1024u)
#define FZ_PAGE_SIZE 4096u
#define FZ_DB_PAGES_MAX 256u
#define FZ_DB_BYTES_MAX (1024u * 1024u) /* and at most this many bytes of pages */

enum {
    FZ_FIX_LOGHDR = 1u << 0,
    FZ_FIX_LOGSIZE = 1u << 1,
    FZ_FIX_RECORDS = 1u << 2,
    FZ_FIX_PAGES = 1u << 3,
    FZ_FORCE_SIGNATURE = 1u << 4, /* sandboxed entries get the template's database signature */
};

struct fz_image {
    uint8_t *p; /* malloc'd */
    size_t len;
};

struct fz_sandbox {
    const char *dir;              /* database paths become dir/db<dbid>.edb */
    struct signature db_sig;      /* with FZ_FORCE_SIGNATURE */
};

/* Builds a log generation from in (consumes the rest of the input up to max_records_bytes). */
void fz_log_image(struct fz_in *in, unsigned flags, const struct fz_sandbox *sb, size_t max_records_bytes,
                  struct fz_image *out);
/* Builds a database file (consumes up to FZ_DB_PAGES_MAX pages). */
void fz_db_image(struct fz_in *in, unsigned flags, struct fz_image *out);
void fz_image_free(struct fz_image *img);

/* The compact forms of real files (caller frees out->p). */
void fz_compact_log(const uint8_t *file, size_t len, struct fz_image *out);
void fz_compact_db(const uint8_t *file, size_t len, uint32_t page_size, struct fz_image *out);

#endif
