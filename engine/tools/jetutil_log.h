/*
 * jetutil_log.h — reading one log generation (logfmt.h formats) and the `log` command.
 * Header-only, included by jetutil.c alone.
 *
 * ju_log_load reads a whole generation into memory and decodes its header with loghdr_decode,
 * saying in words why a header does not verify. ju_log_scan walks the records with the engine's
 * own logscan_next (same CRC salt, same end rules) and classifies where the walk stopped:
 *   closed     an LR_GEN_END record (every archived generation must end so);
 *   open       the first record that does not verify is followed only by zeros: the end of the
 *              written part of the current generation (files are zero-filled before use);
 *   torn tail  non-zero bytes where the next record should be: a record written in part, or
 *              damage (recovery stops there; in an archived generation it is a problem).
 * Every record's payload is decoded (bounds-checked) so a record whose payload does not match its
 * type is reported even though its checksum verifies.
 */
#ifndef JETUTIL_LOG_H
#define JETUTIL_LOG_H

#include "../src/logfmt.h"
#include "jetutil_db.h"

#define JU_LR_TYPES (LR_TERM + 1) /* record types 0..LR_TERM; 0 counts unknown ones */

struct ju_log {
    const char *path;
    uint8_t *data; /* whole file (owned) */
    size_t size;
    struct loghdr hdr;
    int hdr_ok;
    /* scan */
    uint64_t records, bytes;
    uint64_t count[JU_LR_TYPES], type_bytes[JU_LR_TYPES];
    uint32_t first_off, last_off;
    int closed, torn;
    uint32_t end_off; /* offset of the LR_GEN_END record, or where the walk stopped */
    int64_t last_commit_time;
};

static void ju_log_free(struct ju_log *lf)
{
    free(lf->data);
    lf->data = NULL;
}

/* Why a log header does not verify, in words. */
static void ju_loghdr_why(const uint8_t *b, size_t len, char *why, size_t cap)
{
    if (len < LOG_HDR_SIZE)
        snprintf(why, cap, "file is too small for a log header (%zu bytes, the header has %u)", len,
                 LOG_HDR_SIZE);
    else if (ju_all_zero(b, LOG_HDR_SIZE))
        snprintf(why, cap, "header is all zeros (a prepared spare, or never written)");
    else if (get_u32(b + 4) != LOG_MAGIC)
        snprintf(why, cap, "magic 0x%08x is not \"HJLG\": not a libjet log generation",
                 get_u32(b + 4));
    else if (get_u32(b + 8) != LOG_VERSION)
        snprintf(why, cap, "format version %u, this tool reads %u", get_u32(b + 8), LOG_VERSION);
    else if (get_u32(b) != crc32c(0, b + 4, LOG_HDR_SIZE - 4))
        snprintf(why, cap, "header checksum mismatch (stored 0x%08x, computed 0x%08x)", get_u32(b),
                 crc32c(0, b + 4, LOG_HDR_SIZE - 4));
    else
        snprintf(why, cap, "attached database list is malformed (%u entries)", get_u32(b + 56));
}

/* Reads and decodes a generation. 0 when its header verifies. */
static int ju_log_load(struct ju_out *o, const char *path, struct ju_log *lf)
{
    char why[256];
    struct stat st;
    memset(lf, 0, sizeof *lf);
    lf->path = path;
    if (stat(path, &st) != 0) {
        ju_problem(o, -1, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        ju_problem(o, -1, "is a directory, not a log file");
        return -1;
    }
    if ((uint64_t)st.st_size > (uint64_t)LOG_SIZE_MAX_KB * 1024) {
        ju_problem(o, -1, "%llu bytes: larger than any log generation (%u KiB at most)",
                   (unsigned long long)st.st_size, LOG_SIZE_MAX_KB);
        return -1;
    }
    os_file *f;
    uint64_t size = 0;
    JET_ERR err = os_open(path, OS_READ, &f);
    if (err < 0) {
        ju_problem(o, -1, "cannot open: %s (%ld)", JetXErrorName(err), err);
        return -1;
    }
    err = os_size(f, &size);
    if (err >= 0 && size > (uint64_t)LOG_SIZE_MAX_KB * 1024) err = JET_errLogFileCorrupt;
    if (err >= 0) {
        lf->data = malloc(size ? size : 1);
        if (!lf->data) err = JET_errOutOfMemory;
    }
    if (err >= 0) err = os_pread(f, lf->data, size, 0, &lf->size);
    os_close(f);
    if (err < 0) {
        ju_problem(o, -1, "cannot read: %s (%ld)", JetXErrorName(err), err);
        return -1;
    }
    if (loghdr_decode(lf->data, lf->size, &lf->hdr) < 0) {
        ju_loghdr_why(lf->data, lf->size, why, sizeof why);
        ju_problem(o, -1, "%s", why);
        return -1;
    }
    lf->hdr_ok = 1;
    const struct loghdr *h = &lf->hdr;
    if (h->gen == 0) ju_problem(o, -1, "generation number is 0");
    if (h->file_size != lf->size)
        ju_problem(o, -1, "header says %u bytes, the file has %zu", h->file_size, lf->size);
    if (!page_size_valid(h->page_size))
        ju_problem(o, -1, "header's database page size %u is not a legal page size", h->page_size);
    if (h->prev_create_time && h->prev_create_time >= h->create_time)
        ju_problem(o, -1, "previous generation's creation time is not before this one's");
    return 0;
}

/* The generation number in an archived file's name "<base>XXXXXXXX.log" (any 3-letter base). */
static uint32_t ju_log_name_gen(const char *path)
{
    const char *name = os_basename(path);
    char base[LOG_BASE_MAX + 1];
    if (strlen(name) != LOG_BASE_MAX + 12) return 0;
    memcpy(base, name, LOG_BASE_MAX);
    base[LOG_BASE_MAX] = 0;
    return log_name_gen(name, base);
}

/* Decodes a record's payload and, when o_rec is set, writes it as an inline object.
 * Returns 0 when the payload does not match its type. */
static int ju_log_record(struct ju_out *o_rec, const struct ju_log *lf, uint32_t off,
                         const uint8_t *rec, uint32_t len)
{
    struct bytebuf b;
    unsigned type = rec[8];
    bb_init(&b, (uint8_t *)rec + LR_HDR, len - LR_HDR);
    struct ju_out *o = o_rec;
    if (o) {
        ju_inline(o, NULL);
        ju_u64(o, "offset", off);
        ju_str(o, "type", lr_type_name(type));
        ju_u64(o, "length", len);
    }
    int ok = 1;
    switch (type) {
    case LR_PAGE_DIFF: {
        uint32_t dbid = bb_get32(&b), pgno = bb_get32(&b);
        uint64_t before = bb_get64(&b), after = bb_get64(&b);
        unsigned nruns = bb_get16(&b), bytes = 0;
        for (unsigned i = 0; i < nruns && b.ok; i++) {
            unsigned roff = bb_get16(&b), rlen = bb_get16(&b);
            bb_take(&b, rlen);
            bytes += rlen;
            if (roff < PAGE_OFF_TYPE || roff + rlen > lf->hdr.page_size) ok = 0;
        }
        if (o) {
            ju_u64(o, "dbid", dbid);
            ju_u64(o, "pgno", pgno);
            ju_u64(o, "dbtimeBefore", before);
            ju_u64(o, "dbtimeAfter", after);
            ju_u64(o, "runs", nruns);
            ju_u64(o, "bytes", bytes);
        }
        ok = ok && b.ok && b.pos == b.len && after > before;
        break;
    }
    case LR_PAGE_IMAGE: {
        uint32_t dbid = bb_get32(&b), pgno = bb_get32(&b);
        uint64_t after = bb_get64(&b);
        unsigned hoff = bb_get16(&b), hlen = bb_get16(&b);
        size_t body = b.len - (b.pos < b.len ? b.pos : b.len);
        if (o) {
            ju_u64(o, "dbid", dbid);
            ju_u64(o, "pgno", pgno);
            ju_u64(o, "dbtimeAfter", after);
            ju_u64(o, "holeOffset", hoff);
            ju_u64(o, "holeLength", hlen);
        }
        /* As redo reads it: the image covers [PAGE_OFF_TYPE, page size) minus the hole (the
         * checksum, number and dbtime are rebuilt), though logfmt.h says [0, page size). */
        ok = b.ok && hoff >= PAGE_OFF_TYPE && hoff + hlen <= lf->hdr.page_size &&
             body + hlen + PAGE_OFF_TYPE == lf->hdr.page_size;
        break;
    }
    case LR_COMMIT: {
        int64_t t = (int64_t)bb_get64(&b);
        if (o) ju_time(o, "time", t);
        ok = b.ok && b.pos == b.len;
        break;
    }
    case LR_DB_CREATE:
    case LR_DB_ATTACH: {
        char path[OS_PATH_MAX];
        struct signature sig;
        uint32_t dbid = bb_get32(&b), pgsz = bb_get32(&b);
        sig.random = bb_get32(&b);
        sig.time_us = bb_get64(&b);
        unsigned pl = bb_get16(&b);
        if (pl >= sizeof path) {
            pl = sizeof path - 1;
            ok = 0;
        }
        memset(path, 0, sizeof path);
        bb_getn(&b, path, pl);
        if (o) {
            ju_u64(o, "dbid", dbid);
            ju_u64(o, "pageSize", pgsz);
            ju_signature(o, "dbSignature", &sig);
            ju_str(o, "path", path);
        }
        ok = ok && b.ok && b.pos == b.len && dbid >= 1 && dbid <= DB_MAX;
        break;
    }
    case LR_DB_DETACH: {
        uint32_t dbid = bb_get32(&b);
        if (o) ju_u64(o, "dbid", dbid);
        ok = b.ok && b.pos == b.len;
        break;
    }
    case LR_BACKUP_HEADER: {
        uint32_t dbid = bb_get32(&b);
        unsigned slot = bb_get8(&b), clear = bb_get8(&b);
        struct bkinfo bk;
        bk.mark = bb_get64(&b);
        bk.mark_time_us = (int64_t)bb_get64(&b);
        bk.gen_low = bb_get32(&b);
        bk.gen_high = bb_get32(&b);
        if (o) {
            ju_u64(o, "dbid", dbid);
            ju_u64(o, "slot", slot);
            ju_hex(o, "clearMask", clear);
            ju_bkinfo(o, "backup", &bk);
        }
        ok = b.ok && b.pos == b.len && slot < BK_COUNT;
        break;
    }
    case LR_BACKUP_BEGIN:
    case LR_BACKUP_END:
    case LR_BACKUP_ABORT: {
        uint64_t id = bb_get64(&b);
        unsigned inc = bb_get8(&b);
        if (o) {
            ju_u64(o, "backupId", id);
            ju_bool(o, "incremental", inc != 0);
        }
        ok = b.ok && b.pos == b.len;
        break;
    }
    case LR_TERM:
        ok = b.len == 0;
        break;
    default:
        ok = 0;
        break;
    }
    if (o) ju_end(o);
    return ok;
}

/* Walks the records; lists them into o when list is set (inside an array the caller opened). */
static void ju_log_scan(struct ju_out *o, struct ju_log *lf, int list)
{
    struct logscan s;
    const uint8_t *rec;
    uint32_t len;
    memset(&s, 0, sizeof s);
    s.data = lf->data;
    s.size = lf->size;
    s.hdr = lf->hdr;
    s.salt = log_salt(&lf->hdr.sig, lf->hdr.gen);
    s.off = LOG_HDR_SIZE;
    for (;;) {
        uint32_t off = s.off;
        if (!logscan_next(&s, &rec, &len)) {
            lf->end_off = off;
            break;
        }
        unsigned type = rec[8];
        unsigned slot = type < JU_LR_TYPES ? type : 0;
        if (!lf->records) lf->first_off = off;
        lf->last_off = off;
        lf->records++;
        lf->bytes += len;
        lf->count[slot]++;
        lf->type_bytes[slot] += len;
        if (type == LR_COMMIT && len >= LR_HDR + 8)
            lf->last_commit_time = (int64_t)get_u64(rec + LR_HDR);
        if (!ju_log_record(list ? o : NULL, lf, off, rec, len))
            ju_problem(o, -1,
                       "record at offset %u (%s, %u bytes) has a payload that does not "
                       "match its type",
                       off, lr_type_name(type), len);
    }
    lf->closed = s.closed;
    if (!s.closed) lf->torn = !ju_all_zero(lf->data + lf->end_off, lf->size - lf->end_off);
}

static void ju_log_header_out(struct ju_out *o, const struct ju_log *lf)
{
    const struct loghdr *h = &lf->hdr;
    ju_u64(o, "generation", h->gen);
    ju_signature(o, "logSignature", &h->sig);
    ju_time(o, "created", h->create_time);
    ju_time(o, "previousGenerationCreated", h->prev_create_time);
    ju_u64(o, "fileSize", h->file_size);
    ju_u64(o, "pageSize", h->page_size);
    ju_str(o, "baseName", h->base);
    ju_arr(o, "attachedDatabases");
    for (uint32_t i = 0; i < h->ndb; i++) {
        ju_inline(o, NULL);
        ju_u64(o, "dbid", h->db[i].dbid);
        ju_signature(o, "dbSignature", &h->db[i].sig);
        ju_str(o, "path", h->db[i].path);
        ju_end(o);
    }
    ju_end(o);
}

static void ju_log_summary_out(struct ju_out *o, const struct ju_log *lf)
{
    ju_obj(o, "records");
    ju_u64(o, "count", lf->records);
    ju_u64(o, "bytes", lf->bytes);
    ju_arr(o, "byType");
    for (unsigned t = 0; t < JU_LR_TYPES; t++) {
        if (!lf->count[t]) continue;
        ju_inline(o, NULL);
        ju_str(o, "type", t ? lr_type_name(t) : "unknown");
        ju_u64(o, "count", lf->count[t]);
        ju_u64(o, "bytes", lf->type_bytes[t]);
        ju_end(o);
    }
    ju_end(o);
    if (lf->records) {
        ju_inline(o, "first");
        ju_u64(o, "gen", lf->hdr.gen);
        ju_u64(o, "offset", lf->first_off);
        ju_end(o);
        ju_inline(o, "last");
        ju_u64(o, "gen", lf->hdr.gen);
        ju_u64(o, "offset", lf->last_off);
        ju_end(o);
    }
    ju_time(o, "lastCommit", lf->last_commit_time);
    ju_end(o);
    ju_inline(o, "end");
    ju_str(o, "kind", lf->closed ? "GenEnd" : lf->torn ? "torn tail" : "open");
    ju_u64(o, "offset", lf->end_off);
    ju_end(o);
}

/* `jetutil log FILE [--records]` */
static int ju_cmd_log(struct ju_out *o, const char *path, int list)
{
    struct ju_log lf;
    ju_str(o, "file", path);
    if (ju_log_load(o, path, &lf) < 0) goto out;
    ju_log_header_out(o, &lf);
    uint32_t name_gen = ju_log_name_gen(path);
    if (name_gen && name_gen != lf.hdr.gen)
        ju_problem(o, -1, "file name says generation %u, its header %u", name_gen, lf.hdr.gen);
    if (list) ju_arr(o, "recordList");
    ju_log_scan(o, &lf, list);
    if (list) ju_end(o);
    ju_log_summary_out(o, &lf);
    if (lf.torn && name_gen)
        ju_problem(o, -1,
                   "archived generation stops at offset %u at a record that does not "
                   "verify (torn or damaged)",
                   lf.end_off);
    else if (lf.torn)
        ju_warning(o, -1,
                   "torn tail at offset %u: a record that does not verify, followed by "
                   "non-zero bytes (recovery ends the log there)",
                   lf.end_off);
    else if (!lf.closed && name_gen)
        ju_problem(o, -1, "archived generation has no end record (it was never closed)");
out:
    ju_log_free(&lf);
    return 0;
}

#endif
