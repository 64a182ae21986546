/*
 * upload_file.c — one file as a multipart upload with parallel parts (see upload_file.h).
 */
#include "upload_file.h"

#include "catalog.h"
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct file_run {
    const struct hc_upload_file_req *req;
    struct hc_upload_file_result *res;
    int64_t row_id;
    char upload_id[S3_UPLOAD_ID_MAX];
    uint64_t part_size;
    int part_count;
    struct s3_part *parts;  /* [part_count]: what complete sends */
    struct s3_part *stored; /* the store's parts at resume, by number (size 0: none) */
    int fd;                 /* local source, or -1 */
    pthread_mutex_t lock;   /* guards everything below */
    pthread_cond_t turn;
    int next_part;          /* the next part number to hand out (0-based) */
    int hashed;             /* parts fed to the digest so far */
    struct hc_digest digest;
    bool failed;
};

static void fail_run(struct file_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_run(struct file_run *run, const char *fmt, ...)
{
    pthread_mutex_lock(&run->lock);
    if (!run->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(run->res->why, sizeof run->res->why, fmt, ap);
        va_end(ap);
        run->failed = true;
    }
    pthread_cond_broadcast(&run->turn);
    pthread_mutex_unlock(&run->lock);
}

static void fail_store(struct file_run *run, const struct s3_error *err, const char *what)
{
    char line[768];
    pthread_mutex_lock(&run->lock);
    bool first = !run->failed;
    if (first) {
        run->res->store_error = true;
        run->res->err = *err;
    }
    pthread_mutex_unlock(&run->lock);
    if (first) fail_run(run, "%s: %s", what, s3_error_format(err, line, sizeof line));
}

/* Reads [offset, offset+len) of the source into buf. 0, or -1 (run failed). */
static int read_source(struct file_run *run, uint64_t offset, char *buf, size_t len)
{
    const struct hc_upload_file_req *req = run->req;
    size_t done = 0;
    while (done < len) {
        if (run->fd >= 0) {
            ssize_t n = pread(run->fd, buf + done, len - done, (off_t)(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                fail_run(run, "reading %s at byte %llu: %s", req->local_path,
                         (unsigned long long)(offset + done), n < 0 ? strerror(errno) : "short file");
                return -1;
            }
            done += (size_t)n;
        } else {
            unsigned long got = 0;
            JET_ERR err = JetXReadFileAt(req->jet, req->engine_name, offset + done, buf + done,
                                         (unsigned long)(len - done), &got);
            if (err < 0 || got == 0) {
                pthread_mutex_lock(&run->lock);
                if (!run->failed) run->res->jet_err = err < 0 ? err : JET_errDiskIO;
                pthread_mutex_unlock(&run->lock);
                fail_run(run, "reading %s at byte %llu: %s (%ld)", req->name,
                         (unsigned long long)(offset + done),
                         err < 0 ? JetXErrorName(err) : "unexpected end of file", (long)err);
                return -1;
            }
            done += got;
        }
    }
    return 0;
}

/* The MD5 of buf in lower-case hex: the ETag RGW and AWS give a part (without SSE-KMS). */
static int md5_hex(const char *buf, size_t len, char hex[33])
{
    unsigned char md5[16];
    if (gnutls_hash_fast(GNUTLS_DIG_MD5, buf, len, md5) != 0) return -1;
    for (int i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", md5[i]);
    return 0;
}

/* True when the stored part p (0-based) has this size and the MD5 of buf as its ETag. */
static bool stored_part_matches(const struct file_run *run, int p, const char *buf, size_t len)
{
    const struct s3_part *s = &run->stored[p];
    char hex[33];
    if (s->size != len || s->etag[0] == '\0' || md5_hex(buf, len, hex) != 0) return false;
    return strcmp(hex, s->etag) == 0;
}

/* A part's bytes as a streamed body that takes each slice from the backup's throttle as it is
 * sent, so a rate change applies within a slice, not after a whole part. */
#define THROTTLE_SLICE (256 * 1024)
struct part_stream {
    const char *buf;
    size_t len, pos;
    struct hc_throttle *throttle;
};

static ssize_t part_read(void *ctx, void *out, size_t len)
{
    struct part_stream *ps = ctx;
    size_t n = ps->len - ps->pos;
    if (n > len) n = len;
    if (n > THROTTLE_SLICE) n = THROTTLE_SLICE;
    if (n == 0) return 0;
    hc_throttle_take(ps->throttle, n);
    memcpy(out, ps->buf + ps->pos, n);
    ps->pos += n;
    return (ssize_t)n;
}

static int part_rewind(void *ctx)
{
    ((struct part_stream *)ctx)->pos = 0;
    return 0;
}

/* Uploads part (1-based) from buf as UNSIGNED-PAYLOAD: a signed payload hash would make this
 * side and the store hash every byte once more with SHA-256, and checking the part's ETag would
 * cost an MD5 of every byte here; on these 2-core machines, where the store runs beside us, each
 * costs upload rate. What was sent is checked end to end instead: the manifest's SHA-256 and
 * CRC32C are of the bytes sent, and a restore checks every object against them. */
static int send_part(struct s3_client *c, const struct hc_upload_file_req *req,
                     const char *upload_id, int part, const char *buf, size_t len,
                     char etag[S3_ETAG_MAX], struct s3_error *err)
{
    struct part_stream ps = {.buf = buf, .len = len, .throttle = req->throttle};
    struct s3_body body = {.length = len, .read = part_read, .rewind = part_rewind, .ctx = &ps};
    return s3_multipart_upload_part(c, req->target->bucket, req->key, upload_id, part, &body, etag,
                                    err);
}

struct worker_arg {
    struct file_run *run;
    struct s3_client *client;
    pthread_t thread;
};

static void *part_worker(void *p)
{
    struct worker_arg *wa = p;
    struct file_run *run = wa->run;
    const struct hc_upload_file_req *req = run->req;
    char *buf = malloc(run->part_size);
    if (buf == NULL) {
        fail_run(run, "out of memory for a part buffer");
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&run->lock);
        bool stop = run->failed || atomic_load(req->cancel) || run->next_part >= run->part_count;
        int part = stop ? -1 : run->next_part++;
        pthread_mutex_unlock(&run->lock);
        if (part < 0) break;
        uint64_t offset = (uint64_t)part * run->part_size;
        size_t len = (size_t)(req->size - offset < run->part_size ? req->size - offset : run->part_size);
        if (read_source(run, offset, buf, len) != 0) break;
        struct s3_part *out = &run->parts[part];
        out->number = part + 1;
        out->size = len;
        if (run->stored && stored_part_matches(run, part, buf, len)) {
            snprintf(out->etag, sizeof out->etag, "%s", run->stored[part].etag);
            pthread_mutex_lock(&run->lock);
            run->res->parts_reused++;
            pthread_mutex_unlock(&run->lock);
        } else {
            struct s3_error err;
            if (send_part(wa->client, req, run->upload_id, part + 1, buf, len, out->etag, &err) !=
                S3_OK) {
                fail_store(run, &err, "uploading a part");
                break;
            }
        }
        /* the digests take the parts in file order (after the send, so that a part waiting for
         * its turn does not hold back the store) */
        pthread_mutex_lock(&run->lock);
        while (run->hashed != part && !run->failed) pthread_cond_wait(&run->turn, &run->lock);
        if (!run->failed) {
            hc_digest_update(&run->digest, buf, len);
            run->hashed++;
            pthread_cond_broadcast(&run->turn);
        }
        bool failed = run->failed;
        pthread_mutex_unlock(&run->lock);
        if (failed) break;
        if (cat_upload_add_part(req->app->cat, run->row_id, part + 1, offset, len, out->etag) != CAT_OK)
            fprintf(stderr, "hotcopyd: catalog: %s\n", cat_errmsg(req->app->cat));
        if (req->progress) {
            uint64_t before = atomic_fetch_add(req->progress, len);
            if (before / HC_UPLOAD_PROGRESS_EVENT != (before + len) / HC_UPLOAD_PROGRESS_EVENT)
                hc_events_server(req->app, req->instance, CAT_LEVEL_INFO, req->backup_id, 0,
                                 "offsite: backup %lld: %llu MiB uploaded to target \"%s\" (now "
                                 "%s)",
                                 (long long)req->backup_id,
                                 (unsigned long long)((before + len) >> 20), req->target->name,
                                 req->name);
        }
    }
    free(buf);
    return NULL;
}

/* The catalog row for (backup, target, key), created when missing. */
static int find_row(struct file_run *run, struct cat_upload *row)
{
    const struct hc_upload_file_req *req = run->req;
    cat_t *cat = req->app->cat;
    if (cat_upload_find(cat, req->backup_id, req->target->name, req->key, row) == CAT_OK) return 0;
    struct cat_upload_new nu = {.backup_id = req->backup_id, .target = req->target->name,
                                .object_key = req->key, .file_name = req->name,
                                .part_size_bytes = run->part_size, .bytes_total = req->size};
    int64_t id;
    if (cat_upload_insert(cat, &nu, &id) != CAT_OK || cat_upload_get(cat, id, row) != CAT_OK) {
        fail_run(run, "catalog: %s", cat_errmsg(cat));
        return -1;
    }
    return 0;
}

/* Reuses the row's multipart upload when the store still has it (its parts into run->stored),
 * else starts a new one. */
static int open_multipart(struct file_run *run, const struct cat_upload *row)
{
    const struct hc_upload_file_req *req = run->req;
    struct s3_client *c = req->clients[0];
    struct s3_error err;
    if (row->multipart_id[0]) {
        struct s3_part *list = NULL;
        size_t count = 0;
        int rc = s3_multipart_list_parts(c, req->target->bucket, req->key, row->multipart_id,
                                         &list, &count, &err);
        if (rc == S3_OK) {
            snprintf(run->upload_id, sizeof run->upload_id, "%s", row->multipart_id);
            run->stored = calloc((size_t)run->part_count, sizeof *run->stored);
            for (size_t i = 0; run->stored && i < count; i++)
                if (list[i].number >= 1 && list[i].number <= run->part_count)
                    run->stored[list[i].number - 1] = list[i];
            free(list);
            return run->stored ? 0 : -1;
        }
        if (!(rc == S3_ERR_STORE && err.http_status == 404)) {
            fail_store(run, &err, "listing the parts of an interrupted upload");
            return -1;
        }
        /* the store dropped it: start over */
    }
    if (s3_multipart_create(c, req->target->bucket, req->key, "application/octet-stream",
                            run->upload_id, &err) != S3_OK) {
        fail_store(run, &err, "starting a multipart upload");
        return -1;
    }
    if (cat_upload_set_multipart(req->app->cat, row->id, run->upload_id) != CAT_OK) {
        fail_run(run, "catalog: %s", cat_errmsg(req->app->cat));
        return -1;
    }
    return 0;
}

static int run_workers(struct file_run *run)
{
    const struct hc_upload_file_req *req = run->req;
    struct worker_arg wa[HC_UPLOAD_WORKERS];
    size_t n = req->client_count < HC_UPLOAD_WORKERS ? req->client_count : HC_UPLOAD_WORKERS;
    if ((size_t)run->part_count < n) n = (size_t)run->part_count;
    size_t started = 0;
    for (size_t i = 0; i < n; i++) {
        wa[i].run = run;
        wa[i].client = req->clients[i];
        if (pthread_create(&wa[i].thread, NULL, part_worker, &wa[i]) != 0) break;
        started++;
    }
    if (started == 0) part_worker(&(struct worker_arg){.run = run, .client = req->clients[0]});
    for (size_t i = 0; i < started; i++) pthread_join(wa[i].thread, NULL);
    if (!run->failed && atomic_load(req->cancel) && run->hashed < run->part_count) {
        run->res->cancelled = true;
        fail_run(run, "cancelled");
    }
    return run->failed ? -1 : 0;
}

int hc_upload_file(const struct hc_upload_file_req *req, struct hc_upload_file_result *res)
{
    memset(res, 0, sizeof *res);
    struct file_run run = {.req = req, .res = res, .fd = -1};
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.turn, NULL);
    run.part_size = HC_UPLOAD_PART_SIZE;
    while (req->size / run.part_size >= S3_MAX_PART_NUMBER) run.part_size *= 2;
    run.part_count = req->size == 0 ? 1 : (int)((req->size + run.part_size - 1) / run.part_size);
    res->parts_total = run.part_count;
    struct cat_upload row;
    int rc = -1;
    bool digest_live = false;
    if (hc_digest_init(&run.digest) != 0) {
        fail_run(&run, "cannot start SHA-256");
        goto out;
    }
    digest_live = true;
    if (req->local_path) {
        run.fd = open(req->local_path, O_RDONLY | O_CLOEXEC);
        if (run.fd < 0) {
            fail_run(&run, "cannot open %s: %s", req->local_path, strerror(errno));
            goto out;
        }
    }
    run.parts = calloc((size_t)run.part_count, sizeof *run.parts);
    if (run.parts == NULL) {
        fail_run(&run, "out of memory");
        goto out;
    }
    if (find_row(&run, &row) != 0) goto out;
    run.row_id = row.id;
    if (row.state == CAT_UPLOAD_COMPLETE) { /* done before (resume): nothing to send */
        snprintf(res->sha256, sizeof res->sha256, "%.64s", row.sha256);
        res->crc32c = (uint32_t)row.crc32c;
        res->parts_reused = res->parts_total;
        if (req->progress) atomic_fetch_add(req->progress, req->size);
        rc = 0;
        goto out;
    }
    if (open_multipart(&run, &row) != 0) goto out;
    if (req->size == 0) { /* an empty object still needs one (empty) part */
        struct s3_body body = s3_body_mem("", 0);
        run.parts[0].number = 1;
        struct s3_error err;
        if (s3_multipart_upload_part(req->clients[0], req->target->bucket, req->key, run.upload_id,
                                     1, &body, run.parts[0].etag, &err) != S3_OK) {
            fail_store(&run, &err, "uploading a part");
            goto out;
        }
        run.hashed = 1;
    } else if (run_workers(&run) != 0) {
        goto out;
    }
    struct s3_error err;
    if (s3_multipart_complete(req->clients[0], req->target->bucket, req->key, run.upload_id,
                              run.parts, (size_t)run.part_count, NULL, &err) != S3_OK) {
        fail_store(&run, &err, "completing the multipart upload");
        goto out;
    }
    hc_digest_final(&run.digest, res->sha256, &res->crc32c);
    digest_live = false;
    if (cat_upload_complete(req->app->cat, row.id, res->sha256, (int64_t)res->crc32c) != CAT_OK)
        fprintf(stderr, "hotcopyd: catalog: %s\n", cat_errmsg(req->app->cat));
    rc = 0;
out:
    if (digest_live) hc_digest_discard(&run.digest);
    if (run.fd >= 0) close(run.fd);
    free(run.parts);
    free(run.stored);
    pthread_cond_destroy(&run.turn);
    pthread_mutex_destroy(&run.lock);
    return rc;
}
