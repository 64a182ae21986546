/*
 * engine.c — libjet fixtures shared by the engine harnesses (see engine.h).
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../server/records.h"

#define TEMPLATE_RECORDS 60
#define LONG_VALUE 5000 /* spans two long value pages at 4 KiB */

static JET_ERR set_params(JET_INSTANCE *inst, const char *dir)
{
    char path[FZ_PATH_MAX + 2];
    JET_ERR err;
    snprintf(path, sizeof path, "%s/", dir);
    if ((err = JetSetSystemParameter(inst, 0, JET_paramSystemPath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(inst, 0, JET_paramLogFilePath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(inst, 0, JET_paramTempPath, 0, path)) < 0) return err;
    if ((err = JetSetSystemParameter(inst, 0, JET_paramLogFileSize, FZ_LOG_SIZE / 1024, NULL)) < 0) return err;
    if ((err = JetSetSystemParameter(inst, 0, JET_paramDatabasePageSize, FZ_PAGE_SIZE, NULL)) < 0) return err;
    if ((err = JetSetSystemParameter(inst, 0, JET_paramCacheSizeMax, 256, NULL)) < 0) return err;
    return JetSetSystemParameter(inst, 0, JET_paramCreatePathIfNotExist, 1, NULL);
}

JET_ERR fz_jet_start(const char *dir, JET_INSTANCE *inst)
{
    static unsigned serial;
    char name[32];
    snprintf(name, sizeof name, "fuzz-%u", ++serial);
    *inst = 0;
    JET_ERR err = JetCreateInstance(inst, name);
    if (err < 0) {
        *inst = 0;
        return err;
    }
    if ((err = set_params(inst, dir)) >= 0) err = JetInit(inst);
    if (err < 0) {
        JetTerm2(*inst, JET_bitTermAbrupt);
        *inst = 0;
    }
    return err;
}

void fz_jet_stop(JET_INSTANCE inst)
{
    if (inst == 0) return;
    JET_XINSTANCEINFO info;
    int unusable = JetXGetInstanceInfo(inst, &info) < 0 || info.fUnavailable;
    if (JetTerm2(inst, unusable ? JET_bitTermAbrupt : JET_bitTermComplete) < 0) JetTerm2(inst, JET_bitTermAbrupt);
}

static void value_of(unsigned i, uint8_t *buf, size_t len)
{
    for (size_t j = 0; j < len; j++) buf[j] = (uint8_t)(i * 31 + j * 7);
}

void fz_jet_template(const char *dir, const char *path, struct signature *sig)
{
    JET_INSTANCE inst;
    JET_SESID ses;
    JET_DBID dbid;
    JET_ERR err;
    static uint8_t value[LONG_VALUE];
    if ((err = fz_jet_start(dir, &inst)) < 0 || (err = JetBeginSession(inst, &ses, NULL, NULL)) < 0 ||
        (err = JetCreateDatabase(ses, path, NULL, &dbid, JET_bitDbOverwriteExisting)) < 0 ||
        (err = JetCloseDatabase(ses, dbid, 0)) < 0)
        goto fail;
    for (unsigned i = 0; i < TEMPLATE_RECORDS; i++) {
        char key[16];
        int klen = snprintf(key, sizeof key, "k%05u", i);
        size_t vlen = i % 30 == 7 ? LONG_VALUE : (i * 37) % 120 + 1;
        bool created;
        value_of(i, value, vlen);
        if ((err = hc_records_put(ses, path, FZ_TABLE, key, (size_t)klen, value, vlen, &created)) < 0) goto fail;
    }
    for (unsigned i = 3; i < TEMPLATE_RECORDS; i += 17) {
        char key[16];
        int klen = snprintf(key, sizeof key, "k%05u", i);
        if ((err = hc_records_delete(ses, path, FZ_TABLE, key, (size_t)klen)) < 0) goto fail;
    }
    if ((err = JetEndSession(ses, 0)) < 0) goto fail;
    if ((err = JetTerm(inst)) < 0) goto fail;
    struct db_header h;
    if ((err = dbh_read_path(path, &h)) < 0) goto fail;
    *sig = h.sig_db;
    return;
fail:
    fprintf(stderr, "fuzz: template database %s: %s\n", path, JetXErrorName(err));
    abort();
}

static bool visit(void *ctx, const void *key, size_t klen, const void *value, size_t vlen)
{
    uint64_t *sum = ctx;
    *sum += klen + vlen + (klen ? ((const uint8_t *)key)[0] : 0) + (vlen ? ((const uint8_t *)value)[vlen - 1] : 0);
    return true;
}

void fz_jet_exercise(JET_INSTANCE inst, const char *path)
{
    JET_SESID ses;
    static uint8_t value[LONG_VALUE];
    if (JetBeginSession(inst, &ses, NULL, NULL) < 0) return;
    JET_ERR err = JetAttachDatabase(ses, path, 0);
    if (err >= 0) {
        uint64_t sum = 0;
        bool more, created;
        char *got = NULL;
        size_t glen = 0;
        hc_records_scan(ses, path, FZ_TABLE, "", 0, 4 * TEMPLATE_RECORDS, true, visit, &sum, &more);
        hc_records_scan(ses, path, FZ_TABLE, "k0001", 5, 50, false, visit, &sum, &more);
        if (hc_records_get(ses, path, FZ_TABLE, "k00007", 6, &got, &glen) >= 0) free(got);
        value_of(1, value, sizeof value);
        hc_records_put(ses, path, FZ_TABLE, "k00050", 6, value, 100, &created);
        hc_records_put(ses, path, FZ_TABLE, "zz-new", 6, value, sizeof value, &created);
        hc_records_put(ses, path, FZ_TABLE, "a-new", 5, value, 10, &created);
        hc_records_delete(ses, path, FZ_TABLE, "k00010", 6);
        hc_records_delete(ses, path, FZ_TABLE, "k00047", 6);
        hc_records_put(ses, path, "fresh", "x", 1, value, 10, &created); /* a new table */
        hc_records_scan(ses, path, FZ_TABLE, "", 0, 4 * TEMPLATE_RECORDS, true, visit, &sum, &more);
        JetDetachDatabase(ses, path);
    }
    JetEndSession(ses, 0);
}

void fz_seed(const char *dir, const char *name, const void *data, size_t len)
{
    char path[FZ_PATH_MAX * 2];
    fz_mkdir(dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fz_write(path, data, len);
    fprintf(stderr, "fuzz: seed %s (%zu bytes)\n", path, len);
}
