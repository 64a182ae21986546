/*
 * fuzz_dbfile.c — a database file of arbitrary pages read by the engine through its public API
 * (JetAttachDatabase, then every record of a table read, written and deleted through the server's
 * record layer: the B+tree, long values, the catalog, the space map), and by jetutil's offline
 * readers (`header`, `verify`).
 *
 * Input: u8 flags (FZ_FIX_PAGES: every page gets its number and a valid checksum, so mutations
 * reach the structure behind the checksums; bit 6 JSON output; bit 7 jetutil only), then the
 * compact database form of image.h.
 * FUZZ_WRITE_SEEDS=DIR writes seeds made from a real database (fz_jet_template) instead.
 */
#include "common.h"
#include "engine.h"
#include "image.h"
#include "jetutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char run_dir[FZ_PATH_MAX], db_path[FZ_PATH_MAX], inst_dir[FZ_PATH_MAX];

static void write_seeds(const char *out)
{
    char dir[FZ_PATH_MAX], db[FZ_PATH_MAX];
    struct signature sig;
    fz_path(dir, "seed");
    fz_mkdir(dir);
    fz_path(db, "seed/seed.edb");
    fz_jet_template(dir, db, &sig);
    size_t len;
    uint8_t *file = fz_read(db, &len);
    struct fz_image c;
    fz_compact_db(file, len, FZ_PAGE_SIZE, &c);
    uint8_t *seed = malloc(c.len + 1);
    memcpy(seed + 1, c.p, c.len);
    seed[0] = FZ_FIX_PAGES;
    fz_seed(out, "template-sealed", seed, c.len + 1);
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
    fz_path(run_dir, "run");
    fz_mkdir(run_dir);
    snprintf(db_path, sizeof db_path, "%s/fuzzed.edb", run_dir);
    snprintf(inst_dir, sizeof inst_dir, "%s/instance", run_dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in;
    fz_init(&in, data, size);
    unsigned flags = fz_u8(&in);
    struct fz_image img;
    fz_db_image(&in, flags, &img);
    fz_clear(run_dir);
    fz_write(db_path, img.p, img.len);
    fz_image_free(&img);
    int json = (flags & 0x40) != 0;
    fz_jetutil(FZ_JU_HEADER, db_path, json);
    fz_jetutil(FZ_JU_VERIFY, db_path, json);
    if (!(flags & 0x80)) {
        JET_INSTANCE inst;
        fz_mkdir(inst_dir);
        if (fz_jet_start(inst_dir, &inst) >= 0) {
            fz_jet_exercise(inst, db_path);
            fz_jet_stop(inst);
        }
    }
    return 0;
}
