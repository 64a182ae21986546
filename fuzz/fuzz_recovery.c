/*
 * fuzz_recovery.c — soft recovery (JetInit) over a log directory whose current generation edb.log
 * is arbitrary: the checkpoint-less start, the record scan, the grouping of units by commit, redo
 * of page images and diffs into database pages, database create/attach/detach records, backup
 * header records, and the continuation of the log afterwards. When recovery succeeds, the
 * databases it produced are attached and read through the public API, and verified by jetutil.
 *
 * Input: u8 flags (image.h repairs; bit 5: a database with the logged signature already exists,
 * with the pages of the template run, so redo meets pages that are newer, older or torn), then
 * the compact log form of image.h. Database paths in the log are moved into the scratch
 * directory (image.h sandbox), since recovery opens and creates the files the log names.
 * FUZZ_WRITE_SEEDS=DIR writes seeds from the log of a real run (a database created, filled,
 * partly deleted) instead.
 */
#include "common.h"
#include "engine.h"
#include "image.h"
#include "jetutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FLAG_EXISTING_DB 0x20u
#define VERIFY_MAX_BYTES (4u << 20)

static char run_dir[FZ_PATH_MAX], log_path[FZ_PATH_MAX], db1_path[FZ_PATH_MAX];
static struct fz_sandbox sandbox;
static uint8_t *template_db; /* the template run's database, for FLAG_EXISTING_DB */
static size_t template_len;

/* The template run: a database created and filled in one generation (edb.log). */
static void template_run(char *dir, char *db)
{
    fz_path(dir, "template");
    fz_mkdir(dir);
    snprintf(db, FZ_PATH_MAX, "%s/db.edb", dir);
    fz_jet_template(dir, db, &sandbox.db_sig);
}

static void write_seeds(const char *out)
{
    char dir[FZ_PATH_MAX], db[FZ_PATH_MAX], path[FZ_PATH_MAX * 2];
    template_run(dir, db);
    snprintf(path, sizeof path, "%s/edb.log", dir);
    size_t len;
    uint8_t *file = fz_read(path, &len);
    struct fz_image c;
    fz_compact_log(file, len, &c);
    uint8_t *seed = malloc(c.len + 1);
    memcpy(seed + 1, c.p, c.len);
    seed[0] = FZ_FIX_LOGHDR | FZ_FIX_RECORDS;
    fz_seed(out, "created-and-filled", seed, c.len + 1);
    seed[0] = FZ_FIX_LOGHDR | FZ_FIX_RECORDS | FZ_FORCE_SIGNATURE | FLAG_EXISTING_DB;
    fz_seed(out, "over-existing-database", seed, c.len + 1);
    free(seed);
    free(c.p);
    free(file);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *seeds = getenv("FUZZ_WRITE_SEEDS");
    if (seeds) {
        write_seeds(seeds);
        exit(0);
    }
    char dir[FZ_PATH_MAX], db[FZ_PATH_MAX];
    template_run(dir, db);
    template_db = fz_read(db, &template_len);
    fz_path(run_dir, "run");
    fz_mkdir(run_dir);
    snprintf(log_path, sizeof log_path, "%s/edb.log", run_dir);
    snprintf(db1_path, sizeof db1_path, "%s/db1.edb", run_dir);
    sandbox.dir = run_dir;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    fz_init(&in, data, size);
    unsigned flags = fz_u8(&in);
    struct fz_image img;
    fz_log_image(&in, flags, &sandbox, 65535, &img);
    fz_clear(run_dir);
    fz_write(log_path, img.p, img.len);
    fz_image_free(&img);
    if (flags & FLAG_EXISTING_DB) fz_write(db1_path, template_db, template_len);

    JET_INSTANCE inst;
    if (fz_jet_start(run_dir, &inst) >= 0) {
        fz_jet_exercise(inst, db1_path);
        fz_jet_stop(inst);
        /* a page record may name any page number: recovery then leaves a large sparse file,
         * which jetutil reads page by page; that is its job, but not this harness's */
        struct stat st;
        if (stat(db1_path, &st) == 0 && st.st_size <= VERIFY_MAX_BYTES) fz_jetutil(FZ_JU_VERIFY, db1_path, 0);
    }
    return 0;
}
