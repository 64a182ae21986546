/*
 * logfmt.h — the log's on-disk formats: generation files, their header, and records.
 *
 * Files (in the log path): `<base>.log` is the current generation, `<base>XXXXXXXX.log` (8
 * upper-case hex digits) an archived one, `<base>tmp.log` the prepared spare. Every generation has
 * the fixed size JET_paramLogFileSize and is fully written (zeros) before use, so commits never
 * grow a file.
 *
 * Generation header, bytes [0, LOG_HDR_SIZE):
 *    0 u32 crc (CRC32C of [4, LOG_HDR_SIZE))     4 u32 magic "HJLG"     8 u32 version
 *   12 u32 generation                          16 log-set signature (u32 random, u64 time)
 *   28 u64 creation time (us)                  36 u64 previous generation's creation time (0: first)
 *   44 u32 file size                           48 u32 database page size
 *   52 char[4] base name                       56 u32 number of attached databases
 *   60 attached databases at the generation's start: u32 dbid, signature (12), u16 path length, path
 *
 * Records, from LOG_HDR_SIZE on, back to back:
 *    0 u32 crc   CRC32C of bytes [4, len) seeded with the generation's salt (signature + number),
 *                so a record left over from another generation or log set never verifies
 *    4 u32 len   whole record length
 *    8 u8  type  LR_*            9 u8 flags     10 u16 zero
 *   12 payload
 * A generation ends with an LR_GEN_END record; in the current generation the first record that
 * does not verify is the end of the log (a torn tail). A transaction is a run of page records
 * closed by LR_COMMIT; redo applies the run only when its commit record is present.
 *
 * Payloads:
 *   LR_PAGE_DIFF   u32 dbid, u32 pgno, u64 dbtime before, u64 dbtime after, u16 nruns,
 *                  nruns x {u16 offset, u16 length, bytes}; offsets are >= 16 (the checksum,
 *                  page number and dbtime are not diffed: redo sets them)
 *   LR_PAGE_IMAGE  u32 dbid, u32 pgno, u64 dbtime after, u16 hole offset, u16 hole length,
 *                  the page's bytes [16, pgsz) without the hole (zeros); bytes [0, 16) —
 *                  checksum, page number, dbtime — are rebuilt by redo
 *   LR_COMMIT      u64 time (us)
 *   LR_DB_CREATE / LR_DB_ATTACH   u32 dbid, u32 page size, signature (12), u16 path length, path
 *   LR_DB_DETACH   u32 dbid
 *   LR_BACKUP_HEADER u32 dbid, u8 slot set (BK_*), u8 clear mask (bit per BK_* slot),
 *                  u64 mark lgpos, u64 mark time, u32 genLow, u32 genHigh
 *   LR_BACKUP_BEGIN / LR_BACKUP_END / LR_BACKUP_ABORT   u64 backup id, u8 incremental
 *   LR_GEN_END, LR_TERM   (no payload)
 */
#ifndef JET_LOGFMT_H
#define JET_LOGFMT_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"

#define LOG_HDR_SIZE 16384u
#define LOG_MAGIC 0x474c4a48u /* "HJLG" */
#define LOG_VERSION 1
#define LR_HDR 12u
#define LOG_SIZE_MIN_KB 64u
#define LOG_SIZE_MAX_KB 32768u

enum lr_type {
    LR_PAGE_DIFF = 1,
    LR_PAGE_IMAGE = 2,
    LR_COMMIT = 3,
    LR_DB_CREATE = 4,
    LR_DB_ATTACH = 5,
    LR_DB_DETACH = 6,
    LR_BACKUP_HEADER = 7,
    LR_BACKUP_BEGIN = 8,
    LR_BACKUP_END = 9,
    LR_BACKUP_ABORT = 10,
    LR_GEN_END = 11,
    LR_TERM = 12,
};
const char *lr_type_name(unsigned type);

struct loghdr_db {
    uint32_t dbid;
    struct signature sig;
    char path[OS_PATH_MAX];
};

struct loghdr {
    uint32_t gen;
    struct signature sig;
    int64_t create_time, prev_create_time;
    uint32_t file_size, page_size;
    char base[LOG_BASE_MAX + 1];
    uint32_t ndb;
    struct loghdr_db db[DB_MAX];
};

void loghdr_encode(const struct loghdr *h, uint8_t *buf);
/* JET_errLogFileCorrupt when the header does not verify, or its file size (LOG_SIZE_MIN_KB..
 * LOG_SIZE_MAX_KB KiB) or page size is not one the engine writes. */
JET_ERR loghdr_decode(const uint8_t *buf, size_t len, struct loghdr *h);
JET_ERR loghdr_read_path(const char *path, struct loghdr *h);

/* The CRC seed of a generation's records. */
uint32_t log_salt(const struct signature *sig, uint32_t gen);
/* Seals a record placed at rec (len bytes) in generation with the given salt. */
void lr_seal(uint8_t *rec, uint32_t salt);

/* File names. */
JET_ERR log_path_current(char *out, size_t cap, const char *dir, const char *base);
JET_ERR log_path_gen(char *out, size_t cap, const char *dir, const char *base, uint32_t gen);
JET_ERR log_path_spare(char *out, size_t cap, const char *dir, const char *base);
JET_ERR ckpt_path(char *out, size_t cap, const char *dir, const char *base);
/* If name is "<base>XXXXXXXX.log", its generation; else 0. */
uint32_t log_name_gen(const char *name, const char *base);
/* The generations of archived logs in dir, sorted (caller frees *gens). */
JET_ERR log_list_archived(const char *dir, const char *base, uint32_t **gens, size_t *n);

/* A generation read into memory for scanning (recovery, restore, verification, jetutil). */
struct logscan {
    uint8_t *data;
    size_t size;
    struct loghdr hdr;
    uint32_t salt;
    uint32_t off;      /* next record */
    int closed;        /* LR_GEN_END was reached */
    int bad_record;    /* scanning stopped at a record that did not verify */
};
/* Reads and verifies the header. JET_errLogFileCorrupt (bad header), I/O errors. */
JET_ERR logscan_open(const char *path, struct logscan *s);
/* Next record: 1 and (rec, len) when there is one; 0 at the end (closed, or a record that did not
 * verify: bad_record set). LR_GEN_END is consumed, not returned. */
int logscan_next(struct logscan *s, const uint8_t **rec, uint32_t *len);
void logscan_close(struct logscan *s);

/* A growable buffer of records being built (one transaction, or one control record). */
struct lrbuf {
    uint8_t *p;
    size_t len, cap;
    size_t nrec;
    int oom;
};
void lrbuf_init(struct lrbuf *b);
void lrbuf_free(struct lrbuf *b);
void lrbuf_reset(struct lrbuf *b);
/* Starts a record of the given type with room for payload bytes; returns the payload pointer
 * (NULL on out-of-memory, and b->oom is set). */
uint8_t *lrbuf_add(struct lrbuf *b, unsigned type, size_t payload);

#endif
