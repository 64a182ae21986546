/*
 * fuzz_backupset.c — backup-set verification on arbitrary sets: jetutil's `verify-backup` and
 * hard recovery's checks and redo (JetExternalRestore2: log presence, signatures and chaining, the
 * database copy's header, trailer and generation range, then redo of the backup's logs into the
 * copy). When a restore succeeds, the restored database is attached and read like any other.
 *
 * Input: u8 flags (image.h repairs, applied to every file), u8 genLow and u8 genHigh for the
 * restore (0: the lowest / highest generation in the set), u8 file count, then per file u8 kind
 * (even: the database copy "main.edb" in the compact database form; odd: log generation u8 gen,
 * "edbXXXXXXXX.log", in the compact log form).
 * FUZZ_WRITE_SEEDS=DIR writes a real backup set (streamed through JetReadFile) instead.
 */
#include "common.h"
#include "engine.h"
#include "image.h"
#include "jetutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILES_MAX 6

static char set_dir[FZ_PATH_MAX], target_dir[FZ_PATH_MAX], db_path[FZ_PATH_MAX];

/* ---- seeds: a real backup set ------------------------------------------------------------------ */

struct grow {
    uint8_t *p;
    size_t len;
};

static void put(struct grow *g, const void *data, size_t n)
{
    g->p = realloc(g->p, g->len + n);
    if (g->p == NULL) abort();
    memcpy(g->p + g->len, data, n);
    g->len += n;
}

/* Streams one backup file through JetOpenFile / JetReadFile. */
static uint8_t *stream_file(JET_INSTANCE inst, const char *name, size_t *len)
{
    JET_HANDLE h;
    unsigned long lo, hi, got;
    static uint8_t block[16 * FZ_PAGE_SIZE];
    struct grow g = {0};
    if (JetOpenFileInstance(inst, name, &h, &lo, &hi) < 0) abort();
    while (JetReadFileInstance(inst, h, block, sizeof block, &got) >= 0 && got > 0) put(&g, block, got);
    JetCloseFileInstance(inst, h);
    *len = g.len;
    return g.p;
}

static void write_seeds(const char *out)
{
    char dir[FZ_PATH_MAX], db[FZ_PATH_MAX];
    struct signature sig;
    fz_path(dir, "seed");
    fz_mkdir(dir);
    fz_path(db, "seed/main.edb");
    fz_jet_template(dir, db, &sig);
    JET_INSTANCE inst;
    JET_SESID ses;
    if (fz_jet_start(dir, &inst) < 0 || JetBeginSession(inst, &ses, NULL, NULL) < 0 ||
        JetAttachDatabase(ses, db, 0) < 0 || JetBeginExternalBackupInstance(inst, 0) < 0)
        abort();
    size_t dblen;
    uint8_t *dbcopy = stream_file(inst, db, &dblen);
    char logs[8192];
    unsigned long cb;
    JET_LOGINFO info = {.cbSize = sizeof info};
    if (JetGetLogInfoInstance2(inst, logs, sizeof logs, &cb, &info) < 0) abort();
    struct grow seed = {0};
    uint8_t head[4] = {FZ_FIX_LOGHDR | FZ_FIX_RECORDS | FZ_FIX_PAGES, 0, 0, 0};
    put(&seed, head, sizeof head);
    struct fz_image c;
    uint8_t kind = 0;
    fz_compact_db(dbcopy, dblen, FZ_PAGE_SIZE, &c);
    put(&seed, &kind, 1);
    put(&seed, c.p, c.len);
    free(c.p);
    unsigned files = 1;
    for (const char *l = logs; *l && files < FILES_MAX; l += strlen(l) + 1, files++) {
        size_t loglen;
        uint8_t *file = stream_file(inst, l, &loglen);
        uint8_t desc[2] = {1, (uint8_t)(info.ulGenLow + files - 1)};
        fz_compact_log(file, loglen, &c);
        put(&seed, desc, 2);
        put(&seed, c.p, c.len);
        free(c.p);
        free(file);
    }
    seed.p[3] = (uint8_t)files;
    JetEndExternalBackupInstance2(inst, JET_bitBackupEndAbort);
    JetEndSession(ses, 0);
    fz_jet_stop(inst);
    fz_seed(out, "full-backup", seed.p, seed.len);
    free(seed.p);
    free(dbcopy);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *seeds = getenv("FUZZ_WRITE_SEEDS");
    if (seeds) {
        write_seeds(seeds);
        exit(0);
    }
    fz_path(set_dir, "set");
    fz_path(target_dir, "target");
    fz_mkdir(set_dir);
    fz_mkdir(target_dir);
    snprintf(db_path, sizeof db_path, "%s/main.edb", set_dir);
    return 0;
}

/* ---- one set ------------------------------------------------------------------------------------ */

static void restore(unsigned gen_low, unsigned gen_high)
{
    static unsigned serial;
    char backup_logs[FZ_PATH_MAX + 2], target[FZ_PATH_MAX + 2], name[32];
    char from[] = "main.edb";
    snprintf(backup_logs, sizeof backup_logs, "%s/", set_dir);
    snprintf(target, sizeof target, "%s/", target_dir);
    snprintf(name, sizeof name, "restored-%u", ++serial);
    JET_RSTMAP map = {.szDatabaseName = from, .szNewDatabaseName = db_path};
    JET_LOGINFO info = {.cbSize = sizeof info, .ulGenLow = gen_low, .ulGenHigh = gen_high, .szBaseName = "edb"};
    JET_ERR err = JetExternalRestore2(target, target, &map, 1, backup_logs, &info, name, target, target, NULL);
    if (fz_verbose()) fprintf(stderr, "restore %u..%u: %s\n", gen_low, gen_high, JetXErrorName(err));
    if (err >= 0) {
        JET_INSTANCE inst;
        fz_clear(target_dir);
        if (fz_jet_start(target_dir, &inst) >= 0) {
            fz_jet_exercise(inst, db_path);
            fz_jet_stop(inst);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    fz_init(&in, data, size);
    unsigned flags = fz_u8(&in), gen_low = fz_u8(&in), gen_high = fz_u8(&in);
    unsigned files = fz_u8(&in) % (FILES_MAX + 1), lowest = 0, highest = 0;
    fz_clear(set_dir);
    fz_clear(target_dir);
    for (unsigned i = 0; i < files && in.off < in.len; i++) {
        struct fz_image img;
        char path[FZ_PATH_MAX + 32];
        if (fz_u8(&in) % 2 == 0) {
            fz_db_image(&in, flags, &img);
            snprintf(path, sizeof path, "%s", db_path);
        } else {
            unsigned gen = fz_u8(&in);
            fz_log_image(&in, flags, NULL, 65535, &img);
            snprintf(path, sizeof path, "%s/edb%08X.log", set_dir, gen);
            if (gen && (!lowest || gen < lowest)) lowest = gen;
            if (gen > highest) highest = gen;
        }
        fz_write(path, img.p, img.len);
        fz_image_free(&img);
    }
    fz_jetutil(FZ_JU_VERIFY_BACKUP, set_dir, (flags & 0x80) != 0);
    restore(gen_low ? gen_low : lowest, gen_high ? gen_high : highest);
    return 0;
}
