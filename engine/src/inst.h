/*
 * inst.h — the engine's central internal structures: an instance, its attached databases, and the
 * lock order. Every engine module includes this; nothing outside engine/src does.
 *
 * Lock order (acquire top to bottom, never upward):
 *   inst->api_mu        serialises instance-level calls (init/term, attach/detach, backup calls)
 *   inst->tree_lock     rwlock over every page of every database of the instance: shared for
 *                       readers (cursor seeks/moves, backup page copies, page flush copies),
 *                       exclusive for writers (commit apply, data definition, checkpoint epoch)
 *   cache->mu           buffer pool bookkeeping
 *   log->mu             log buffer and generation switching
 *   inst->mu            instance state flags and counters (leaf lock: hold briefly, call nothing)
 * The backup state has its own mutex (backup.c) taken after api_mu and before tree_lock.
 */
#ifndef JET_INST_H
#define JET_INST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "dbheader.h"
#include "jet.h"
#include "os.h"

#define DB_MAX 8             /* attached databases per instance (dbid 1..DB_MAX) */
#define INST_NAME_MAX 64
#define LOG_BASE_MAX 3

struct cache;
struct log;
struct ckpt;
struct backup;
struct keylocks;
struct tabledef;
struct session;

/* System parameters of one instance (param.c fills the defaults). */
struct params {
    char system_path[OS_PATH_MAX];
    char temp_path[OS_PATH_MAX];
    char log_path[OS_PATH_MAX];
    char base_name[LOG_BASE_MAX + 1];
    uint32_t log_file_size_kb;   /* JET_paramLogFileSize */
    uint32_t log_buffers;        /* JET_paramLogBuffers (in 512-byte units) */
    uint32_t page_size;          /* JET_paramDatabasePageSize */
    uint32_t cache_size_max;     /* JET_paramCacheSizeMax (pages) */
    uint32_t cache_size_min;
    uint32_t checkpoint_depth_max; /* bytes of log between checkpoints */
    uint32_t checkpoint_period_s;  /* seconds between checkpoints when there is traffic */
    uint32_t circular_log;
    uint32_t recovery;           /* 1 = on (JET_paramRecovery "On"), 0 = "Off" */
    uint32_t max_sessions;
    uint32_t max_open_tables;
    uint32_t max_cursors;
    uint32_t create_path_if_not_exist;
    uint32_t delete_out_of_range_logs;
    uint32_t no_information_event;
    uint32_t enable_index_checking;
    uint32_t max_ver_pages;
    char event_source[OS_PATH_MAX];
};

/* An attached database. Fields are guarded by the tree lock unless noted. */
struct db {
    struct inst *inst;
    uint32_t dbid;
    char path[OS_PATH_MAX];      /* as given to attach/create (and recorded in the log) */
    os_file *file;
    struct db_header hdr;        /* last header written; guarded by inst->api_mu */
    uint64_t dbtime;             /* change counter, bumped by commits (exclusive tree lock) */
    struct tabledef *tables;     /* loaded table definitions */
    int open_count;              /* sessions with it open (inst->mu) */
    int backup_failed;           /* a page failed verification during the backup (backup mutex) */
};

struct inst {
    uint32_t slot;               /* index in the instance table */
    JET_INSTANCE handle;
    char name[INST_NAME_MAX];
    char display_name[INST_NAME_MAX];
    int legacy;                  /* the one-instance-mode instance */
    struct params params;

    pthread_mutex_t api_mu;
    pthread_mutex_t mu;          /* guards the state flags and counters below */
    int initialized;
    int initializing;
    int terminating;
    int stop_service;
    int restore_in_progress;
    JET_ERR fatal_err;           /* non-zero: the instance is unavailable */
    int nsessions;
    struct session *sessions;    /* list of live sessions (inst->mu) */
    atomic_int active;           /* calls inside the instance (inst_enter .. inst_leave) */
    pthread_cond_t idle;         /* signalled (under mu) when active drops to 0 while not ready */
    atomic_uint gate;            /* GATE_READY when the flags above let calls in: the entry gate's
                                    fast path reads this instead of taking mu (inst_sync_gate) */

    pthread_rwlock_t tree_lock;
    struct cache *cache;
    struct log *log;
    struct ckpt *ckpt;
    struct backup *backup;
    struct keylocks *locks;
    struct db *dbs[DB_MAX + 1];  /* by dbid; guarded by tree_lock (exclusive to change) */
    uint32_t fpi_epoch;          /* checkpoint epoch for full page images (exclusive tree lock) */
    struct signature log_sig;    /* the log set's signature */

    atomic_ullong commits;
    atomic_ullong next_backup_serial;
};

#define GATE_READY 1u
/* Recomputes inst->gate from the state flags (inst->mu held); call after changing any of them. */
void inst_sync_gate(struct inst *inst);

/* Looks a handle up, passes the entry gate and counts the caller as active (JetTerm waits for
 * active callers to leave). h == 0 in one-instance mode means the legacy instance. */
JET_ERR inst_enter(JET_INSTANCE h, struct inst **out);
/* The same for a legacy call (no instance argument): mode rules first, then the gate. */
JET_ERR inst_enter_legacy(struct inst **out);
/* Enters an instance already known (from a session); JET_errSuccess or the gate's code. */
JET_ERR inst_enter_known(struct inst *inst);
void inst_leave(struct inst *inst);

/* Entry gate (spec order): stop-service, unavailable, term in progress, restore in progress,
 * not initialised. Returns JET_errSuccess when the instance may be used. Takes inst->mu. */
JET_ERR inst_gate(struct inst *inst);
/* Marks the instance unavailable after a fatal error (first error wins) and logs an event. */
void inst_set_fatal(struct inst *inst, JET_ERR err, const char *why);
/* Looks up a handle; NULL when unknown. Legacy handle 0 maps to the legacy instance. */
struct inst *inst_from_handle(JET_INSTANCE h);
/* Resolves the instance a legacy (instance-less) call acts on, applying the mode rules:
 * multi-instance mode -> JET_errRunningInMultiInstanceMode, no mode -> JET_errInvalidParameter. */
JET_ERR inst_legacy(struct inst **out);

/* An instance outside the table, for hard recovery's replay (no log, no sessions). */
struct inst *inst_new_detached(const char *name, uint32_t page_size);
void inst_free_detached(struct inst *inst);
/* 1 in one-instance (legacy) mode. */
int inst_mode_legacy(void);
/* Marks the live instance with this name as under hard recovery (or clears it); 1 if found. */
int inst_mark_restore(const char *name, int on);

static inline void tree_rdlock(struct inst *i) { pthread_rwlock_rdlock(&i->tree_lock); }
static inline void tree_wrlock(struct inst *i) { pthread_rwlock_wrlock(&i->tree_lock); }
static inline void tree_unlock(struct inst *i) { pthread_rwlock_unlock(&i->tree_lock); }

/* Error-handling idiom (ESE's Call): jump to HandleError on failure, keeping the code in err. */
#define Call(expr)                                                                                 \
    do {                                                                                           \
        if ((err = (expr)) < 0) goto HandleError;                                                  \
    } while (0)
#define Error(code)                                                                                \
    do {                                                                                           \
        err = (code);                                                                              \
        goto HandleError;                                                                          \
    } while (0)

#endif
