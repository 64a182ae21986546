/*
 * dbheader.h — the database header: pages 0 and 1 (its shadow copy) of every database file, and
 * the trailer page of a streamed backup copy.
 *
 * Byte layout after the common page header (page.h; type PAGE_HEADER, pgno 0 or 1):
 *    32 u32 magic "HJDB"         36 u32 format version
 *    40 u32 page size            44 u32 state (JET_dbstate*)
 *    48 signature db  (u32 random, u64 creation time in microseconds, u32 zero)
 *    64 signature log (the log set the database was last attached to)
 *    80 u64 dbtime               88 lgpos consistent (u32 gen, u32 offset) + u64 time
 *   104 lgpos attach + time     120 lgpos detach + time
 *   136 u32 genMinRequired      140 u32 genMaxRequired
 *   144 backup info x 5: previous full, incremental, copy, differential, current full
 *       (each: lgpos mark, u64 mark time, u32 genLow, u32 genHigh = 24 bytes)
 *   264 u32 flags (DBH_BACKUP_COPY: a streamed backup copy; DBH_TRAILER: the trailer page)
 *   268 u32 page count (of the copy, for a backup copy)
 * Written whole (both pages, each with its checksum) by dbh_write: page 0, fsync, page 1, fsync,
 * so a torn write of one leaves the other intact; dbh_read takes the first copy that verifies.
 */
#ifndef JET_DBHEADER_H
#define JET_DBHEADER_H

#include <stdint.h>

#include "jet.h"
#include "os.h"

#define DBH_MAGIC 0x42444a48u /* "HJDB" */
#define DBH_VERSION 1
#define DBH_BACKUP_COPY 1u
#define DBH_TRAILER 2u

/* A log position: generation and byte offset (packed as gen << 32 | offset for comparisons). */
typedef uint64_t lgpos_t;
#define LGPOS(gen, off) (((uint64_t)(gen) << 32) | (uint32_t)(off))
#define LGPOS_GEN(l) ((uint32_t)((l) >> 32))
#define LGPOS_OFF(l) ((uint32_t)(l))

struct signature {
    uint32_t random;
    uint64_t time_us;
};

struct bkinfo {
    lgpos_t mark;
    int64_t mark_time_us;
    uint32_t gen_low, gen_high;
};

enum { BK_FULL_PREV, BK_INC_PREV, BK_COPY_PREV, BK_DIFF_PREV, BK_FULL_CUR, BK_COUNT };

struct db_header {
    uint32_t page_size;
    uint32_t state;
    struct signature sig_db, sig_log;
    uint64_t dbtime;
    lgpos_t consistent, attach, detach;
    int64_t consistent_time, attach_time, detach_time;
    uint32_t gen_min_required, gen_max_required;
    struct bkinfo bk[BK_COUNT];
    uint32_t flags;
    uint32_t page_count;
};

/* Encodes the header into a page buffer (pgno 0, 1, or the trailer's number) and seals it. */
void dbh_encode(const struct db_header *h, uint8_t *page, uint32_t pgsz, uint32_t pgno);
/* Decodes and verifies a header page: JET_errDatabaseCorrupted if it is not one. */
JET_ERR dbh_decode(const uint8_t *page, uint32_t pgsz, uint32_t pgno, struct db_header *h);
/* Reads the header of an open database file (first valid copy). Errors: JET_errDatabaseCorrupted
 * (neither copy valid), JET_errInvalidDatabase (not a database file), I/O errors. */
JET_ERR dbh_read(os_file *f, struct db_header *h);
/* Reads a header from a path. */
JET_ERR dbh_read_path(const char *path, struct db_header *h);
/* Writes both copies durably. */
JET_ERR dbh_write(os_file *f, const struct db_header *h);

int sig_equal(const struct signature *a, const struct signature *b);
void sig_new(struct signature *s);
/* Fills the ESE structures from ours. */
void sig_to_jet(const struct signature *s, JET_SIGNATURE *out);
void lgpos_to_jet(lgpos_t l, JET_LGPOS *out);
void time_to_jet(int64_t us, JET_LOGTIME *out);
void bkinfo_to_jet(const struct bkinfo *b, JET_BKINFO *out);

#endif
