/*
 * instance.c — the instance table (the one piece of process-wide state the engine keeps besides
 * the test fault table and the event callback), the one-instance / multi-instance modes, the entry
 * gate, and the instance lifecycle: JetCreateInstance(2), JetEnableMultiInstance, system
 * parameters, JetInit(2), JetTerm(2), JetStopService(Instance).
 *
 * Instance states and their transitions:
 *   created  (JetCreateInstance)            -> initializing (JetInit: recovery)
 *   initializing                             -> initialized  (JetInit succeeded) | created (failed)
 *   initialized                              -> terminating  (JetTerm) -> freed
 *   any                                      -> stop_service (JetStopService: every call but
 *                                               JetTerm then fails with -1329)
 *   initialized                              -> unavailable  (fatal_err: the log failed)
 * Locking: T.mu guards the table and the mode; inst->mu guards the flags; T.mu before inst->mu.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "cache.h"
#include "checkpoint.h"
#include "dbfile.h"
#include "event.h"
#include "keylock.h"
#include "log.h"
#include "param.h"
#include "recovery.h"
#include "session.h"

#define INST_MAX 64
#define CACHE_FRAMES_MIN 512

enum { MODE_NONE, MODE_LEGACY, MODE_MULTI };

static struct {
    pthread_mutex_t mu;
    int mode;
    struct inst *slot[INST_MAX];
    uint16_t gen[INST_MAX];
    struct params defaults;
    int defaults_ready;
    struct inst *legacy;
} T = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void release_runtime(struct inst *inst);

static struct params *defaults(void)
{
    if (!T.defaults_ready) {
        param_defaults(&T.defaults);
        T.defaults_ready = 1;
    }
    return &T.defaults;
}

/* ---- lookup and gate ------------------------------------------------------------------------------ */
static struct inst *lookup(JET_INSTANCE h)
{
    if (h == 0 || h == JET_instanceNil) return T.mode == MODE_LEGACY ? T.legacy : NULL;
    uint32_t slot = (uint32_t)(h & 0xffff);
    uint32_t gen = (uint32_t)((h >> 16) & 0xffff);
    if (slot == 0 || slot > INST_MAX || (h >> 32) != 0) return NULL;
    struct inst *i = T.slot[slot - 1];
    return i && T.gen[slot - 1] == gen ? i : NULL;
}

struct inst *inst_from_handle(JET_INSTANCE h)
{
    pthread_mutex_lock(&T.mu);
    struct inst *i = lookup(h);
    pthread_mutex_unlock(&T.mu);
    return i;
}

/* The gate with inst->mu held. */
static JET_ERR gate_locked(struct inst *inst)
{
    if (inst->stop_service) return JET_errClientRequestToStopJetService;
    if (inst->fatal_err) return JET_errInstanceUnavailable;
    if (inst->terminating) return JET_errTermInProgress;
    if (inst->restore_in_progress) return JET_errRestoreInProgress;
    if (!inst->initialized) return JET_errNotInitialized;
    return JET_errSuccess;
}

JET_ERR inst_gate(struct inst *inst)
{
    pthread_mutex_lock(&inst->mu);
    JET_ERR err = gate_locked(inst);
    pthread_mutex_unlock(&inst->mu);
    return err;
}

void inst_sync_gate(struct inst *inst)
{
    atomic_store(&inst->gate, gate_locked(inst) >= 0 ? GATE_READY : 0u);
}

/* Counts the caller out; wakes JetTerm when it waits for the last one. */
static void count_out(struct inst *inst)
{
    if (atomic_fetch_sub(&inst->active, 1) == 1 && !(atomic_load(&inst->gate) & GATE_READY)) {
        pthread_mutex_lock(&inst->mu);
        pthread_cond_broadcast(&inst->idle);
        pthread_mutex_unlock(&inst->mu);
    }
}

JET_ERR inst_enter_known(struct inst *inst)
{
    /* Fast path: count in, then check the gate (JetTerm sets the gate, then waits for the count:
     * either it sees us, or we see its flag and count out). */
    atomic_fetch_add(&inst->active, 1);
    if (atomic_load(&inst->gate) & GATE_READY) {
        event_hold();
        return JET_errSuccess;
    }
    count_out(inst);
    pthread_mutex_lock(&inst->mu);
    JET_ERR err = gate_locked(inst);
    if (err >= 0) atomic_fetch_add(&inst->active, 1);
    pthread_mutex_unlock(&inst->mu);
    if (err >= 0) event_hold();
    return err;
}

JET_ERR inst_enter(JET_INSTANCE h, struct inst **out)
{
    pthread_mutex_lock(&T.mu);
    struct inst *inst = lookup(h);
    JET_ERR err;
    if (!inst)
        err = (h == 0 || h == JET_instanceNil) && T.mode == MODE_MULTI ? JET_errInvalidParameter
                                                                         : JET_errInvalidInstance;
    else
        err = inst_enter_known(inst);
    pthread_mutex_unlock(&T.mu);
    if (err >= 0) *out = inst;
    return err;
}

JET_ERR inst_legacy(struct inst **out)
{
    pthread_mutex_lock(&T.mu);
    JET_ERR err = JET_errSuccess;
    if (T.mode == MODE_MULTI)
        err = JET_errRunningInMultiInstanceMode;
    else if (T.mode == MODE_NONE || !T.legacy)
        err = JET_errInvalidParameter;
    else
        *out = T.legacy;
    pthread_mutex_unlock(&T.mu);
    return err;
}

JET_ERR inst_enter_legacy(struct inst **out)
{
    pthread_mutex_lock(&T.mu);
    JET_ERR err;
    if (T.mode == MODE_MULTI)
        err = JET_errRunningInMultiInstanceMode;
    else if (T.mode == MODE_NONE || !T.legacy)
        err = JET_errInvalidParameter;
    else
        err = inst_enter_known(T.legacy);
    if (err >= 0) *out = T.legacy;
    pthread_mutex_unlock(&T.mu);
    return err;
}

void inst_leave(struct inst *inst)
{
    count_out(inst);
    event_release();
}

void inst_set_fatal(struct inst *inst, JET_ERR err, const char *why)
{
    int first = 0;
    pthread_mutex_lock(&inst->mu);
    if (!inst->fatal_err) {
        inst->fatal_err = err;
        inst_sync_gate(inst);
        first = 1;
    }
    pthread_mutex_unlock(&inst->mu);
    if (first)
        event_log(inst, EV_INSTANCE_FATAL, JET_XEVENT_ERROR, 0, err,
                  "Instance %s is unavailable: %s (%s). Restart it to recover.", inst->name, why,
                  JetXErrorName(err));
}

/* ---- creation -------------------------------------------------------------------------------------- */
static struct inst *inst_alloc(const char *name, const char *display)
{
    struct inst *inst = calloc(1, sizeof *inst);
    if (!inst) return NULL;
    snprintf(inst->name, sizeof inst->name, "%s", name ? name : "");
    snprintf(inst->display_name, sizeof inst->display_name, "%s", display ? display : inst->name);
    inst->params = *defaults();
    pthread_mutex_init(&inst->api_mu, NULL);
    pthread_mutex_init(&inst->mu, NULL);
    pthread_cond_init(&inst->idle, NULL);
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&inst->tree_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (bk_init(inst) < 0) {
        free(inst);
        return NULL;
    }
    return inst;
}

static void inst_destroy(struct inst *inst)
{
    bk_free(inst);
    pthread_rwlock_destroy(&inst->tree_lock);
    pthread_mutex_destroy(&inst->api_mu);
    pthread_mutex_destroy(&inst->mu);
    pthread_cond_destroy(&inst->idle);
    free(inst);
}

struct inst *inst_new_detached(const char *name, uint32_t page_size)
{
    pthread_mutex_lock(&T.mu);
    struct inst *inst = inst_alloc(name, name);
    pthread_mutex_unlock(&T.mu);
    if (inst) inst->params.page_size = page_size;
    return inst;
}

void inst_free_detached(struct inst *inst)
{
    if (!inst) return;
    release_runtime(inst);
    inst_destroy(inst);
}

int inst_mode_legacy(void)
{
    pthread_mutex_lock(&T.mu);
    int legacy = T.mode == MODE_LEGACY;
    pthread_mutex_unlock(&T.mu);
    return legacy;
}

/* Sets or clears restore_in_progress on the instance with this name; 1 if one was found. */
int inst_mark_restore(const char *name, int on)
{
    int found = 0;
    if (!name || !name[0]) return 0;
    pthread_mutex_lock(&T.mu);
    for (int i = 0; i < INST_MAX; i++) {
        struct inst *inst = T.slot[i];
        if (!inst || strcmp(inst->name, name) != 0) continue;
        pthread_mutex_lock(&inst->mu);
        inst->restore_in_progress = on;
        inst_sync_gate(inst);
        pthread_mutex_unlock(&inst->mu);
        found = 1;
    }
    pthread_mutex_unlock(&T.mu);
    return found;
}

/* Registers inst in the table (T.mu held). */
static JET_ERR table_add(struct inst *inst)
{
    for (uint32_t i = 0; i < INST_MAX; i++) {
        if (T.slot[i]) continue;
        T.slot[i] = inst;
        if (++T.gen[i] == 0) T.gen[i] = 1;
        inst->slot = i;
        inst->handle = ((JET_INSTANCE)T.gen[i] << 16) | (i + 1);
        return JET_errSuccess;
    }
    return JET_errTooManyInstances;
}

static void table_remove(struct inst *inst)
{
    T.slot[inst->slot] = NULL;
    if (T.legacy == inst) T.legacy = NULL;
    for (int i = 0; i < INST_MAX; i++)
        if (T.slot[i]) return;
    T.mode = MODE_NONE;
}

JET_ERR JET_API JetCreateInstance2(JET_INSTANCE *pinstance, const char *szInstanceName,
                                   const char *szDisplayName, JET_GRBIT grbit)
{
    if (!pinstance) return JET_errInvalidParameter;
    if (szInstanceName && strlen(szInstanceName) >= INST_NAME_MAX) return JET_errInvalidParameter;
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&T.mu);
    if (T.mode == MODE_LEGACY) {
        err = JET_errRunningInOneInstanceMode;
        goto out;
    }
    const char *name = szInstanceName ? szInstanceName : "";
    for (int i = 0; i < INST_MAX; i++)
        if (T.slot[i] && name[0] && strcmp(T.slot[i]->name, name) == 0) {
            err = JET_errInstanceNameInUse;
            goto out;
        }
    struct inst *inst = inst_alloc(name, szDisplayName);
    if (!inst) {
        err = JET_errOutOfMemory;
        goto out;
    }
    if ((err = table_add(inst)) < 0) {
        inst_destroy(inst);
        goto out;
    }
    T.mode = MODE_MULTI;
    *pinstance = inst->handle;
out:
    pthread_mutex_unlock(&T.mu);
    return err;
}

JET_ERR JET_API JetCreateInstance(JET_INSTANCE *pinstance, const char *szInstanceName)
{
    return JetCreateInstance2(pinstance, szInstanceName, szInstanceName, 0);
}

JET_ERR JET_API JetEnableMultiInstance(JET_SETSYSPARAM *psetsysparam, unsigned long csetsysparam,
                                       unsigned long *pcsetsucceed)
{
    JET_ERR err = JET_errSuccess;
    unsigned long ok = 0;
    pthread_mutex_lock(&T.mu);
    if (T.mode == MODE_LEGACY) {
        err = JET_errRunningInOneInstanceMode;
        goto out;
    }
    for (int i = 0; i < INST_MAX; i++)
        if (T.slot[i] && psetsysparam && csetsysparam) {
            err = JET_errSystemParamsAlreadySet;
            goto out;
        }
    T.mode = MODE_MULTI;
    for (unsigned long i = 0; i < csetsysparam && psetsysparam; i++) {
        JET_SETSYSPARAM *p = &psetsysparam[i];
        p->err = param_set(defaults(), 0, p->paramid, p->lParam, p->sz);
        if (p->err >= 0)
            ok++;
        else if (err >= 0)
            err = p->err;
    }
out:
    if (pcsetsucceed) *pcsetsucceed = ok;
    pthread_mutex_unlock(&T.mu);
    return err;
}

/* ---- parameters ------------------------------------------------------------------------------------ */
JET_ERR JET_API JetSetSystemParameter(JET_INSTANCE *pinstance, JET_SESID sesid, unsigned long paramid,
                                      JET_API_PTR lParam, JET_PCSTR szParam)
{
    JET_ERR err;
    pthread_mutex_lock(&T.mu);
    JET_INSTANCE h = pinstance ? *pinstance : 0;
    if (h == 0 || h == JET_instanceNil) {
        /* The process default, or the legacy instance once it exists. */
        if (T.mode == MODE_LEGACY && T.legacy) {
            struct inst *i = T.legacy;
            pthread_mutex_lock(&i->mu);
            err = param_set(&i->params, i->initialized || i->initializing, paramid, lParam, szParam);
            pthread_mutex_unlock(&i->mu);
        } else {
            err = param_set(defaults(), 0, paramid, lParam, szParam);
        }
    } else {
        struct inst *i = lookup(h);
        if (!i) {
            err = JET_errInvalidInstance;
        } else {
            pthread_mutex_lock(&i->mu);
            err = param_set(&i->params, i->initialized || i->initializing, paramid, lParam, szParam);
            pthread_mutex_unlock(&i->mu);
        }
    }
    pthread_mutex_unlock(&T.mu);
    return err;
}

JET_ERR JET_API JetGetSystemParameter(JET_INSTANCE instance, JET_SESID sesid, unsigned long paramid,
                                      JET_API_PTR *plParam, JET_PSTR szParam, unsigned long cbMax)
{
    JET_ERR err;
    pthread_mutex_lock(&T.mu);
    if (instance == 0 || instance == JET_instanceNil) {
        const struct params *p = T.mode == MODE_LEGACY && T.legacy ? &T.legacy->params : defaults();
        err = param_get(p, paramid, plParam, szParam, cbMax);
    } else {
        struct inst *i = lookup(instance);
        if (!i) {
            err = JET_errInvalidInstance;
        } else {
            pthread_mutex_lock(&i->mu);
            err = param_get(&i->params, paramid, plParam, szParam, cbMax);
            pthread_mutex_unlock(&i->mu);
        }
    }
    pthread_mutex_unlock(&T.mu);
    return err;
}

/* ---- init ------------------------------------------------------------------------------------------- */
static JET_ERR check_dir(const char *dir, int create)
{
    if (os_exists(dir)) return JET_errSuccess;
    if (!create) return JET_errInvalidPath;
    return os_mkdirs(dir);
}

static void release_runtime_mode(struct inst *inst, int abandon)
{
    if (inst->log) {
        if (abandon)
            log_close_abandon(inst->log);
        else
            log_close(inst->log);
        inst->log = NULL;
    }
    for (uint32_t id = 1; id <= DB_MAX; id++)
        if (inst->dbs[id]) {
            db_free(inst->dbs[id]);
            inst->dbs[id] = NULL;
        }
    cache_free(inst->cache);
    inst->cache = NULL;
    keylock_free(inst->locks);
    inst->locks = NULL;
}

static void release_runtime(struct inst *inst) { release_runtime_mode(inst, 0); }

static JET_ERR inst_start(struct inst *inst)
{
    JET_ERR err;
    uint64_t seq = 0;
    struct params *p = &inst->params;
    os_fault_pause(1);
    Call(check_dir(p->system_path, p->create_path_if_not_exist));
    Call(check_dir(p->log_path, p->create_path_if_not_exist));
    Call(check_dir(p->temp_path, 1));
    size_t frames = p->cache_size_max < CACHE_FRAMES_MIN ? CACHE_FRAMES_MIN : p->cache_size_max;
    Call(cache_new(inst, p->page_size, frames, &inst->cache));
    Call(keylock_new(&inst->locks));
    inst->fpi_epoch = 1;
    if (p->recovery) {
        Call(recovery_soft(inst, &seq));
    } else {
        sig_new(&inst->log_sig);
    }
    Call(ckpt_start(inst, seq));
    return JET_errSuccess;
HandleError:
    release_runtime(inst);
    return err;
}

JET_ERR JET_API JetInit2(JET_INSTANCE *pinstance, JET_GRBIT grbit)
{
    JET_ERR err;
    struct inst *inst;
    JET_INSTANCE h = pinstance ? *pinstance : 0;
    pthread_mutex_lock(&T.mu);
    if (h == 0 || h == JET_instanceNil) {
        if (T.mode == MODE_MULTI) {
            pthread_mutex_unlock(&T.mu);
            return JET_errRunningInMultiInstanceMode;
        }
        if (T.mode == MODE_LEGACY && T.legacy) {
            pthread_mutex_unlock(&T.mu);
            return JET_errAlreadyInitialized;
        }
        inst = inst_alloc("", "");
        if (!inst) {
            pthread_mutex_unlock(&T.mu);
            return JET_errOutOfMemory;
        }
        inst->legacy = 1;
        if ((err = table_add(inst)) < 0) {
            inst_destroy(inst);
            pthread_mutex_unlock(&T.mu);
            return err;
        }
        T.mode = MODE_LEGACY;
        T.legacy = inst;
    } else {
        inst = lookup(h);
        if (!inst) {
            pthread_mutex_unlock(&T.mu);
            return JET_errInvalidInstance;
        }
    }
    pthread_mutex_lock(&inst->mu);
    if (inst->terminating) {
        pthread_mutex_unlock(&inst->mu);
        pthread_mutex_unlock(&T.mu);
        return JET_errTermInProgress;
    }
    if (inst->initialized || inst->initializing) {
        pthread_mutex_unlock(&inst->mu);
        pthread_mutex_unlock(&T.mu);
        return JET_errAlreadyInitialized;
    }
    inst->initializing = 1;
    pthread_mutex_unlock(&inst->mu);
    pthread_mutex_unlock(&T.mu);

    event_hold();
    pthread_mutex_lock(&inst->api_mu);
    err = inst_start(inst);
    pthread_mutex_unlock(&inst->api_mu);

    pthread_mutex_lock(&inst->mu);
    inst->initializing = 0;
    inst->initialized = err >= 0;
    inst_sync_gate(inst);
    pthread_mutex_unlock(&inst->mu);
    event_release();
    if (err >= 0 && pinstance) *pinstance = inst->handle;
    return err;
}

JET_ERR JET_API JetInit(JET_INSTANCE *pinstance) { return JetInit2(pinstance, 0); }

/* ---- term ------------------------------------------------------------------------------------------- */
/* Clean shutdown: every page written, databases marked clean and detached, LR_TERM logged, a clean
 * checkpoint after it. */
static JET_ERR shutdown_clean(struct inst *inst)
{
    JET_ERR err = JET_errSuccess;
    lgpos_t end = 0;
    if (inst->log && !log_dead(inst->log)) {
        struct lrbuf term;
        lrbuf_init(&term);
        lrbuf_add(&term, LR_TERM, 0);
        tree_rdlock(inst);
        err = log_append_sync(inst->log, &term, &end);
        tree_unlock(inst);
        lrbuf_free(&term);
        if (err < 0) return err;
    } else if (inst->log) {
        return log_dead(inst->log);
    }
    tree_wrlock(inst);
    err = recovery_close_databases(inst, end, 0);
    tree_unlock(inst);
    if (err >= 0 && inst->log) err = ckpt_write_now(inst, log_append_pos(inst->log), CKPT_CLEAN);
    return err;
}

JET_ERR JET_API JetTerm2(JET_INSTANCE instance, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&T.mu);
    struct inst *inst = lookup(instance);
    if (!inst) {
        pthread_mutex_unlock(&T.mu);
        return (instance == 0 || instance == JET_instanceNil) && T.mode != MODE_LEGACY
                   ? JET_errInvalidParameter
                   : JET_errInvalidInstance;
    }
    pthread_mutex_lock(&inst->mu);
    if (inst->terminating) {
        pthread_mutex_unlock(&inst->mu);
        pthread_mutex_unlock(&T.mu);
        return JET_errTermInProgress;
    }
    if (inst->initializing) {
        pthread_mutex_unlock(&inst->mu);
        pthread_mutex_unlock(&T.mu);
        return JET_errInitInProgress;
    }
    if (!inst->initialized) {
        /* Never initialised (or JetInit failed): just free it. */
        pthread_mutex_unlock(&inst->mu);
        table_remove(inst);
        pthread_mutex_unlock(&T.mu);
        inst_destroy(inst);
        return JET_errSuccess;
    }
    /* The backup mutex is taken without inst->mu held (backup calls take inst->mu under it). */
    pthread_mutex_unlock(&inst->mu);
    int stop_bits = (grbit & (JET_bitTermStopBackup | JET_bitTermAbrupt | JET_bitTermDirty)) != 0;
    if (bk_active(inst) && !stop_bits) {
        pthread_mutex_unlock(&T.mu);
        return JET_errBackupInProgress;
    }
    pthread_mutex_lock(&inst->mu);
    if (inst->terminating) {
        pthread_mutex_unlock(&inst->mu);
        pthread_mutex_unlock(&T.mu);
        return JET_errTermInProgress;
    }
    inst->terminating = 1;
    inst_sync_gate(inst);
    pthread_mutex_unlock(&inst->mu);
    pthread_mutex_unlock(&T.mu);
    event_hold();

    os_fault_pause(0);
    pthread_mutex_lock(&inst->mu);
    while (atomic_load(&inst->active)) pthread_cond_wait(&inst->idle, &inst->mu);
    pthread_mutex_unlock(&inst->mu);

    if (bk_active(inst)) bk_abort_by_server(inst);
    ckpt_stop(inst);
    session_end_all(inst);
    int dirty = (grbit & (JET_bitTermAbrupt | JET_bitTermDirty)) != 0;
    if (!dirty && inst->initialized) err = shutdown_clean(inst);
    /* A dirty term drops what the log has not made durable, as a crash would. */
    release_runtime_mode(inst, (grbit & JET_bitTermDirty) != 0);

    pthread_mutex_lock(&T.mu);
    table_remove(inst);
    pthread_mutex_unlock(&T.mu);
    inst_destroy(inst);
    event_release();
    return err;
}

JET_ERR JET_API JetTerm(JET_INSTANCE instance) { return JetTerm2(instance, JET_bitTermComplete); }

/* ---- stop service ------------------------------------------------------------------------------------ */
JET_ERR JET_API JetStopServiceInstance2(JET_INSTANCE instance, JET_GRBIT grbit)
{
    pthread_mutex_lock(&T.mu);
    struct inst *inst = lookup(instance);
    if (inst) {
        pthread_mutex_lock(&inst->mu);
        inst->stop_service = 1;
        inst_sync_gate(inst);
        pthread_mutex_unlock(&inst->mu);
    }
    pthread_mutex_unlock(&T.mu);
    return inst ? JET_errSuccess : JET_errInvalidInstance;
}

JET_ERR JET_API JetStopServiceInstance(JET_INSTANCE instance) { return JetStopServiceInstance2(instance, 0); }

JET_ERR JET_API JetStopService(void)
{
    struct inst *inst;
    JET_ERR err = inst_legacy(&inst);
    if (err < 0) return err;
    return JetStopServiceInstance2(inst->handle, 0);
}

/* ---- information ------------------------------------------------------------------------------------ */
JET_ERR JET_API JetGetVersion(JET_SESID sesid, unsigned long *pwVersion)
{
    if (!pwVersion) return JET_errInvalidParameter;
    *pwVersion = 0x06000001;
    return JET_errSuccess;
}

JET_ERR JET_API JetFreeBuffer(char *pbBuf)
{
    free(pbBuf);
    return JET_errSuccess;
}

JET_ERR JET_API JetGetInstanceInfo(unsigned long *pcInstanceInfo, JET_INSTANCE_INFO **paInstanceInfo)
{
    if (!pcInstanceInfo || !paInstanceInfo) return JET_errInvalidParameter;
    pthread_mutex_lock(&T.mu);
    /* One allocation: the array, then per instance its pointer arrays, then the strings. */
    size_t n = 0, strbytes = 0, ptrs = 0;
    for (int i = 0; i < INST_MAX; i++) {
        struct inst *inst = T.slot[i];
        if (!inst || !inst->initialized) continue;
        n++;
        strbytes += strlen(inst->name) + 1;
        tree_rdlock(inst);
        for (uint32_t id = 1; id <= DB_MAX; id++)
            if (inst->dbs[id]) {
                ptrs += 3;
                strbytes += 2 * (strlen(inst->dbs[id]->path) + 1);
            }
        tree_unlock(inst);
    }
    size_t total = n * sizeof(JET_INSTANCE_INFO) + ptrs * sizeof(char *) + strbytes + 8;
    char *mem = calloc(1, total);
    if (!mem) {
        pthread_mutex_unlock(&T.mu);
        return JET_errOutOfMemory;
    }
    JET_INSTANCE_INFO *arr = (JET_INSTANCE_INFO *)mem;
    char **pp = (char **)(mem + n * sizeof(JET_INSTANCE_INFO));
    char *sp = (char *)(pp + ptrs);
    size_t k = 0;
    for (int i = 0; i < INST_MAX; i++) {
        struct inst *inst = T.slot[i];
        if (!inst || !inst->initialized) continue;
        JET_INSTANCE_INFO *e = &arr[k++];
        e->hInstanceId = inst->handle;
        e->szInstanceName = sp;
        strcpy(sp, inst->name);
        sp += strlen(inst->name) + 1;
        tree_rdlock(inst);
        size_t ndb = 0;
        for (uint32_t id = 1; id <= DB_MAX; id++) ndb += inst->dbs[id] != NULL;
        e->cDatabases = ndb;
        e->szDatabaseFileName = pp;
        e->szDatabaseDisplayName = pp + ndb;
        e->szDatabaseSLVFileName_Obsolete = pp + 2 * ndb;
        size_t j = 0;
        for (uint32_t id = 1; id <= DB_MAX; id++) {
            if (!inst->dbs[id]) continue;
            const char *path = inst->dbs[id]->path;
            e->szDatabaseFileName[j] = sp;
            strcpy(sp, path);
            sp += strlen(path) + 1;
            e->szDatabaseDisplayName[j] = sp;
            strcpy(sp, os_basename(path));
            sp += strlen(path) + 1;
            e->szDatabaseSLVFileName_Obsolete[j] = NULL;
            j++;
        }
        pp += 3 * ndb;
        tree_unlock(inst);
    }
    pthread_mutex_unlock(&T.mu);
    *pcInstanceInfo = (unsigned long)n;
    *paInstanceInfo = arr;
    return JET_errSuccess;
}

JET_ERR JetXGetInstanceByName(const char *szName, JET_INSTANCE *pinstance)
{
    if (!szName || !pinstance) return JET_errInvalidParameter;
    JET_ERR err = JET_errInvalidInstance;
    pthread_mutex_lock(&T.mu);
    for (int i = 0; i < INST_MAX; i++)
        if (T.slot[i] && strcmp(T.slot[i]->name, szName) == 0) {
            *pinstance = T.slot[i]->handle;
            err = JET_errSuccess;
            break;
        }
    pthread_mutex_unlock(&T.mu);
    return err;
}

JET_ERR JetXGetInstanceInfo(JET_INSTANCE instance, JET_XINSTANCEINFO *pinfo)
{
    if (!pinfo) return JET_errInvalidParameter;
    memset(pinfo, 0, sizeof *pinfo);
    pthread_mutex_lock(&T.mu);
    struct inst *inst = lookup(instance);
    if (!inst) {
        pthread_mutex_unlock(&T.mu);
        return JET_errInvalidInstance;
    }
    pthread_mutex_lock(&inst->mu);
    snprintf(pinfo->szName, sizeof pinfo->szName, "%s", inst->name);
    pinfo->fInitialized = (unsigned long)inst->initialized;
    pinfo->fUnavailable = inst->fatal_err != 0;
    int usable = inst->initialized && !inst->terminating;
    if (usable) atomic_fetch_add(&inst->active, 1);
    pthread_mutex_unlock(&inst->mu);
    pthread_mutex_unlock(&T.mu);
    snprintf(pinfo->szLogPath, sizeof pinfo->szLogPath, "%s", inst->params.log_path);
    snprintf(pinfo->szSystemPath, sizeof pinfo->szSystemPath, "%s", inst->params.system_path);
    if (!usable) return JET_errSuccess;
    pinfo->cCommits = atomic_load(&inst->commits);
    if (inst->log) {
        pinfo->ulCurrentGeneration = log_current_gen(inst->log);
        pinfo->ulCheckpointGeneration = LGPOS_GEN(ckpt_last(inst));
        uint64_t bytes, flushes;
        log_stats(inst->log, &bytes, &flushes);
        pinfo->cLogBytes = bytes;
        pinfo->cLogFlushes = flushes;
    }
    tree_rdlock(inst);
    for (uint32_t id = 1; id <= DB_MAX; id++) {
        if (!inst->dbs[id] || pinfo->cDatabases >= 8) continue;
        snprintf(pinfo->rgszDatabases[pinfo->cDatabases++], sizeof pinfo->rgszDatabases[0], "%s",
                 inst->dbs[id]->path);
    }
    tree_unlock(inst);
    inst_leave(inst);
    return JET_errSuccess;
}
