/*
 * jetutil_ckpt.h — the `checkpoint` command: both slots of a checkpoint file (checkpoint.h).
 * Header-only, included by jetutil.c alone.
 *
 * Each slot is decoded here, field by field from the layout in checkpoint.h, so that a slot that
 * does not verify can be described; the slot in effect is then the engine's own choice
 * (ckpt_read: the valid slot with the higher sequence), and the two must agree.
 */
#ifndef JETUTIL_CKPT_H
#define JETUTIL_CKPT_H

#include "../src/checkpoint.h"
#include "jetutil_db.h"

#define JU_CKPT_MAGIC 0x4b434a48u /* "HJCK" */
#define JU_CKPT_VERSION 1

struct ju_ckpt_slot {
    int valid;
    char why[160]; /* why not valid */
    struct ckpt_data d;
};

static void ju_ckpt_decode(const uint8_t *b, size_t avail, struct ju_ckpt_slot *s)
{
    struct ckpt_data *d = &s->d;
    memset(s, 0, sizeof *s);
    if (avail < CKPT_SLOT) {
        snprintf(s->why, sizeof s->why, "missing: only %zu of its %u bytes are in the file", avail,
                 CKPT_SLOT);
        return;
    }
    if (ju_all_zero(b, CKPT_SLOT)) {
        snprintf(s->why, sizeof s->why, "never written (all zeros)");
        return;
    }
    if (get_u32(b + 4) != JU_CKPT_MAGIC) {
        snprintf(s->why, sizeof s->why, "magic 0x%08x is not \"HJCK\"", get_u32(b + 4));
        return;
    }
    if (get_u32(b + 8) != JU_CKPT_VERSION) {
        snprintf(s->why, sizeof s->why, "format version %u, this tool reads %u", get_u32(b + 8),
                 JU_CKPT_VERSION);
        return;
    }
    uint32_t crc = crc32c(0, b + 4, CKPT_SLOT - 4);
    if (get_u32(b) != crc) {
        snprintf(s->why, sizeof s->why,
                 "checksum mismatch (stored 0x%08x, computed 0x%08x): a torn "
                 "or damaged write",
                 get_u32(b), crc);
        return;
    }
    d->seq = get_u64(b + 12);
    d->pos = LGPOS(get_u32(b + 20), get_u32(b + 24));
    d->log_sig.random = get_u32(b + 28);
    d->log_sig.time_us = get_u64(b + 32);
    d->time = (int64_t)get_u64(b + 40);
    d->flags = get_u32(b + 48);
    d->ndb = get_u32(b + 52);
    if (d->ndb > DB_MAX) {
        snprintf(s->why, sizeof s->why, "%u attached databases (at most %u)", d->ndb, DB_MAX);
        return;
    }
    size_t off = 56;
    for (uint32_t i = 0; i < d->ndb; i++) {
        size_t pl = off + 26 <= CKPT_SLOT ? get_u16(b + off + 24) : 0;
        if (off + 26 > CKPT_SLOT || pl >= OS_PATH_MAX || off + 26 + pl > CKPT_SLOT) {
            snprintf(s->why, sizeof s->why, "attached database %u overruns the slot", i);
            return;
        }
        d->db[i].dbid = get_u32(b + off);
        d->db[i].dbtime = get_u64(b + off + 4);
        d->db[i].sig.random = get_u32(b + off + 12);
        d->db[i].sig.time_us = get_u64(b + off + 16);
        memcpy(d->db[i].path, b + off + 26, pl);
        d->db[i].path[pl] = 0;
        off += 26 + pl;
    }
    s->valid = 1;
}

static void ju_ckpt_slot_out(struct ju_out *o, const char *key, const struct ju_ckpt_slot *s)
{
    const struct ckpt_data *d = &s->d;
    ju_obj(o, key);
    ju_bool(o, "valid", s->valid);
    if (!s->valid) {
        ju_str(o, "why", s->why);
        ju_end(o);
        return;
    }
    ju_u64(o, "sequence", d->seq);
    ju_lgpos(o, "position", d->pos, -1);
    ju_signature(o, "logSignature", &d->log_sig);
    ju_time(o, "time", d->time);
    ju_bool(o, "clean", (d->flags & CKPT_CLEAN) != 0);
    ju_arr(o, "attachedDatabases");
    for (uint32_t i = 0; i < d->ndb; i++) {
        ju_inline(o, NULL);
        ju_u64(o, "dbid", d->db[i].dbid);
        ju_u64(o, "dbtime", d->db[i].dbtime);
        ju_signature(o, "dbSignature", &d->db[i].sig);
        ju_str(o, "path", d->db[i].path);
        ju_end(o);
    }
    ju_end(o);
    ju_end(o);
}

/* `jetutil checkpoint FILE` */
static int ju_cmd_checkpoint(struct ju_out *o, const char *path)
{
    struct ju_ckpt_slot *slot = calloc(2, sizeof *slot);
    struct ckpt_data *engine = malloc(sizeof *engine);
    uint8_t *b = malloc(2 * CKPT_SLOT);
    os_file *f = NULL;
    struct stat st;
    size_t got = 0;
    ju_str(o, "file", path);
    if (!slot || !engine || !b) {
        ju_problem(o, -1, "out of memory");
        goto out;
    }
    if (stat(path, &st) != 0) {
        ju_problem(o, -1, "cannot open: %s", strerror(errno));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        ju_problem(o, -1, "is a directory, not a checkpoint file");
        goto out;
    }
    JET_ERR err = os_open(path, OS_READ, &f);
    if (err >= 0) err = os_pread(f, b, 2 * CKPT_SLOT, 0, &got);
    if (err < 0) {
        ju_problem(o, -1, "cannot read: %s (%ld)", JetXErrorName(err), err);
        goto out;
    }
    ju_u64(o, "fileSize", (uint64_t)st.st_size);
    ju_ckpt_decode(b, got, &slot[0]);
    ju_ckpt_decode(b + CKPT_SLOT, got > CKPT_SLOT ? got - CKPT_SLOT : 0, &slot[1]);
    ju_ckpt_slot_out(o, "slot0", &slot[0]);
    ju_ckpt_slot_out(o, "slot1", &slot[1]);
    if (!slot[0].valid && !slot[1].valid) {
        ju_problem(o, -1, "no slot verifies: slot 0 %s; slot 1 %s", slot[0].why, slot[1].why);
        goto out;
    }
    int cur = slot[0].valid && (!slot[1].valid || slot[0].d.seq > slot[1].d.seq) ? 0 : 1;
    ju_inline(o, "current");
    ju_u64(o, "slot", (uint64_t)cur);
    ju_u64(o, "sequence", slot[cur].d.seq);
    ju_end(o);
    ju_lgpos(o, "checkpoint", slot[cur].d.pos, slot[cur].d.time);
    if (slot[0].valid && slot[1].valid && slot[0].d.seq == slot[1].d.seq)
        ju_problem(o, -1, "both slots carry sequence %llu", (unsigned long long)slot[0].d.seq);
    if (slot[cur].d.seq % 2 != (uint64_t)cur)
        ju_warning(o, -1, "sequence %llu is in slot %d (writes go to slot sequence %% 2)",
                   (unsigned long long)slot[cur].d.seq, cur);
    /* The first checkpoint (sequence 1) goes to slot 1, so a written file always has both. */
    if (st.st_size < (off_t)(2 * CKPT_SLOT))
        ju_problem(o, -1, "file has %lld bytes, its two slots take %u (truncated?)",
                   (long long)st.st_size, 2 * CKPT_SLOT);
    /* A running engine may write a new checkpoint between the two reads: a disagreement is only
     * a problem when the engine cannot read the file at all. */
    err = ckpt_read(path, engine);
    if (err < 0)
        ju_problem(o, -1, "the engine's ckpt_read fails: %s", JetXErrorName(err));
    else if (engine->seq != slot[cur].d.seq || engine->pos != slot[cur].d.pos)
        ju_warning(o, -1,
                   "the engine's ckpt_read takes sequence %llu, this tool slot %d "
                   "(sequence %llu): the file changed between the reads?",
                   (unsigned long long)engine->seq, cur, (unsigned long long)slot[cur].d.seq);
out:
    if (f) os_close(f);
    free(b);
    free(engine);
    free(slot);
    return 0;
}

#endif
