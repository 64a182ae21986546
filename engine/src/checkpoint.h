/*
 * checkpoint.h — the checkpoint file `<base>.chk` and the checkpointer.
 *
 * File: two slots of CKPT_SLOT bytes; a write goes to slot (seq % 2) and is fdatasynced, so a torn
 * write damages only that slot and the other still holds the previous checkpoint. A reader takes
 * the valid slot with the highest sequence; neither valid -> JET_errCheckpointCorrupt. Slot layout:
 *    0 u32 crc (CRC32C of [4, CKPT_SLOT))   4 u32 magic "HJCK"   8 u32 version   12 u64 sequence
 *   20 u32 generation  24 u32 offset (the log position redo starts from)
 *   28 log-set signature (u32 random, u64 time)   40 u64 time (us)   48 u32 flags (CKPT_CLEAN)
 *   52 u32 attached databases; each: u32 dbid, u64 dbtime, signature (12), u16 path length, path
 *
 * A checkpoint at position L: under the exclusive tree lock, L is taken and the full-page-image
 * epoch advances (every page's first change after L is logged whole, so a torn page write after L
 * heals by redo); then every page dirtied before L is written and the database files fsynced;
 * then the file records L. Checkpoints run by log volume (JET_paramCheckpointDepthMax) and by time
 * (JET_paramLogCheckpointPeriod) on a background thread.
 */
#ifndef JET_CHECKPOINT_H
#define JET_CHECKPOINT_H

#include "inst.h"

#define CKPT_SLOT 16384u
#define CKPT_CLEAN 1u

struct ckpt_db {
    uint32_t dbid;
    uint64_t dbtime;
    struct signature sig;
    char path[OS_PATH_MAX];
};

struct ckpt_data {
    uint64_t seq;
    lgpos_t pos;
    struct signature log_sig;
    int64_t time;
    uint32_t flags;
    uint32_t ndb;
    struct ckpt_db db[DB_MAX];
};

/* JET_errFileNotFound when absent, JET_errCheckpointCorrupt when no slot verifies. */
JET_ERR ckpt_read(const char *path, struct ckpt_data *d);
JET_ERR ckpt_write(const char *path, const struct ckpt_data *d);
JET_ERR ckpt_file_path(struct inst *inst, char *out);
/* The checkpoint file in dir (or dir itself when it names a .chk file). */
JET_ERR ckpt_path_file(const char *dir_or_file, const char *base, char *out);

/* Starts/stops the checkpointer thread of an initialised instance. */
JET_ERR ckpt_start(struct inst *inst, uint64_t seq);
void ckpt_stop(struct inst *inst);
/* Runs a checkpoint now. flags: CKPT_CLEAN for the last one of a clean shutdown. */
JET_ERR ckpt_run(struct inst *inst, uint32_t flags);
/* The position of the last completed checkpoint (0 before the first). */
lgpos_t ckpt_last(struct inst *inst);
/* Writes the checkpoint file directly (recovery's end, restore): position pos, given databases. */
JET_ERR ckpt_write_now(struct inst *inst, lgpos_t pos, uint32_t flags);

#endif
