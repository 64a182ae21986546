/*
 * download.c — backup file downloads with ranges (see download.h).
 *
 * The body is a list of segments: for a single range or the whole file one data segment; for
 * several ranges, per range a part header then its data, and the closing delimiter. MHD asks for
 * body offset `pos`; the segment holding it says what to copy or which file bytes to read.
 */
#include "download.h"

#include "backup.h"
#include "events.h"
#include "manifest.h"
#include "metrics.h"
#include "problem.h"
#include "range.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define PART_TYPE "application/octet-stream"
#define SEGMENTS_MAX (2 * HC_RANGES_MAX + 1)
#define PART_HEADER_MAX 256

struct segment {
    uint64_t body_start; /* offset of the segment in the body */
    uint64_t len;
    bool is_data;
    uint64_t file_offset;       /* data segments */
    char text[PART_HEADER_MAX]; /* header segments */
};

struct dl_stream {
    struct hc_app *app;
    struct hc_backup_job *job; /* a reference */
    struct hc_backup_file file;
    atomic_uint_fast64_t *bytes_out; /* the request's counter (valid while MHD reads) */
    size_t seg_count;
    struct segment segs[SEGMENTS_MAX];
    uint64_t total;
    char *pre; /* the first block, read before the answer was queued */
    uint64_t pre_offset, pre_len;
    bool digesting; /* a whole-file answer: CRC32C of what is sent, in order */
    uint32_t crc;
    uint64_t digested;
    uint64_t run_start, run_len; /* delivered bytes not yet recorded in the catalog */
};

/* Records the delivered run in the catalog. True when it did, with *served (may be NULL) the
 * file's distinct bytes served so far. */
static bool flush_served(struct dl_stream *st, uint64_t *served)
{
    if (st->run_len == 0) return false;
    int rc = cat_backup_file_add_served(st->app->cat, st->job->id, st->file.name, st->run_start,
                                        st->run_len, served);
    st->run_len = 0;
    return rc == CAT_OK;
}

/* Claims the backup's progress slot when HC_PROGRESS_INTERVAL_MS have passed since the last
 * frame of any of its downloads. */
static bool progress_due(struct hc_backup_job *job)
{
    int64_t now = hc_now_us();
    int64_t last = atomic_load(&job->progress_at_us);
    return now - last >= HC_PROGRESS_INTERVAL_MS * 1000LL &&
           atomic_compare_exchange_strong(&job->progress_at_us, &last, now);
}

/* The file's bytesServed as the catalog has it (when the run was just flushed by note_served). */
static bool served_so_far(struct dl_stream *st, uint64_t *served)
{
    struct cat_backup_file row;
    if (cat_backup_file_get(st->app->cat, st->job->id, st->file.name, &row) != CAT_OK) return false;
    *served = row.bytes_served;
    return true;
}

/* After each block sent: the catalog and the progress frame (rules in download.h). */
static void after_block(struct dl_stream *st, bool segment_end)
{
    bool due = progress_due(st->job);
    uint64_t served = 0;
    if (!due && !segment_end) return;
    if (!flush_served(st, &served) && !served_so_far(st, &served)) return;
    if (!due && served < st->file.size) return;
    struct hc_progress p = {.backup_id = st->job->id,
                            .instance = st->job->inst->name,
                            .file = st->file.name,
                            .bytes_served = served,
                            .size_bytes = st->file.size};
    hc_events_progress(st->app, &p);
}

static void note_served(struct dl_stream *st, uint64_t offset, uint64_t len)
{
    if (st->run_len > 0 && st->run_start + st->run_len == offset) {
        st->run_len += len;
    } else {
        flush_served(st, NULL);
        st->run_start = offset;
        st->run_len = len;
    }
    if (st->run_len >= 64ull * HC_DOWNLOAD_BLOCK) flush_served(st, NULL);
    hc_metrics_bytes_served(st->app->metrics,
                            st->file.kind == CAT_FILE_LOG ? HC_BYTES_LOG : HC_BYTES_DATABASE, len);
}

/* ---- CRC32C of the stream, three lanes at a time --------------------------------------------- */

/* The SSE4.2 instruction has a latency of three cycles and a throughput of one: one chain runs at a
 * third of its speed (~8 GB/s here), three independent chains over thirds of a block at nearly
 * full speed. The lanes' registers are then joined by shifting a register over the bytes that
 * follow it: multiplying by x^(8n) modulo the polynomial (bit-reflected arithmetic). */
#define CRC32C_POLY 0x82f63b78u
/* A whole-file answer reads its blocks in pieces of this size and digests each at once: a 1 MiB
 * block is larger than a core's L2 cache (512 KiB here), so digesting it after the read went to
 * L3 for every byte. */
#define DIGEST_PIECE (256 * 1024)

/* a * b modulo the polynomial; x^0 is 0x80000000 in the reflected representation. */
static uint32_t crc_multiply(uint32_t a, uint32_t b)
{
    uint32_t product = 0;
    for (uint32_t bit = 1u << 31; bit != 0; bit >>= 1) {
        if (a & bit) product ^= b;
        b = (b & 1) ? (b >> 1) ^ CRC32C_POLY : b >> 1;
    }
    return product;
}

/* x^(8 * bytes) modulo the polynomial, by squaring. */
static uint32_t crc_x_pow_bytes(uint64_t bytes)
{
    uint32_t result = 1u << 31, power = 1u << 23; /* x^0 and x^8 */
    for (; bytes != 0; bytes >>= 1) {
        if (bytes & 1) result = crc_multiply(power, result);
        power = crc_multiply(power, power);
    }
    return result;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_lanes_hw(uint32_t reg, const char *p,
                                                                size_t len)
{
    size_t lane = len / 24 * 8;
    if (lane >= 4096) {
        uint64_t c0 = reg, c1 = 0, c2 = 0;
        const char *end = p + lane;
        for (; p < end; p += 8) {
            uint64_t v0, v1, v2;
            memcpy(&v0, p, 8);
            memcpy(&v1, p + lane, 8);
            memcpy(&v2, p + 2 * lane, 8);
            c0 = __builtin_ia32_crc32di(c0, v0);
            c1 = __builtin_ia32_crc32di(c1, v1);
            c2 = __builtin_ia32_crc32di(c2, v2);
        }
        uint32_t shift = crc_x_pow_bytes(lane);
        reg = crc_multiply(shift, crc_multiply(shift, (uint32_t)c0) ^ (uint32_t)c1) ^ (uint32_t)c2;
        p += 2 * lane;
        len -= 3 * lane;
    }
    uint64_t c = reg;
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
    }
    reg = (uint32_t)c;
    while (len--) reg = __builtin_ia32_crc32qi(reg, (unsigned char)*p++);
    return reg;
}
#endif

/* CRC32C continued over len bytes (same contract as hc_crc32c_update, manifest.h). */
static uint32_t crc32c_continue(uint32_t crc, const char *data, size_t len)
{
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return ~crc_lanes_hw(~crc, data, len);
#endif
    return hc_crc32c_update(crc, data, len);
}

/* The whole file went out: its CRC32C goes to the catalog (the file list's "crc32c"). */
static void finish_digest(struct dl_stream *st)
{
    char hex[9];
    st->digesting = false;
    snprintf(hex, sizeof hex, "%08x", (unsigned)st->crc);
    if (cat_backup_file_set_checksum(st->app->cat, st->job->id, st->file.name, hex) != CAT_OK)
        fprintf(stderr, "hotcopyd: backup %lld: cannot record the CRC32C of %s\n",
                (long long)st->job->id, st->file.name);
}

static ssize_t read_data(struct dl_stream *st, const struct segment *seg, uint64_t pos, char *buf,
                         size_t max)
{
    uint64_t within = pos - seg->body_start;
    uint64_t want = seg->len - within < max ? seg->len - within : max;
    uint64_t offset = seg->file_offset + within;
    bool digest_now = st->digesting && offset == st->digested;
    if (st->pre && offset >= st->pre_offset && offset < st->pre_offset + st->pre_len) {
        uint64_t avail = st->pre_offset + st->pre_len - offset;
        if (want > avail) want = avail;
        memcpy(buf, st->pre + (offset - st->pre_offset), want);
        if (digest_now) st->crc = crc32c_continue(st->crc, buf, want);
        if (offset + want == st->pre_offset + st->pre_len) { /* used up: free the block */
            free(st->pre);
            st->pre = NULL;
        }
    } else {
        /* digested piece by piece, each while the engine's read has left it in the core's cache */
        hc_throttle_take(st->job->throttle, want); /* the backup's limit (PATCH maxBytesPerSecond) */
        uint64_t done = 0;
        JET_ERR err = JET_errSuccess;
        while (done < want) {
            uint64_t piece = digest_now && want - done > DIGEST_PIECE ? DIGEST_PIECE : want - done;
            unsigned long got = 0;
            err = JetXReadFileAt(st->job->inst->jet, st->file.engine_name, offset + done,
                                 buf + done, (unsigned long)piece, &got);
            if (err < 0 || got == 0) break;
            if (digest_now) st->crc = crc32c_continue(st->crc, buf + done, got);
            done += got;
            if (got < piece) break; /* the end of the file */
        }
        if (err < 0 || done == 0) {
            hc_events_server(st->app, st->job->inst->name, CAT_LEVEL_ERROR, st->job->id, 0,
                             "download of %s aborted at byte %llu: %s (%ld); the client got a "
                             "short transfer",
                             st->file.name, (unsigned long long)(offset + done),
                             err < 0 ? JetXErrorName(err) : "unexpected end of file", (long)err);
            hc_backup_settle(st->job, err); /* a log failing verification ends the backup */
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        want = done;
    }
    note_served(st, offset, want);
    if (digest_now) {
        st->digested += want;
        if (st->digested == st->file.size) finish_digest(st);
    }
    return (ssize_t)want;
}

static ssize_t dl_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct dl_stream *st = cls;
    for (size_t i = 0; i < st->seg_count; i++) {
        const struct segment *seg = &st->segs[i];
        if (pos < seg->body_start || pos >= seg->body_start + seg->len) continue;
        ssize_t n;
        if (seg->is_data) {
            n = read_data(st, seg, pos, buf, max);
            if (n > 0) after_block(st, pos + (uint64_t)n == seg->body_start + seg->len);
        } else {
            uint64_t within = pos - seg->body_start;
            n = (ssize_t)(seg->len - within < max ? seg->len - within : max);
            memcpy(buf, seg->text + within, (size_t)n);
        }
        if (n > 0) atomic_fetch_add(st->bytes_out, (uint64_t)n);
        return n;
    }
    return MHD_CONTENT_READER_END_OF_STREAM;
}

static void dl_free(void *cls)
{
    struct dl_stream *st = cls;
    flush_served(st, NULL);
    free(st->pre);
    hc_backup_unref(st->job);
    free(st);
}

static void add_data_segment(struct dl_stream *st, uint64_t offset, uint64_t len)
{
    struct segment *s = &st->segs[st->seg_count++];
    s->body_start = st->total;
    s->len = len;
    s->is_data = true;
    s->file_offset = offset;
    st->total += len;
}

static void add_text_segment(struct dl_stream *st, const char *text, size_t len)
{
    struct segment *s = &st->segs[st->seg_count++];
    s->body_start = st->total;
    s->len = len;
    s->is_data = false;
    memcpy(s->text, text, len);
    st->total += len;
}

static void make_boundary(char out[HC_MULTIPART_BOUNDARY_LEN + 1])
{
    unsigned long long v = 0;
    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) v = (unsigned long long)hc_now_us();
    snprintf(out, HC_MULTIPART_BOUNDARY_LEN + 1, "%020llu", v);
}

static void make_etag(const struct hc_backup_job *job, const struct hc_backup_file *f, char *out,
                      size_t cap)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
    for (const char *p = f->name; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    snprintf(out, cap, "\"%lld-%016llx-%llx\"", (long long)job->id, (unsigned long long)h,
             (unsigned long long)f->size);
}

static void safe_filename(const char *name, char *out, size_t cap)
{
    size_t i = 0;
    for (; name[i] && i + 1 < cap; i++)
        out[i] = (name[i] == '"' || name[i] == '\\' || (unsigned char)name[i] >= 0x80) ? '_'
                                                                                      : name[i];
    out[i] = '\0';
}

/* Refusals that the engine would give, for HEAD (which reads nothing). */
static JET_ERR head_verdict(struct hc_backup_job *job, const struct hc_backup_file *f)
{
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&job->lock);
    if (job->stopped)
        err = JET_errBackupAbortByServer;
    else if (f->kind == CAT_FILE_DATABASE && job->phase != CAT_PHASE_DATABASE)
        err = JET_errInvalidBackupSequence;
    pthread_mutex_unlock(&job->lock);
    return err;
}

/* 404 for an unknown backup, 409 JET_errNoBackup for one that has ended. */
static int reply_no_job(struct hc_request *req, int64_t id)
{
    struct cat_backup row;
    if (cat_backup_get(req->app->cat, id, &row) != CAT_OK)
        return hc_reply_problem(req, 404, NULL, "no such backup");
    return hc_reply_problem_code(req, 409, JET_errNoBackup,
                                 "the backup is no longer running: its files cannot be read");
}

int hc_handle_backup_file_get(struct hc_request *req)
{
    int64_t id = hc_param_id(req);
    const char *name = hc_param(req, "name");
    bool head = strcmp(req->method, "HEAD") == 0;
    struct hc_backup_job *job = hc_backup_find(req->app, id);
    if (job == NULL) return reply_no_job(req, id);
    struct dl_stream *st = calloc(1, sizeof *st);
    if (st == NULL) {
        hc_backup_unref(job);
        return hc_reply_problem(req, 500, NULL, "out of memory");
    }
    st->app = req->app;
    st->job = job; /* the stream owns the reference from here on */
    st->bytes_out = &req->bytes_out;
    if (!hc_backup_file_lookup(job, name, &st->file)) {
        dl_free(st);
        return hc_reply_problem(req, 404, NULL, "no file of that name in this backup");
    }
    char etag[80], last_modified[HC_HTTP_DATE_LEN + 1];
    make_etag(job, &st->file, etag, sizeof etag);
    time_t started = (time_t)(job->started_at / 1000000);
    hc_http_date_format(started, last_modified);

    struct hc_byte_range ranges[HC_RANGES_MAX];
    size_t count = 0;
    enum hc_range_outcome outcome = HC_RANGE_WHOLE;
    const char *range = hc_header(req, MHD_HTTP_HEADER_RANGE);
    if (range && hc_if_range_matches(hc_header(req, MHD_HTTP_HEADER_IF_RANGE), etag, started))
        outcome = hc_range_parse(range, st->file.size, ranges, &count);
    if (outcome == HC_RANGE_UNSATISFIABLE) {
        char cr[64];
        snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)st->file.size);
        char *doc = hc_problem_json(416, NULL, "no requested range overlaps the file", 0, 0);
        dl_free(st);
        if (doc == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(strlen(doc), doc, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, "Content-Type", "application/problem+json");
        MHD_add_response_header(resp, "Content-Range", cr);
        atomic_store(&req->bytes_out, strlen(doc));
        return hc_reply(req, 416, resp);
    }

    struct hc_multipart mp = {.part_type = PART_TYPE, .size = st->file.size};
    char content_range[96] = "";
    if (outcome == HC_RANGE_WHOLE) {
        add_data_segment(st, 0, st->file.size);
        st->digesting = !head && st->file.size > 0;
    } else if (count == 1) {
        add_data_segment(st, ranges[0].start, ranges[0].end - ranges[0].start);
        snprintf(content_range, sizeof content_range, "bytes %llu-%llu/%llu",
                 (unsigned long long)ranges[0].start, (unsigned long long)ranges[0].end - 1,
                 (unsigned long long)st->file.size);
    } else {
        make_boundary(mp.boundary);
        char text[PART_HEADER_MAX];
        for (size_t i = 0; i < count; i++) {
            size_t n = hc_multipart_part_header(&mp, &ranges[i], text, sizeof text);
            add_text_segment(st, text, n);
            add_data_segment(st, ranges[i].start, ranges[i].end - ranges[i].start);
        }
        add_text_segment(st, text, hc_multipart_trailer(&mp, text, sizeof text));
    }

    /* the engine's verdict before anything is queued: read the first block now */
    JET_ERR err = head ? head_verdict(job, &st->file) : JET_errSuccess;
    const struct segment *first = NULL;
    for (size_t i = 0; i < st->seg_count && !first; i++)
        if (st->segs[i].is_data && st->segs[i].len > 0) first = &st->segs[i];
    if (!head && first != NULL) {
        uint64_t want = first->len < HC_DOWNLOAD_FIRST_READ ? first->len : HC_DOWNLOAD_FIRST_READ;
        unsigned long got = 0;
        hc_throttle_take(job->throttle, want);
        st->pre = malloc(want);
        err = st->pre ? JetXReadFileAt(job->inst->jet, st->file.engine_name, first->file_offset,
                                       st->pre, (unsigned long)want, &got)
                      : JET_errOutOfMemory;
        st->pre_offset = first->file_offset;
        st->pre_len = got;
        if (err >= 0 && got == 0) err = JET_errDiskIO; /* the file is shorter than listed */
    }
    if (err < 0) {
        if (err == JET_errReadVerifyFailure || err == JET_errLogReadVerifyFailure)
            hc_events_server(req->app, job->inst->name, CAT_LEVEL_ERROR, job->id, 0,
                             "download of %s refused: %s", st->file.name, JetXErrorName(err));
        if (!head) hc_backup_settle(job, err); /* a missing or bad log ends the backup */
        dl_free(st);
        return hc_reply_jet(req, err, "reading %s: %s", name, JetXErrorMessage(err));
    }

    char disposition[CAT_NAME_MAX + 40], fname[CAT_NAME_MAX];
    safe_filename(st->file.name, fname, sizeof fname);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", fname);
    char type[96];
    if (count > 1)
        snprintf(type, sizeof type, "multipart/byteranges; boundary=%s", mp.boundary);
    else
        snprintf(type, sizeof type, "%s", PART_TYPE);
    unsigned status = outcome == HC_RANGE_PARTIAL ? 206 : 200;

    struct MHD_Response *resp =
        MHD_create_response_from_callback(st->total, HC_DOWNLOAD_BLOCK, dl_read, st, dl_free);
    if (resp == NULL) {
        dl_free(st);
        return hc_reply_problem(req, 500, NULL, "out of memory");
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Accept-Ranges", "bytes");
    MHD_add_response_header(resp, "ETag", etag);
    MHD_add_response_header(resp, "Last-Modified", last_modified);
    MHD_add_response_header(resp, "Content-Disposition", disposition);
    if (content_range[0]) MHD_add_response_header(resp, "Content-Range", content_range);
    return hc_reply(req, status, resp);
}
