/*
 * instance.h — the engine instances hotcopyd serves: the configured ones (--instance, or
 * "default" in DATA/default), plus every instance a restore created (DATA/instances/NAME), each
 * created with JetCreateInstance (multi-instance mode), its parameters set, JetInit (soft recovery
 * when needed) and every *.edb in its directory attached. An instance with no database gets one:
 * demo.edb with a table "demo" of sample records under --demo, else an empty main.edb.
 *
 * API calls on an instance whose JetInit failed get JET_errNotInitialized (503); the instance
 * object shows the original error.
 *
 * The registry only grows while the server runs (restores add instances); entries are freed at
 * shutdown, so an hc_instance pointer stays valid for the life of the server.
 */
#ifndef HOTCOPY_SERVER_INSTANCE_H
#define HOTCOPY_SERVER_INSTANCE_H

#include "app.h"
#include "jet.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>

#define HC_INSTANCES_MAX 64
#define HC_SESSION_POOL 8
#define HC_INSTANCES_SUBDIR "instances" /* DATA/instances/NAME: restored instances */

struct hc_backup_job;
struct hc_loadgen;

/* A database header's facts that GET /api/v1/instances shows (its state and page size), kept so
 * that each request need not read the header again (an open, two reads and a close). Valid while
 * the instance's log has not moved since they were read: creating, attaching and detaching a
 * database, the only changes of its state while the instance runs, are all logged. */
struct hc_db_facts {
    char path[1024];
    unsigned long long log_bytes; /* JET_XINSTANCEINFO's cLogBytes and generation when read */
    unsigned long generation;
    unsigned long state;          /* JET_dbstate*, or HC_DB_STATE_UNKNOWN */
    unsigned long page_size;
};
#define HC_DB_STATE_UNKNOWN (~0ul)

struct hc_instance {
    char name[64];
    char dir[PATH_MAX];          /* log, system and database directory (ends without '/') */
    JET_INSTANCE jet;
    JET_ERR init_err;            /* JetInit's result; the instance is usable when >= 0 */
    pthread_mutex_t lock;        /* guards the fields below */
    struct hc_backup_job *backup;/* the running external backup (one reference), or NULL */
    struct hc_loadgen *load;     /* the load generator, or NULL */
    JET_SESID pool[HC_SESSION_POOL]; /* idle sessions for request handlers */
    size_t pool_count;
    struct hc_db_facts facts[8]; /* header facts of the attached databases (h_service.c) */
};

struct hc_instances;

/* Creates and starts every instance (errors of one instance are kept in its init_err and shown
 * by the API, the server still starts). Returns NULL (err set) only for fatal problems. */
struct hc_instances *hc_instances_start(struct hc_app *app, char *err, size_t errcap);
/* JetTerm every instance (after the HTTP daemon has stopped) and frees the registry. */
void hc_instances_stop(struct hc_instances *reg);

/* Looks an instance up by name; NULL when unknown. */
struct hc_instance *hc_instances_find(struct hc_instances *reg, const char *name);
/* Snapshot of the registry: up to max pointers in out; returns the count. */
size_t hc_instances_list(struct hc_instances *reg, struct hc_instance **out, size_t max);
/* Brings up a new instance over an existing directory (a finished restore). Returns its result:
 * JET_errInstanceNameInUse when the name is taken, JetCreateInstance/JetInit codes otherwise. */
JET_ERR hc_instances_add(struct hc_instances *reg, const char *name, const char *dir,
                         struct hc_instance **out);
/* True when the name is taken by a live instance. */
bool hc_instances_name_taken(struct hc_instances *reg, const char *name);

/* A session for a request: from the pool or new. Give it back with hc_instance_session_put
 * (broken sessions: pass ok = false and it is ended). */
JET_ERR hc_instance_session_get(struct hc_instance *inst, JET_SESID *sesid);
void hc_instance_session_put(struct hc_instance *inst, JET_SESID sesid, bool ok);

/* The path of the instance's first attached database, or of the attached database whose base
 * name is `name` (when not NULL). JET_errDatabaseNotFound when none. */
JET_ERR hc_instance_database(struct hc_instance *inst, const char *name, char *path, size_t cap);

/* The base name of a path ("main.edb" for "/x/y/main.edb"). */
const char *hc_basename(const char *path);

#endif
