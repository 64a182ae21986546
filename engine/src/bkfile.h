/*
 * bkfile.h — one file of a running external backup, as the client sees it: its streamed size, the
 * verified reads that produce its bytes, and which byte ranges were delivered.
 *
 * A database streams as (spec/backup-api.md, "What a database looks like in a backup"):
 *   pages 0 and 1   the header as it was at the file's first access in this backup, marked as a
 *                   backup copy (DBH_BACKUP_COPY, state DirtyShutdown, current-full-backup info
 *                   {mark, genLow = the backup's first generation, genHigh = 0}); its consistent
 *                   position is the checkpoint the backup began from (L): every page streamed holds
 *                   every change logged before L (the checkpoint wrote them all to the file, and
 *                   newer pages come from the cache), and the first change of a page after L is
 *                   logged whole, so restore replays page records from L on and a page spliced from
 *                   reads at different moments is rebuilt from that full image
 *   pages 2..N-1    the data pages, N = the page count at that first access; each read under the
 *                   shared tree lock (a cached page is copied from the cache, never torn) or from
 *                   the file and verified (checksum and page number; a failed page is re-read once,
 *                   in case a concurrent write tore the read, then fails the database)
 *   page N          the trailer: the same header marked DBH_TRAILER, genHigh = the current log
 *                   generation when the trailer is read
 * A log generation streams as the file's own bytes. It is verified once, at first access (header,
 * every record up to its end record, same log set), which yields a CRC32C per 4 KiB block; every
 * later read re-checks the blocks it returns against those, so a log changed on disk after the
 * check never reaches a client unnoticed.
 */
#ifndef JET_BKFILE_H
#define JET_BKFILE_H

#include "inst.h"

#define BK_BLOCK 4096u

struct range {
    uint64_t lo, hi; /* [lo, hi) */
};

struct bkfile {
    char path[OS_PATH_MAX];
    int is_log;
    uint32_t gen;      /* log */
    struct db *db;     /* database */
    uint64_t size;     /* streamed size (0 until first access for a database) */
    int ready;         /* snapshot taken / log verified */
    uint8_t *hdr_page; /* database: the encoded header snapshot (page size bytes, pgno 0) */
    struct db_header snap;
    uint32_t page_count;
    uint32_t *blockcrc; /* log: one CRC32C per BK_BLOCK block */
    struct range *r;   /* delivered ranges, sorted, disjoint */
    size_t nr, capr;
    uint64_t delivered;
    int failed;        /* verification failed (database) */
    int announced;     /* event 220 raised */
};

/* Prepares a file for reading at first access: a database's header snapshot and size, a log's
 * verification. backup_gen_low is the backup's first generation; redo_from the checkpoint it began
 * from (L above); mark and mark_time its mark.
 * Errors: JET_errLogReadVerifyFailure, JET_errMissingFileToBackup (log gone), I/O errors. */
JET_ERR bkfile_prepare(struct inst *inst, struct bkfile *f, uint32_t backup_gen_low, lgpos_t redo_from,
                       lgpos_t mark, int64_t mark_time);
/* Reads len bytes at off of the streamed file into dst (*got < len only at the end).
 * Errors: JET_errReadVerifyFailure (database page), JET_errLogReadVerifyFailure (log block). */
JET_ERR bkfile_read(struct inst *inst, struct bkfile *f, uint64_t off, uint8_t *dst, size_t len, size_t *got);
/* Records that [off, off+len) was delivered; returns 1 when the whole file now has been. */
int bkfile_mark(struct bkfile *f, uint64_t off, uint64_t len);
int bkfile_complete(const struct bkfile *f);
void bkfile_free(struct bkfile *f);

#endif
