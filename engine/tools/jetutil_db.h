/*
 * jetutil_db.h — jetutil's read-only access to a database file (page.h, dbheader.h formats) and
 * the `header` command. Header-only, included by jetutil.c alone.
 *
 * A database file is opened read-only and never written. It may be open in a running engine, so
 * a page can change while it is read: a page that fails verification is read again (up to
 * JU_REREADS times) before it is reported, and every field taken from a page is bounds-checked by
 * its user, so no content makes the tool crash.
 *
 * ju_db_open finds the page size (from page 0, or from the shadow header at each legal page size
 * when page 0 is damaged), decodes both header copies, and for a streamed backup copy (flag
 * DBH_BACKUP_COPY; layout in spec/backup-api.md "What a database looks like in a backup" and
 * engine/src/bkfile.h) the trailer page: the last page of the file, numbered by its position, which
 * is the header's page count, flagged DBH_TRAILER, with the header's signatures and its
 * current-full-backup mark and genLow (the checks restore.c makes before it replays).
 */
#ifndef JETUTIL_DB_H
#define JETUTIL_DB_H

#include <errno.h>
#include <sys/stat.h>

#include "../src/codec.h"
#include "../src/crc32c.h"
#include "../src/dbheader.h"
#include "../src/page.h"
#include "jetutil_out.h"

#define JU_REREADS 3 /* extra reads of a page that fails verification (it may be being written) */

struct ju_db {
    const char *path;
    os_file *f;
    uint64_t size;         /* bytes */
    uint32_t pgsz;         /* 0 until known */
    uint64_t npages;       /* whole pages in the file */
    int copy_ok[2];        /* header page 0 / 1 verified */
    struct db_header hdr;  /* from the first copy that verifies */
    int is_copy;           /* hdr.flags has DBH_BACKUP_COPY */
    int trailer_ok;        /* the trailer page decoded (is_copy only) */
    uint64_t trailer_pgno; /* its position in the file */
    struct db_header trailer;
    unsigned long rereads; /* pages that verified only when read again */
};

enum ju_page_status { JU_PAGE_OK, JU_PAGE_BAD, JU_PAGE_ZERO, JU_PAGE_SHORT, JU_PAGE_IOERR };

static const char *ju_state_name(uint32_t state)
{
    static const char *const names[] = {"?",
                                        "JustCreated",
                                        "DirtyShutdown",
                                        "CleanShutdown",
                                        "BeingConverted",
                                        "ForceDetach",
                                        "IncrementalReseedInProgress",
                                        "DirtyAndPatchedShutdown",
                                        "RevertInProgress"};
    return state > 0 && state < sizeof names / sizeof names[0] ? names[state] : "Unknown";
}

static const char *ju_page_type_name(unsigned type)
{
    static const char *const names[] = {"free", "header",   "space",
                                        "leaf", "internal", "long-value"};
    return type < sizeof names / sizeof names[0] ? names[type] : "unknown";
}

static int ju_all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

/* Why a page fails page_verify, in words. */
static void ju_page_why(const uint8_t *pg, uint32_t pgsz, uint64_t pgno, char *buf, size_t cap)
{
    uint32_t stored = get_u32(pg), computed = crc32c(0, pg + 4, pgsz - 4);
    if (ju_all_zero(pg, pgsz))
        snprintf(buf, cap, "never written (all zeros)");
    else if (stored != computed)
        snprintf(buf, cap, "checksum mismatch (stored 0x%08x, computed 0x%08x)", stored, computed);
    else if (page_pgno(pg) != pgno)
        snprintf(buf, cap, "page number field says %u (a misplaced page)", page_pgno(pg));
    else
        snprintf(buf, cap, "verifies");
}

/* Why a page is not a valid header page numbered pgno, in words; "" when it is one. */
static void ju_header_why(const uint8_t *pg, uint32_t pgsz, uint64_t pgno, char *buf, size_t cap)
{
    buf[0] = 0;
    if (page_verify(pg, pgsz, (uint32_t)pgno) < 0)
        ju_page_why(pg, pgsz, pgno, buf, cap);
    else if (page_type(pg) != PAGE_HEADER)
        snprintf(buf, cap, "page type %u (%s) is not a header page", page_type(pg),
                 ju_page_type_name(page_type(pg)));
    else if (get_u32(pg + 32) != DBH_MAGIC)
        snprintf(buf, cap, "magic 0x%08x is not \"HJDB\"", get_u32(pg + 32));
    else if (get_u32(pg + 36) != DBH_VERSION)
        snprintf(buf, cap, "format version %u, this tool reads %u", get_u32(pg + 36), DBH_VERSION);
    else if (get_u32(pg + 40) != pgsz)
        snprintf(buf, cap, "page size field %u does not match %u", get_u32(pg + 40), pgsz);
}

/* Reads whole page pgno into buf (db->pgsz bytes) and verifies it, reading again when it fails
 * (a running engine may be writing it). */
static enum ju_page_status ju_db_read_page(struct ju_db *db, uint64_t pgno, uint8_t *buf)
{
    for (int attempt = 0; attempt <= JU_REREADS; attempt++) {
        size_t got = 0;
        if (os_pread(db->f, buf, db->pgsz, pgno * db->pgsz, &got) < 0) return JU_PAGE_IOERR;
        if (got < db->pgsz) return JU_PAGE_SHORT;
        if (page_verify(buf, db->pgsz, (uint32_t)pgno) == JET_errSuccess && pgno <= UINT32_MAX) {
            if (attempt) db->rereads++;
            return JU_PAGE_OK;
        }
        if (ju_all_zero(buf, db->pgsz)) return JU_PAGE_ZERO;
    }
    return JU_PAGE_BAD;
}

/* Finds the page size: page 0's field when page 0 looks like a header, else the size at which a
 * shadow header (page 1) verifies. 0 when neither; *magic0 tells whether page 0 has the magic. */
static uint32_t ju_db_page_size(struct ju_db *db, uint8_t *buf, int *magic0)
{
    size_t got = 0;
    *magic0 = 0;
    if (os_pread(db->f, buf, PAGE_SIZE_MIN, 0, &got) < 0 || got < PAGE_SIZE_MIN) return 0;
    uint32_t pgsz = get_u32(buf + 40);
    *magic0 = get_u32(buf + 32) == DBH_MAGIC;
    if (*magic0 && page_size_valid(pgsz) && db->size >= 2ull * pgsz) return pgsz;
    for (uint32_t ps = PAGE_SIZE_MIN; ps <= PAGE_SIZE_MAX; ps *= 2) {
        struct db_header h;
        if (2ull * ps > db->size) break;
        if (os_pread(db->f, buf, ps, ps, &got) < 0 || got < ps) break;
        if (dbh_decode(buf, ps, 1, &h) == JET_errSuccess) return ps;
    }
    return 0;
}

static void ju_db_close(struct ju_db *db)
{
    if (db->f) os_close(db->f);
    db->f = NULL;
}

/* Decodes header copy `copy` (0 or 1), reading it again when it fails. 1 when it verifies. */
static int ju_db_header_copy(struct ju_db *db, int copy, uint8_t *buf, struct db_header *h,
                             char *why, size_t cap)
{
    for (int attempt = 0; attempt <= JU_REREADS; attempt++) {
        size_t got = 0;
        if (os_pread(db->f, buf, db->pgsz, (uint64_t)copy * db->pgsz, &got) < 0 || got < db->pgsz) {
            snprintf(why, cap, "cannot be read");
            return 0;
        }
        if (dbh_decode(buf, db->pgsz, (uint32_t)copy, h) == JET_errSuccess) return 1;
        ju_header_why(buf, db->pgsz, (uint64_t)copy, why, cap);
    }
    return 0;
}

/* Checks a streamed backup copy's trailer against its header (problems reported into o). */
static void ju_db_trailer(struct ju_out *o, struct ju_db *db, uint8_t *buf)
{
    char why[256];
    const struct db_header *h = &db->hdr, *t = &db->trailer;
    if (db->npages < 3) {
        ju_problem(o, -1, "backup copy has %llu pages: no room for its trailer page",
                   (unsigned long long)db->npages);
        return;
    }
    db->trailer_pgno = db->npages - 1;
    size_t got = 0;
    if (os_pread(db->f, buf, db->pgsz, db->trailer_pgno * db->pgsz, &got) < 0 || got < db->pgsz) {
        ju_problem(o, (long long)db->trailer_pgno, "trailer page cannot be read");
        return;
    }
    /* Decode at the number the page carries, then say if that is not its position. */
    if (dbh_decode(buf, db->pgsz, page_pgno(buf), &db->trailer) != JET_errSuccess) {
        ju_header_why(buf, db->pgsz, page_pgno(buf), why, sizeof why);
        ju_problem(o, (long long)db->trailer_pgno,
                   "last page is not a valid trailer page: %s (a truncated copy?)", why);
        return;
    }
    db->trailer_ok = 1;
    if (page_pgno(buf) != db->trailer_pgno)
        ju_problem(o, (long long)db->trailer_pgno, "trailer page is numbered %u", page_pgno(buf));
    if (!(t->flags & DBH_TRAILER))
        ju_problem(o, (long long)db->trailer_pgno,
                   "last page is a header page without the trailer flag");
    if (!sig_equal(&t->sig_db, &h->sig_db))
        ju_problem(o, (long long)db->trailer_pgno,
                   "trailer's database signature differs from the header's");
    if (!sig_equal(&t->sig_log, &h->sig_log))
        ju_problem(o, (long long)db->trailer_pgno,
                   "trailer's log signature differs from the header's");
    const struct bkinfo *hb = &h->bk[BK_FULL_CUR], *tb = &t->bk[BK_FULL_CUR];
    if (tb->mark != hb->mark || tb->mark_time_us != hb->mark_time_us)
        ju_problem(o, (long long)db->trailer_pgno,
                   "trailer's backup mark differs from the header's");
    if (tb->gen_low != hb->gen_low)
        ju_problem(o, (long long)db->trailer_pgno,
                   "trailer's genLow %u differs from the header's %u", tb->gen_low, hb->gen_low);
    if (hb->gen_low == 0) ju_problem(o, 0, "backup copy header has no current-full-backup genLow");
    if (hb->gen_high != 0)
        ju_warning(o, 0, "backup copy header has genHigh %u (the spec leaves it 0 in the header)",
                   hb->gen_high);
    if (tb->gen_high < tb->gen_low)
        ju_problem(o, (long long)db->trailer_pgno, "trailer's genHigh %u is below its genLow %u",
                   tb->gen_high, tb->gen_low);
}

/* Opens a database file (or a streamed backup copy) and reads its header. 0 when the header was
 * read (db->hdr valid), -1 when not; either way the problems are in o and the caller calls
 * ju_db_close. */
static int ju_db_open(struct ju_out *o, const char *path, struct ju_db *db)
{
    char why0[256] = "", why1[256] = "";
    struct stat st;
    memset(db, 0, sizeof *db);
    db->path = path;
    if (stat(path, &st) != 0) {
        ju_problem(o, -1, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        ju_problem(o, -1, "is a directory, not a database file");
        return -1;
    }
    JET_ERR err = os_open(path, OS_READ, &db->f);
    if (err >= 0) err = os_size(db->f, &db->size);
    if (err < 0) {
        ju_problem(o, -1, "cannot open: %s (%ld)", JetXErrorName(err), err);
        return -1;
    }
    if (db->size < 2ull * PAGE_SIZE_MIN) {
        ju_problem(o, -1,
                   "file is too small to be a database: %llu bytes (two header pages of at "
                   "least %u bytes)",
                   (unsigned long long)db->size, PAGE_SIZE_MIN);
        return -1;
    }
    uint8_t *buf = malloc(PAGE_SIZE_MAX);
    if (!buf) {
        ju_problem(o, -1, "out of memory");
        return -1;
    }
    int rc = -1, magic0;
    db->pgsz = ju_db_page_size(db, buf, &magic0);
    if (!db->pgsz) {
        if (!magic0)
            ju_problem(o, 0, "not a libjet database: no \"HJDB\" header page at any page size");
        else
            ju_problem(o, 0, "no header copy verifies at any page size");
        goto out;
    }
    db->npages = db->size / db->pgsz;
    struct db_header h1;
    db->copy_ok[0] = ju_db_header_copy(db, 0, buf, &db->hdr, why0, sizeof why0);
    db->copy_ok[1] = ju_db_header_copy(db, 1, buf, &h1, why1, sizeof why1);
    if (!db->copy_ok[0]) ju_problem(o, 0, "header copy fails: %s", why0);
    if (!db->copy_ok[1]) ju_problem(o, 1, "header shadow copy fails: %s", why1);
    if (!db->copy_ok[0] && !db->copy_ok[1]) goto out;
    if (!db->copy_ok[0]) db->hdr = h1;
    if (db->copy_ok[0] && db->copy_ok[1]) {
        /* dbh_write writes page 0 then page 1: different contents mean an update in flight or a
         * write of page 1 that never happened. (dbh_decode zeroes the structs: no stray padding.)
         */
        if (memcmp(&db->hdr, &h1, sizeof h1) != 0)
            ju_warning(o, 1,
                       "header copies differ (page 0 is used; an update in progress, or "
                       "page 1 was not rewritten)");
    }
    if (db->size % db->pgsz)
        ju_problem(o, -1, "file size %llu is not a whole number of %u-byte pages (%llu bytes over)",
                   (unsigned long long)db->size, db->pgsz,
                   (unsigned long long)(db->size % db->pgsz));
    db->is_copy = (db->hdr.flags & DBH_BACKUP_COPY) != 0;
    if (db->hdr.flags & DBH_TRAILER) ju_problem(o, 0, "header page carries the trailer flag");
    if (db->hdr.state < JET_dbstateJustCreated || db->hdr.state > JET_dbstateRevertInProgress)
        ju_problem(o, 0, "unknown database state %u", db->hdr.state);
    if (db->is_copy) {
        /* The copy is the header's page count of pages, then the trailer numbered page_count. */
        if ((uint64_t)db->hdr.page_count + 1 != db->npages)
            ju_problem(o, -1,
                       "backup copy should hold %llu pages and its trailer, the file has %llu "
                       "pages: an incomplete copy (restore: JET_errDatabasePatchFileMismatch)",
                       (unsigned long long)db->hdr.page_count, (unsigned long long)db->npages);
        ju_db_trailer(o, db, buf);
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

/* ---- output ---------------------------------------------------------------------------------- */

static void ju_signature(struct ju_out *o, const char *key, const struct signature *s)
{
    ju_inline(o, key);
    ju_hex(o, "random", s->random);
    ju_time(o, "created", (int64_t)s->time_us);
    ju_end(o);
}

/* A log position with its time; time_us < 0: a position without a time. */
static void ju_lgpos(struct ju_out *o, const char *key, lgpos_t l, int64_t time_us)
{
    ju_inline(o, key);
    ju_u64(o, "gen", LGPOS_GEN(l));
    ju_u64(o, "offset", LGPOS_OFF(l));
    if (time_us >= 0) ju_time(o, "time", time_us);
    ju_end(o);
}

static void ju_bkinfo(struct ju_out *o, const char *key, const struct bkinfo *b)
{
    if (!b->mark && !b->mark_time_us && !b->gen_low && !b->gen_high) {
        ju_str(o, key, NULL);
        return;
    }
    ju_inline(o, key);
    ju_u64(o, "markGen", LGPOS_GEN(b->mark));
    ju_u64(o, "markOffset", LGPOS_OFF(b->mark));
    ju_time(o, "markTime", b->mark_time_us);
    ju_u64(o, "genLow", b->gen_low);
    ju_u64(o, "genHigh", b->gen_high);
    ju_end(o);
}

static void ju_emit_header(struct ju_out *o, const struct db_header *h)
{
    ju_strf(o, "state", "%s (%u)", ju_state_name(h->state), h->state);
    ju_signature(o, "dbSignature", &h->sig_db);
    ju_signature(o, "logSignature", &h->sig_log);
    ju_u64(o, "dbtime", h->dbtime);
    ju_lgpos(o, "consistent", h->consistent, h->consistent_time);
    ju_lgpos(o, "attach", h->attach, h->attach_time);
    ju_lgpos(o, "detach", h->detach, h->detach_time);
    ju_u64(o, "genMinRequired", h->gen_min_required);
    ju_u64(o, "genMaxRequired", h->gen_max_required);
    ju_obj(o, "backups");
    static const char *const names[BK_COUNT] = {"previousFull", "previousIncremental",
                                                "previousCopy", "previousDifferential",
                                                "currentFull"};
    for (int i = 0; i < BK_COUNT; i++)
        ju_bkinfo(o, names[i], &h->bk[i]);
    ju_end(o);
    ju_bool(o, "backupCopy", (h->flags & DBH_BACKUP_COPY) != 0);
    ju_bool(o, "trailer", (h->flags & DBH_TRAILER) != 0);
    ju_u64(o, "pageCount", h->page_count);
}

/* `jetutil header DB` */
static int ju_cmd_header(struct ju_out *o, const char *path)
{
    struct ju_db db;
    ju_str(o, "file", path);
    if (ju_db_open(o, path, &db) == 0) {
        ju_u64(o, "fileSize", db.size);
        ju_u64(o, "pageSize", db.pgsz);
        ju_u64(o, "pages", db.npages);
        ju_u64(o, "formatVersion", DBH_VERSION);
        ju_inline(o, "headerCopies");
        ju_str(o, "page0", db.copy_ok[0] ? "ok" : "bad");
        ju_str(o, "page1", db.copy_ok[1] ? "ok" : "bad");
        ju_end(o);
        ju_emit_header(o, &db.hdr);
        if (db.is_copy && db.trailer_ok) {
            ju_obj(o, "trailerPage");
            ju_u64(o, "page", db.trailer_pgno);
            ju_signature(o, "dbSignature", &db.trailer.sig_db);
            ju_signature(o, "logSignature", &db.trailer.sig_log);
            ju_u64(o, "dbtime", db.trailer.dbtime);
            ju_bkinfo(o, "currentFull", &db.trailer.bk[BK_FULL_CUR]);
            ju_bool(o, "trailerFlag", (db.trailer.flags & DBH_TRAILER) != 0);
            ju_u64(o, "pageCount", db.trailer.page_count);
            ju_end(o);
        }
    }
    ju_db_close(&db);
    return 0;
}

#endif
