/*
 * jetutil_backup.h — `jetutil verify-backup DIR`: checks a backup set as hard recovery will need
 * it (spec/backup-api.md, "What a database looks like in a backup" and "Hard recovery").
 * Header-only, included by jetutil.c alone.
 *
 * A backup set is a directory of streamed database copies (*.edb) and archived log generations
 * (<base>XXXXXXXX.log). Checked, with the restore error each finding would cause:
 *   - every database: a backup copy (JET_errRestoreOfNonBackupDatabase), two header pages, every
 *     data page verified, a trailer page matching its header (JET_errDatabasePatchFileMismatch);
 *   - the databases agree on the log set (their log signatures are equal);
 *   - logs: every generation from the lowest genLow to the highest trailer genHigh of the
 *     databases is present (JET_errMissingRestoreLogFiles), the present ones have no gap
 *     (JET_errGivenLogFileIsNotContiguous), each header verifies with the generation its name
 *     says, carries the databases' log signature (JET_errGivenLogFileHasBadSignature), follows its
 *     predecessor (its previous-generation creation time is that generation's creation time:
 *     JET_errGivenLogFileIsNotContiguous), and every record verifies up to its end record.
 */
#ifndef JETUTIL_BACKUP_H
#define JETUTIL_BACKUP_H

#include <dirent.h>

#include "jetutil_log.h"
#include "jetutil_verify.h"

#define JU_BACKUP_FILES_MAX 4096
#define JU_BACKUP_MISSING_LISTED 16 /* longer runs of missing generations are reported as one */

struct ju_bk_log {
    char name[256];
    uint32_t gen;
    int hdr_ok;
    struct signature sig;
    int64_t create_time, prev_create_time;
    uint32_t page_size;
};

struct ju_bk_db {
    char name[256];
    int ok; /* header read and a backup copy with a valid trailer */
    struct signature sig_log;
    uint32_t page_size;
    uint32_t gen_low, gen_high;
};

struct ju_bk_set {
    struct ju_bk_log *logs;
    size_t nlogs;
    struct ju_bk_db *dbs;
    size_t ndbs;
    char base[LOG_BASE_MAX + 1];
};

static int ju_bk_cmp_log(const void *a, const void *b)
{
    const struct ju_bk_log *x = a, *y = b;
    return x->gen < y->gen ? -1 : x->gen > y->gen;
}

static int ju_bk_cmp_db(const void *a, const void *b)
{
    return strcmp(((const struct ju_bk_db *)a)->name, ((const struct ju_bk_db *)b)->name);
}

/* Lists the directory into set. 0 on success. */
static int ju_bk_list(struct ju_out *o, const char *dir, struct ju_bk_set *set)
{
    DIR *d = opendir(dir);
    if (!d) {
        ju_problem(o, -1, "cannot open directory: %s", strerror(errno));
        return -1;
    }
    set->logs = calloc(JU_BACKUP_FILES_MAX, sizeof *set->logs);
    set->dbs = calloc(JU_BACKUP_FILES_MAX, sizeof *set->dbs);
    if (!set->logs || !set->dbs) {
        closedir(d);
        ju_problem(o, -1, "out of memory");
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        if (n[0] == '.' || len >= sizeof set->logs[0].name) continue;
        uint32_t gen = ju_log_name_gen(n);
        if (gen && set->nlogs < JU_BACKUP_FILES_MAX) {
            struct ju_bk_log *l = &set->logs[set->nlogs++];
            snprintf(l->name, sizeof l->name, "%s", n);
            l->gen = gen;
            if (!set->base[0]) {
                memcpy(set->base, n, LOG_BASE_MAX);
            } else if (memcmp(set->base, n, LOG_BASE_MAX) != 0) {
                ju_problem(o, -1, "%s: base name differs from %s (two log sets mixed?)", n,
                           set->base);
            }
        } else if (len > 4 && strcmp(n + len - 4, ".edb") == 0 && set->ndbs < JU_BACKUP_FILES_MAX) {
            snprintf(set->dbs[set->ndbs++].name, sizeof set->dbs[0].name, "%s", n);
        } else {
            ju_warning(o, -1,
                       "%s: not part of a backup set (neither *.edb nor an archived log "
                       "generation)",
                       n);
        }
    }
    closedir(d);
    qsort(set->logs, set->nlogs, sizeof *set->logs, ju_bk_cmp_log);
    qsort(set->dbs, set->ndbs, sizeof *set->dbs, ju_bk_cmp_db);
    return 0;
}

static void ju_bk_databases(struct ju_out *o, const char *dir, struct ju_bk_set *set)
{
    char path[OS_PATH_MAX];
    ju_obj(o, "databases");
    for (size_t i = 0; i < set->ndbs; i++) {
        struct ju_bk_db *bd = &set->dbs[i];
        struct ju_db db;
        if (os_join(path, sizeof path, dir, bd->name) < 0) {
            ju_problem(o, -1, "%s: path too long", bd->name);
            continue;
        }
        o->file = bd->name;
        ju_obj(o, bd->name);
        ju_verify_run(o, path, 1, &db);
        if (db.pgsz) {
            if (!db.is_copy)
                ju_problem(o, 0,
                           "not a backup copy (no backup-copy flag in its header): restore "
                           "refuses it (JET_errRestoreOfNonBackupDatabase)");
            bd->ok = db.is_copy && db.trailer_ok;
            bd->sig_log = db.hdr.sig_log;
            bd->page_size = db.pgsz;
            bd->gen_low = db.hdr.bk[BK_FULL_CUR].gen_low;
            bd->gen_high = db.trailer_ok ? db.trailer.bk[BK_FULL_CUR].gen_high : 0;
            if (bd->ok) {
                ju_u64(o, "genLow", bd->gen_low);
                ju_u64(o, "genHigh", bd->gen_high);
            }
        }
        ju_end(o);
        o->file = NULL;
    }
    ju_end(o);
    for (size_t i = 1; i < set->ndbs; i++)
        if (set->dbs[0].ok && set->dbs[i].ok &&
            !sig_equal(&set->dbs[0].sig_log, &set->dbs[i].sig_log))
            ju_problem(o, -1, "%s and %s belong to different log sets (log signatures differ)",
                       set->dbs[0].name, set->dbs[i].name);
}

/* Loads and scans each log; keeps its header fields in set. */
static void ju_bk_logs(struct ju_out *o, const char *dir, struct ju_bk_set *set)
{
    char path[OS_PATH_MAX];
    ju_arr(o, "logs");
    for (size_t i = 0; i < set->nlogs; i++) {
        struct ju_bk_log *bl = &set->logs[i];
        struct ju_log lf;
        if (os_join(path, sizeof path, dir, bl->name) < 0) {
            ju_problem(o, -1, "%s: path too long", bl->name);
            continue;
        }
        o->file = bl->name;
        ju_inline(o, NULL);
        ju_str(o, "name", bl->name);
        if (ju_log_load(o, path, &lf) == 0) {
            ju_log_scan(o, &lf, 0);
            bl->hdr_ok = 1;
            bl->sig = lf.hdr.sig;
            bl->create_time = lf.hdr.create_time;
            bl->prev_create_time = lf.hdr.prev_create_time;
            bl->page_size = lf.hdr.page_size;
            ju_u64(o, "generation", lf.hdr.gen);
            ju_time(o, "created", lf.hdr.create_time);
            ju_u64(o, "records", lf.records);
            ju_str(o, "end", lf.closed ? "GenEnd" : lf.torn ? "torn tail" : "open");
            if (lf.hdr.gen != bl->gen) ju_problem(o, -1, "header says generation %u", lf.hdr.gen);
            if (!lf.closed)
                ju_problem(o, -1,
                           "%s at offset %u instead of an end record: the generation is "
                           "incomplete",
                           lf.torn ? "a record that does not verify" : "zeros", lf.end_off);
        } else {
            ju_str(o, "end", NULL);
        }
        ju_log_free(&lf);
        ju_end(o);
        o->file = NULL;
    }
    ju_end(o);
}

/* Range, signatures and chaining of the logs against the databases. */
static void ju_bk_chain(struct ju_out *o, struct ju_bk_set *set)
{
    uint32_t need_low = 0, need_high = 0;
    const struct ju_bk_db *ref = NULL;
    for (size_t i = 0; i < set->ndbs; i++) {
        const struct ju_bk_db *bd = &set->dbs[i];
        if (!bd->ok) continue;
        if (!ref) ref = bd;
        if (!need_low || bd->gen_low < need_low) need_low = bd->gen_low;
        if (bd->gen_high > need_high) need_high = bd->gen_high;
    }
    ju_inline(o, "required");
    ju_u64(o, "genLow", need_low);
    ju_u64(o, "genHigh", need_high);
    ju_end(o);
    if (set->nlogs) {
        ju_inline(o, "present");
        ju_u64(o, "genLow", set->logs[0].gen);
        ju_u64(o, "genHigh", set->logs[set->nlogs - 1].gen);
        ju_end(o);
    }
    /* Missing generations of the required range, run by run: the range comes from the copies'
     * headers and may span 2^32 generations, so it is never walked one generation at a time. */
    const char *base = set->base[0] ? set->base : "edb";
    uint64_t g = need_low;
    for (size_t i = 0; need_low && g <= need_high; i++) {
        uint64_t next = i < set->nlogs ? set->logs[i].gen : (uint64_t)need_high + 1;
        if (next < g) continue;
        if (next > (uint64_t)need_high + 1) next = (uint64_t)need_high + 1;
        if (next - g > JU_BACKUP_MISSING_LISTED) {
            ju_problem(o, -1,
                       "generations %llu to %llu (%s%08llX.log to %s%08llX.log) are missing: restore "
                       "needs %u..%u (JET_errMissingRestoreLogFiles)",
                       (unsigned long long)g, (unsigned long long)(next - 1), base, (unsigned long long)g, base,
                       (unsigned long long)(next - 1), need_low, need_high);
        } else {
            for (; g < next; g++)
                ju_problem(o, -1,
                           "generation %llu (%s%08llX.log) is missing: restore needs %u..%u "
                           "(JET_errMissingRestoreLogFiles)",
                           (unsigned long long)g, base, (unsigned long long)g, need_low, need_high);
        }
        g = next + 1;
    }
    for (size_t i = 0; i < set->nlogs; i++) {
        const struct ju_bk_log *l = &set->logs[i], *prev = i ? &set->logs[i - 1] : NULL;
        if (prev && l->gen == prev->gen + 1 && l->hdr_ok && prev->hdr_ok &&
            l->prev_create_time != prev->create_time)
            ju_problem(o, -1,
                       "%s does not follow %s: its previous-generation creation time is not "
                       "%s's creation time (JET_errGivenLogFileIsNotContiguous)",
                       l->name, prev->name, prev->name);
        /* A gap inside the required range was reported as missing generations already. */
        if (prev && l->gen != prev->gen + 1 &&
            !(need_low && prev->gen + 1 >= need_low && l->gen - 1 <= need_high))
            ju_problem(o, -1, "gap between %s and %s (JET_errGivenLogFileIsNotContiguous)",
                       prev->name, l->name);
        if (!l->hdr_ok) continue;
        if (ref && !sig_equal(&l->sig, &ref->sig_log))
            ju_problem(o, -1,
                       "%s carries another log set's signature than %s "
                       "(JET_errGivenLogFileHasBadSignature)",
                       l->name, ref->name);
        else if (!ref && i && set->logs[0].hdr_ok && !sig_equal(&l->sig, &set->logs[0].sig))
            ju_problem(o, -1, "%s and %s carry different log signatures", set->logs[0].name,
                       l->name);
        if (ref && l->page_size != ref->page_size)
            ju_problem(o, -1, "%s is for %u-byte pages, %s has %u-byte pages", l->name,
                       l->page_size, ref->name, ref->page_size);
        if (need_low && l->gen < need_low)
            ju_warning(o, -1, "%s is older than the backup's first generation %u (not needed)",
                       l->name, need_low);
    }
}

/* `jetutil verify-backup DIR` */
static int ju_cmd_verify_backup(struct ju_out *o, const char *dir)
{
    struct ju_bk_set set;
    memset(&set, 0, sizeof set);
    ju_str(o, "directory", dir);
    if (ju_bk_list(o, dir, &set) < 0) goto out;
    if (!set.ndbs) ju_problem(o, -1, "no database copy (*.edb) in the backup");
    if (!set.nlogs) ju_problem(o, -1, "no log generation (<base>XXXXXXXX.log) in the backup");
    ju_bk_databases(o, dir, &set);
    ju_bk_logs(o, dir, &set);
    ju_bk_chain(o, &set);
out:
    free(set.logs);
    free(set.dbs);
    return 0;
}

#endif
