/*
 * instance.c — the instance registry: start-up (JetCreateInstance, parameters, JetInit, attach),
 * the session pool, lookups, and shutdown (see instance.h).
 */
#include "instance.h"

#include "backup.h"
#include "loadgen.h"
#include "names.h"
#include "records.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEMO_DATABASE "demo.edb"
#define DEMO_TABLE "demo"
#define DEMO_RECORDS 100
#define EMPTY_DATABASE "main.edb"

struct hc_instances {
    struct hc_app *app;
    pthread_rwlock_t lock; /* guards items/count */
    struct hc_instance *items[HC_INSTANCES_MAX];
    size_t count;
};

const char *hc_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int mkdir_p(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return (mkdir(tmp, 0700) != 0 && errno != EEXIST) ? -1 : 0;
}

static JET_ERR set_params(JET_INSTANCE *jet, const struct hc_config *cfg, const char *dir)
{
    char path[PATH_MAX + 2];
    snprintf(path, sizeof path, "%s/", dir);
    JET_ERR err;
    unsigned long cache_pages = (unsigned long)cfg->cache_mib * 1024ul * 1024ul / cfg->page_size;
    if ((err = JetSetSystemParameter(jet, 0, JET_paramSystemPath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(jet, 0, JET_paramLogFilePath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(jet, 0, JET_paramTempPath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(jet, 0, JET_paramLogFileSize, cfg->log_file_kib, NULL)) < 0)
        return err;
    if ((err = JetSetSystemParameter(jet, 0, JET_paramDatabasePageSize, cfg->page_size, NULL)) < 0)
        return err;
    return JetSetSystemParameter(jet, 0, JET_paramCacheSizeMax, cache_pages, NULL);
}

static int is_database(const struct dirent *d)
{
    size_t len = strlen(d->d_name);
    return len > 4 && strcmp(d->d_name + len - 4, ".edb") == 0;
}

static JET_ERR fill_demo(struct hc_instance *inst, JET_SESID sesid, const char *db)
{
    for (int i = 1; i <= DEMO_RECORDS; i++) {
        char key[32], value[128];
        int klen = snprintf(key, sizeof key, "sample-%04d", i);
        int vlen = snprintf(value, sizeof value, "{\"n\": %d, \"text\": \"demo record %d\"}", i, i);
        bool created;
        JET_ERR err = hc_records_put(sesid, db, DEMO_TABLE, key, (size_t)klen, value,
                                     (size_t)vlen, &created);
        if (err < 0) return err;
    }
    return JET_errSuccess;
}

/* Attaches every database in the directory; creates one when there is none. */
static JET_ERR attach_databases(struct hc_instance *inst, bool demo)
{
    JET_SESID sesid;
    JET_ERR err = JetBeginSession(inst->jet, &sesid, NULL, NULL);
    if (err < 0) return err;
    struct dirent **names = NULL;
    int n = scandir(inst->dir, &names, is_database, alphasort);
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", inst->dir, names[i]->d_name);
        JET_ERR aerr = JetAttachDatabase(sesid, path, 0);
        if (aerr < 0) {
            fprintf(stderr, "hotcopyd: instance %s: cannot attach %s: %s\n", inst->name, path,
                    JetXErrorName(aerr));
            if (err >= 0) err = aerr;
        }
        free(names[i]);
    }
    free(names);
    if (n == 0) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/%s", inst->dir, demo ? DEMO_DATABASE : EMPTY_DATABASE);
        JET_DBID dbid;
        err = JetCreateDatabase(sesid, path, NULL, &dbid, 0);
        if (err >= 0) err = JetCloseDatabase(sesid, dbid, 0);
        if (err >= 0 && demo) err = fill_demo(inst, sesid, path);
    }
    JET_ERR eerr = JetEndSession(sesid, 0);
    return err < 0 ? err : eerr;
}

static struct hc_instance *instance_new(const char *name, const char *dir)
{
    struct hc_instance *inst = calloc(1, sizeof *inst);
    if (inst == NULL) return NULL;
    snprintf(inst->name, sizeof inst->name, "%s", name);
    snprintf(inst->dir, sizeof inst->dir, "%s", dir);
    size_t len = strlen(inst->dir);
    while (len > 1 && inst->dir[len - 1] == '/') inst->dir[--len] = '\0';
    pthread_mutex_init(&inst->lock, NULL);
    return inst;
}

/* Creates, configures and initialises one instance; errors stay in inst->init_err. */
static JET_ERR instance_open(struct hc_app *app, struct hc_instance *inst, bool demo)
{
    JET_ERR err;
    if (mkdir_p(inst->dir) != 0) {
        fprintf(stderr, "hotcopyd: cannot create %s: %s\n", inst->dir, strerror(errno));
        return inst->init_err = JET_errInvalidPath;
    }
    err = JetCreateInstance(&inst->jet, inst->name);
    if (err < 0) {
        inst->jet = 0;
        return inst->init_err = err;
    }
    if ((err = set_params(&inst->jet, app->cfg, inst->dir)) < 0 ||
        (err = JetInit(&inst->jet)) < 0) {
        fprintf(stderr, "hotcopyd: instance %s in %s does not start: %s\n", inst->name, inst->dir,
                JetXErrorName(err));
        return inst->init_err = err;
    }
    err = attach_databases(inst, demo);
    if (err < 0)
        fprintf(stderr, "hotcopyd: instance %s: databases: %s\n", inst->name, JetXErrorName(err));
    inst->init_err = JET_errSuccess; /* the instance runs even if a database did not attach */
    return err;
}

static int add_locked(struct hc_instances *reg, struct hc_instance *inst)
{
    if (reg->count == HC_INSTANCES_MAX) return -1;
    reg->items[reg->count++] = inst;
    return 0;
}

struct hc_instances *hc_instances_start(struct hc_app *app, char *err, size_t errcap)
{
    struct hc_instances *reg = calloc(1, sizeof *reg);
    if (reg == NULL) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    reg->app = app;
    pthread_rwlock_init(&reg->lock, NULL);
    const struct hc_config *cfg = app->cfg;
    for (size_t i = 0; i < cfg->instance_count; i++) {
        struct hc_instance *inst = instance_new(cfg->instances[i].name, cfg->instances[i].dir);
        if (inst == NULL || add_locked(reg, inst) != 0) {
            free(inst);
            snprintf(err, errcap, "out of memory");
            hc_instances_stop(reg);
            return NULL;
        }
        instance_open(app, inst, cfg->demo);
    }
    /* instances made by restores */
    char restored[PATH_MAX];
    snprintf(restored, sizeof restored, "%s/%s", cfg->data_dir, HC_INSTANCES_SUBDIR);
    struct dirent **names = NULL;
    int n = scandir(restored, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (hc_instance_name_is_valid(name) && name[0] != '.' && !hc_instances_name_taken(reg, name)) {
            char dir[PATH_MAX + 256];
            snprintf(dir, sizeof dir, "%s/%s", restored, name);
            struct hc_instance *inst = instance_new(name, dir);
            if (inst != NULL && add_locked(reg, inst) == 0)
                instance_open(app, inst, false);
            else
                free(inst);
        }
        free(names[i]);
    }
    free(names);
    return reg;
}

void hc_instances_stop(struct hc_instances *reg)
{
    if (reg == NULL) return;
    for (size_t i = 0; i < reg->count; i++) {
        struct hc_instance *inst = reg->items[i];
        for (size_t s = 0; s < inst->pool_count; s++) JetEndSession(inst->pool[s], 0);
        inst->pool_count = 0;
        if (inst->jet) {
            JET_ERR err = JetTerm2(inst->jet, JET_bitTermStopBackup);
            if (err < 0)
                fprintf(stderr, "hotcopyd: JetTerm %s: %s\n", inst->name, JetXErrorName(err));
        }
        pthread_mutex_destroy(&inst->lock);
        free(inst);
    }
    pthread_rwlock_destroy(&reg->lock);
    free(reg);
}

struct hc_instance *hc_instances_find(struct hc_instances *reg, const char *name)
{
    struct hc_instance *found = NULL;
    pthread_rwlock_rdlock(&reg->lock);
    for (size_t i = 0; i < reg->count && !found; i++)
        if (strcmp(reg->items[i]->name, name) == 0) found = reg->items[i];
    pthread_rwlock_unlock(&reg->lock);
    return found;
}

bool hc_instances_name_taken(struct hc_instances *reg, const char *name)
{
    return hc_instances_find(reg, name) != NULL;
}

size_t hc_instances_list(struct hc_instances *reg, struct hc_instance **out, size_t max)
{
    pthread_rwlock_rdlock(&reg->lock);
    size_t n = reg->count < max ? reg->count : max;
    memcpy(out, reg->items, n * sizeof *out);
    pthread_rwlock_unlock(&reg->lock);
    return n;
}

JET_ERR hc_instances_add(struct hc_instances *reg, const char *name, const char *dir,
                         struct hc_instance **out)
{
    struct hc_instance *inst = instance_new(name, dir);
    if (inst == NULL) return JET_errOutOfMemory;
    pthread_rwlock_wrlock(&reg->lock);
    bool taken = false;
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(reg->items[i]->name, name) == 0) taken = true;
    int full = taken ? 0 : add_locked(reg, inst);
    pthread_rwlock_unlock(&reg->lock);
    if (taken || full) {
        free(inst);
        return taken ? JET_errInstanceNameInUse : JET_errTooManyInstances;
    }
    instance_open(reg->app, inst, false);
    *out = inst;
    return inst->init_err;
}

JET_ERR hc_instance_session_get(struct hc_instance *inst, JET_SESID *sesid)
{
    if (inst->init_err < 0) return JET_errNotInitialized; /* JetInit failed (init_err says why) */
    pthread_mutex_lock(&inst->lock);
    bool pooled = inst->pool_count > 0;
    if (pooled) *sesid = inst->pool[--inst->pool_count];
    pthread_mutex_unlock(&inst->lock);
    return pooled ? JET_errSuccess : JetBeginSession(inst->jet, sesid, NULL, NULL);
}

void hc_instance_session_put(struct hc_instance *inst, JET_SESID sesid, bool ok)
{
    bool kept = false;
    if (ok) {
        pthread_mutex_lock(&inst->lock);
        if (inst->pool_count < HC_SESSION_POOL) {
            inst->pool[inst->pool_count++] = sesid;
            kept = true;
        }
        pthread_mutex_unlock(&inst->lock);
    }
    if (!kept) JetEndSession(sesid, 0);
}

JET_ERR hc_instance_database(struct hc_instance *inst, const char *name, char *path, size_t cap)
{
    if (inst->init_err < 0) return JET_errNotInitialized; /* JetInit failed (init_err says why) */
    JET_XINSTANCEINFO info;
    JET_ERR err = JetXGetInstanceInfo(inst->jet, &info);
    if (err < 0) return err;
    if (info.fUnavailable) return JET_errInstanceUnavailable; /* its databases cannot be used */
    unsigned long count = info.cDatabases < 8 ? info.cDatabases : 8;
    for (unsigned long i = 0; i < count; i++) {
        if (name == NULL || strcmp(hc_basename(info.rgszDatabases[i]), name) == 0) {
            snprintf(path, cap, "%s", info.rgszDatabases[i]);
            return JET_errSuccess;
        }
    }
    return JET_errDatabaseNotFound;
}
