/*
 * fuzz_log.c — the log reader on arbitrary generations: the header decoder, the record scanner
 * over a buffer (logscan_next) and over a file (logscan_open), the redo of page records onto a
 * page (redo_page), and jetutil's `log` and `log --records`.
 *
 * Input: u8 flags (image.h repairs; bit 7 JSON output), then the compact log form (image.h).
 * Checked (logfmt.h): every record returned lies inside the file and is at least LR_HDR long; the
 * scan ends (closed or bad_record) and reading from the file agrees with reading the buffer.
 * FUZZ_WRITE_SEEDS=DIR writes seeds made from real generations of a running engine instead.
 */
#include "common.h"
#include "engine.h"
#include "image.h"
#include "jetutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/src/codec.h"
#include "../engine/src/logfmt.h"
#include "../engine/src/page.h"
#include "../engine/src/redo.h"

static void write_seeds(const char *out)
{
    char dir[FZ_PATH_MAX], db[FZ_PATH_MAX];
    struct signature sig;
    fz_path(dir, "seed");
    fz_mkdir(dir);
    fz_path(db, "seed/seed.edb");
    fz_jet_template(dir, db, &sig);
    /* every generation the template wrote, and the current one */
    for (unsigned gen = 0; gen < 4; gen++) {
        char path[FZ_PATH_MAX * 2], name[64];
        if (gen == 0)
            snprintf(path, sizeof path, "%s/edb.log", dir);
        else
            snprintf(path, sizeof path, "%s/edb%08X.log", dir, gen);
        size_t len;
        uint8_t *file = fz_read(path, &len);
        if (file == NULL) continue;
        struct fz_image c;
        fz_compact_log(file, len, &c);
        uint8_t *seed = malloc(c.len + 1);
        seed[0] = 0;
        memcpy(seed + 1, c.p, c.len);
        seed[0] = FZ_FIX_LOGHDR | FZ_FIX_RECORDS; /* mutations repaired: past the checksums */
        snprintf(name, sizeof name, "gen-%u-repairing", gen);
        fz_seed(out, name, seed, c.len + 1);
        if (gen == 0) { /* the header alone */
            struct fz_image h;
            fz_compact_log(file, LOG_HDR_SIZE, &h);
            seed[0] = FZ_FIX_LOGHDR;
            memcpy(seed + 1, h.p, h.len);
            fz_seed(out, "header-only", seed, h.len + 1);
            free(h.p);
        }
        free(seed);
        free(c.p);
        free(file);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *seeds = getenv("FUZZ_WRITE_SEEDS");
    if (seeds) {
        write_seeds(seeds);
        exit(0);
    }
    return 0;
}

/* Replays page records onto a page of the log's page size (or 4 KiB). */
static void redo_records(const uint8_t *rec, uint32_t len, uint32_t pgsz, uint8_t *page)
{
    if (rec[8] != LR_PAGE_DIFF && rec[8] != LR_PAGE_IMAGE) return;
    if (len < LR_HDR + 16) return; /* apply_page's own check (redo.c) */
    int applied;
    if (rec[8] == LR_PAGE_DIFF && len >= LR_HDR + 26) /* a page the diff can apply to */
        page_set_dbtime(page, get_u64(rec + LR_HDR + 8));
    redo_page(page, 0, pgsz, rec, len, &applied);
    redo_page(page, 1, pgsz, rec, len, &applied);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    fz_init(&in, data, size);
    unsigned flags = fz_u8(&in);
    struct fz_image img;
    fz_log_image(&in, flags, NULL, 65535, &img);

    struct logscan s;
    memset(&s, 0, sizeof s);
    size_t nrec = 0;
    if (loghdr_decode(img.p, img.len, &s.hdr) == JET_errSuccess) {
        uint32_t pgsz = page_size_valid(s.hdr.page_size) ? s.hdr.page_size : FZ_PAGE_SIZE;
        uint8_t *page = calloc(1, PAGE_SIZE_MAX);
        s.data = img.p;
        s.size = img.len;
        s.salt = log_salt(&s.hdr.sig, s.hdr.gen);
        s.off = LOG_HDR_SIZE;
        const uint8_t *rec;
        uint32_t len;
        while (logscan_next(&s, &rec, &len)) {
            if (len < LR_HDR || rec < img.p || rec + len > img.p + img.len) abort();
            (void)lr_type_name(rec[8]);
            redo_records(rec, len, pgsz, page);
            nrec++;
        }
        if (!s.closed && !s.bad_record) abort();
        free(page);
    }

    char path[FZ_PATH_MAX];
    fz_path(path, "edb00000001.log");
    fz_write(path, img.p, img.len);
    struct logscan fs;
    if (logscan_open(path, &fs) == JET_errSuccess) {
        const uint8_t *rec;
        uint32_t len;
        size_t n = 0;
        while (logscan_next(&fs, &rec, &len)) n++;
        if (n != nrec) abort(); /* the file holds the very bytes scanned above */
        logscan_close(&fs);
    }
    fz_jetutil((flags & 0x40) ? FZ_JU_LOG_RECORDS : FZ_JU_LOG, path, (flags & 0x80) != 0);
    fz_image_free(&img);
    return 0;
}
