/*
 * dbheader.c — encoding, verification and durable writing of the database header (format in
 * dbheader.h), and conversions to ESE's JET_DBINFOMISC field types.
 */
#include "dbheader.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "page.h"

static void put_sig(uint8_t *p, const struct signature *s)
{
    put_u32(p, s->random);
    put_u64(p + 4, s->time_us);
    put_u32(p + 12, 0);
}
static void get_sig(const uint8_t *p, struct signature *s)
{
    s->random = get_u32(p);
    s->time_us = get_u64(p + 4);
}
static void put_lg(uint8_t *p, lgpos_t l, int64_t t)
{
    put_u32(p, LGPOS_GEN(l));
    put_u32(p + 4, LGPOS_OFF(l));
    put_u64(p + 8, (uint64_t)t);
}
static void get_lg(const uint8_t *p, lgpos_t *l, int64_t *t)
{
    *l = LGPOS(get_u32(p), get_u32(p + 4));
    *t = (int64_t)get_u64(p + 8);
}

void dbh_encode(const struct db_header *h, uint8_t *page, uint32_t pgsz, uint32_t pgno)
{
    page_init(page, pgsz, pgno, PAGE_HEADER, 0);
    page_set_dbtime(page, h->dbtime);
    put_u32(page + 32, DBH_MAGIC);
    put_u32(page + 36, DBH_VERSION);
    put_u32(page + 40, h->page_size);
    put_u32(page + 44, h->state);
    put_sig(page + 48, &h->sig_db);
    put_sig(page + 64, &h->sig_log);
    put_u64(page + 80, h->dbtime);
    put_lg(page + 88, h->consistent, h->consistent_time);
    put_lg(page + 104, h->attach, h->attach_time);
    put_lg(page + 120, h->detach, h->detach_time);
    put_u32(page + 136, h->gen_min_required);
    put_u32(page + 140, h->gen_max_required);
    for (int i = 0; i < BK_COUNT; i++) {
        uint8_t *b = page + 144 + 24 * i;
        put_lg(b, h->bk[i].mark, h->bk[i].mark_time_us);
        put_u32(b + 16, h->bk[i].gen_low);
        put_u32(b + 20, h->bk[i].gen_high);
    }
    put_u32(page + 264, h->flags);
    put_u32(page + 268, h->page_count);
    page_seal(page, pgsz);
}

JET_ERR dbh_decode(const uint8_t *page, uint32_t pgsz, uint32_t pgno, struct db_header *h)
{
    if (page_verify(page, pgsz, pgno) < 0) return JET_errDatabaseCorrupted;
    if (page_type(page) != PAGE_HEADER || get_u32(page + 32) != DBH_MAGIC ||
        get_u32(page + 36) != DBH_VERSION || get_u32(page + 40) != pgsz)
        return JET_errDatabaseCorrupted;
    memset(h, 0, sizeof *h);
    h->page_size = pgsz;
    h->state = get_u32(page + 44);
    get_sig(page + 48, &h->sig_db);
    get_sig(page + 64, &h->sig_log);
    h->dbtime = get_u64(page + 80);
    get_lg(page + 88, &h->consistent, &h->consistent_time);
    get_lg(page + 104, &h->attach, &h->attach_time);
    get_lg(page + 120, &h->detach, &h->detach_time);
    h->gen_min_required = get_u32(page + 136);
    h->gen_max_required = get_u32(page + 140);
    for (int i = 0; i < BK_COUNT; i++) {
        const uint8_t *b = page + 144 + 24 * i;
        get_lg(b, &h->bk[i].mark, &h->bk[i].mark_time_us);
        h->bk[i].gen_low = get_u32(b + 16);
        h->bk[i].gen_high = get_u32(b + 20);
    }
    h->flags = get_u32(page + 264);
    h->page_count = get_u32(page + 268);
    return JET_errSuccess;
}

JET_ERR dbh_read(os_file *f, struct db_header *h)
{
    uint8_t page[PAGE_SIZE_MAX];
    size_t got;
    JET_ERR err;
    uint64_t size;
    if ((err = os_size(f, &size)) < 0) return err;
    if (size < 2 * PAGE_SIZE_MIN) return size == 0 ? JET_errInvalidDatabase : JET_errDatabaseCorrupted;
    /* The page size is in both copies; try each plausible copy location. */
    if ((err = os_pread(f, page, PAGE_SIZE_MIN, 0, &got)) < 0) return err;
    uint32_t pgsz = get_u32(page + 40);
    if (get_u32(page + 32) != DBH_MAGIC || !page_size_valid(pgsz)) {
        /* Primary damaged: look for the shadow at each page size. */
        for (uint32_t ps = PAGE_SIZE_MIN; ps <= PAGE_SIZE_MAX; ps *= 2) {
            if ((uint64_t)ps * 2 > size) break;
            if ((err = os_pread(f, page, ps, ps, &got)) < 0) return err;
            if (got == ps && dbh_decode(page, ps, 1, h) == JET_errSuccess) return JET_errSuccess;
        }
        return get_u32(page + 32) == DBH_MAGIC ? JET_errDatabaseCorrupted : JET_errInvalidDatabase;
    }
    for (uint32_t copy = 0; copy < 2; copy++) {
        if ((uint64_t)pgsz * (copy + 1) > size) break;
        if ((err = os_pread(f, page, pgsz, (uint64_t)pgsz * copy, &got)) < 0) return err;
        if (got == pgsz && dbh_decode(page, pgsz, copy, h) == JET_errSuccess) return JET_errSuccess;
    }
    return JET_errDatabaseCorrupted;
}

JET_ERR dbh_read_path(const char *path, struct db_header *h)
{
    os_file *f;
    JET_ERR err = os_open(path, OS_READ, &f);
    if (err < 0) return err;
    err = dbh_read(f, h);
    os_close(f);
    return err;
}

JET_ERR dbh_write(os_file *f, const struct db_header *h)
{
    uint8_t page[PAGE_SIZE_MAX];
    JET_ERR err;
    for (uint32_t copy = 0; copy < 2; copy++) {
        dbh_encode(h, page, h->page_size, copy);
        if ((err = os_pwrite(f, page, h->page_size, (uint64_t)h->page_size * copy)) < 0) return err;
        if ((err = os_fdatasync(f)) < 0) return err;
    }
    return JET_errSuccess;
}

int sig_equal(const struct signature *a, const struct signature *b)
{
    return a->random == b->random && a->time_us == b->time_us;
}

void sig_new(struct signature *s)
{
    os_random(&s->random, sizeof s->random);
    s->time_us = (uint64_t)os_now_us();
}

void time_to_jet(int64_t us, JET_LOGTIME *out)
{
    memset(out, 0, sizeof *out);
    if (us <= 0) return;
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    out->bSeconds = (char)tm.tm_sec;
    out->bMinutes = (char)tm.tm_min;
    out->bHours = (char)tm.tm_hour;
    out->bDay = (char)tm.tm_mday;
    out->bMonth = (char)(tm.tm_mon + 1);
    out->bYear = (char)tm.tm_year;
    out->fTimeIsUTC = 1;
    unsigned ms = (unsigned)((us / 1000) % 1000);
    out->bMillisecondsLow = ms & 0x7f;
    out->bMillisecondsHigh = (ms >> 7) & 0x7;
}

void sig_to_jet(const struct signature *s, JET_SIGNATURE *out)
{
    memset(out, 0, sizeof *out);
    out->ulRandom = s->random;
    time_to_jet((int64_t)s->time_us, &out->logtimeCreate);
    gethostname(out->szComputerName, sizeof out->szComputerName - 1);
}

void lgpos_to_jet(lgpos_t l, JET_LGPOS *out)
{
    out->lGeneration = (long)LGPOS_GEN(l);
    out->isec = (unsigned short)(LGPOS_OFF(l) / 512);
    out->ib = (unsigned short)(LGPOS_OFF(l) % 512);
}

void bkinfo_to_jet(const struct bkinfo *b, JET_BKINFO *out)
{
    memset(out, 0, sizeof *out);
    lgpos_to_jet(b->mark, &out->lgposMark);
    time_to_jet(b->mark_time_us, &out->logtimeMark);
    out->genLow = b->gen_low;
    out->genHigh = b->gen_high;
}
