/*
 * loadgen.c — the workload generator and its endpoints (see loadgen.h).
 */
#include "loadgen.h"

#include "bodies.h"
#include "handlers.h"
#include "records.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEQ_KEY_LEN 16

struct hc_loadgen {
    struct hc_instance *inst;
    char db[PATH_MAX];
    pthread_t thread;
    unsigned rate, seconds;
    int64_t started_us;
    atomic_llong ended_us;
    atomic_bool stop;
    atomic_bool running;
    atomic_ullong committed, errors, highest_seq;
    atomic_long last_err;
};

static bool parse_seq(const void *key, size_t klen, uint64_t *seq)
{
    const char *k = key;
    if (klen != SEQ_KEY_LEN) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < klen; i++) {
        if (k[i] < '0' || k[i] > '9') return false;
        v = v * 10 + (uint64_t)(k[i] - '0');
    }
    *seq = v;
    return true;
}

static bool note_highest(void *ctx, const void *key, size_t klen, const void *value, size_t vlen)
{
    uint64_t seq;
    if (parse_seq(key, klen, &seq) && seq > *(uint64_t *)ctx) *(uint64_t *)ctx = seq;
    return true;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *load_main(void *arg)
{
    struct hc_loadgen *lg = arg;
    JET_SESID sesid;
    JET_ERR err = hc_instance_session_get(lg->inst, &sesid);
    if (err < 0) {
        atomic_store(&lg->last_err, err);
        goto done;
    }
    uint64_t seq = 0;
    bool more;
    /* continue after the highest sequence already stored (keys sort in sequence order) */
    err = hc_records_scan(sesid, lg->db, HC_LOAD_TABLE, "", 0, SIZE_MAX, false, note_highest, &seq,
                          &more);
    if (err < 0 && err != JET_errObjectNotFound) atomic_store(&lg->last_err, err);
    atomic_store(&lg->highest_seq, seq);
    int64_t start = mono_us(), end = start + (int64_t)lg->seconds * 1000000;
    for (uint64_t n = 0; !atomic_load(&lg->stop); n++) {
        int64_t due = start + (int64_t)(n * 1000000 / lg->rate);
        if (due >= end) break;
        int64_t now = mono_us();
        if (due > now) {
            struct timespec ts = {.tv_sec = (due - now) / 1000000, .tv_nsec = ((due - now) % 1000000) * 1000};
            nanosleep(&ts, NULL);
        }
        char key[SEQ_KEY_LEN + 1];
        unsigned char value[HC_LOAD_RECORD_SIZE];
        uint64_t next = seq + 1;
        snprintf(key, sizeof key, "%016llu", (unsigned long long)next);
        hc_load_record(next, cat_now_us(), value);
        bool created;
        err = hc_records_put(sesid, lg->db, HC_LOAD_TABLE, key, SEQ_KEY_LEN, value, sizeof value,
                             &created);
        if (err < 0) {
            atomic_fetch_add(&lg->errors, 1);
            atomic_store(&lg->last_err, err);
            if (err == JET_errInstanceUnavailable || err == JET_errTermInProgress ||
                err == JET_errClientRequestToStopJetService || err == JET_errNotInitialized)
                break;
            continue;
        }
        seq = next;
        atomic_fetch_add(&lg->committed, 1);
        atomic_store(&lg->highest_seq, seq);
    }
    hc_instance_session_put(lg->inst, sesid, true);
done:
    atomic_store(&lg->ended_us, cat_now_us());
    atomic_store(&lg->running, false);
    return NULL;
}

static cJSON *load_json(struct hc_loadgen *lg)
{
    cJSON *o = cJSON_CreateObject();
    if (lg == NULL) {
        cJSON_AddBoolToObject(o, "running", false);
        cJSON_AddNumberToObject(o, "committed", 0);
        cJSON_AddNumberToObject(o, "highestSequence", 0);
        return o;
    }
    cJSON_AddBoolToObject(o, "running", atomic_load(&lg->running));
    cJSON_AddStringToObject(o, "table", HC_LOAD_TABLE);
    cJSON_AddStringToObject(o, "database", lg->db);
    cJSON_AddNumberToObject(o, "writesPerSecond", lg->rate);
    cJSON_AddNumberToObject(o, "seconds", lg->seconds);
    hc_json_add_time(o, "startedAt", lg->started_us);
    hc_json_add_time(o, "endedAt", atomic_load(&lg->ended_us));
    cJSON_AddNumberToObject(o, "committed", (double)atomic_load(&lg->committed));
    cJSON_AddNumberToObject(o, "errors", (double)atomic_load(&lg->errors));
    cJSON_AddNumberToObject(o, "highestSequence", (double)atomic_load(&lg->highest_seq));
    JET_ERR last = atomic_load(&lg->last_err);
    if (last)
        cJSON_AddItemToObject(o, "lastError", hc_result_json(last));
    else
        cJSON_AddNullToObject(o, "lastError");
    return o;
}

static void loadgen_join_free(struct hc_loadgen *lg)
{
    if (lg == NULL) return;
    atomic_store(&lg->stop, true);
    pthread_join(lg->thread, NULL);
    free(lg);
}

int hc_loadgen_start(struct hc_instance *inst, double rate, double secs, JET_ERR *jerr)
{
    if (rate < 1 || rate > HC_LOAD_RATE_MAX || secs < 1 || secs > HC_LOAD_SECONDS_MAX) return -EINVAL;
    struct hc_loadgen *lg = calloc(1, sizeof *lg);
    if (lg == NULL) return -ENOMEM;
    JET_ERR err = hc_instance_database(inst, NULL, lg->db, sizeof lg->db);
    if (err < 0) {
        free(lg);
        *jerr = err;
        return -ENOENT;
    }
    lg->inst = inst;
    lg->rate = (unsigned)rate;
    lg->seconds = (unsigned)secs;
    lg->started_us = cat_now_us();
    atomic_store(&lg->running, true);
    struct hc_loadgen *old = NULL;
    pthread_mutex_lock(&inst->lock);
    if (inst->load != NULL && atomic_load(&inst->load->running)) {
        pthread_mutex_unlock(&inst->lock);
        free(lg);
        return -EBUSY;
    }
    old = inst->load;
    int rc = pthread_create(&lg->thread, NULL, load_main, lg);
    if (rc == 0) inst->load = lg;
    pthread_mutex_unlock(&inst->lock);
    loadgen_join_free(old); /* finished already: joins at once */
    if (rc != 0) {
        free(lg);
        return -EAGAIN;
    }
    return 0;
}

cJSON *hc_loadgen_status(struct hc_instance *inst)
{
    pthread_mutex_lock(&inst->lock);
    cJSON *doc = load_json(inst->load);
    pthread_mutex_unlock(&inst->lock);
    return doc;
}

int hc_loadgen_stop(struct hc_instance *inst, cJSON **final)
{
    pthread_mutex_lock(&inst->lock);
    struct hc_loadgen *lg = inst->load;
    inst->load = NULL;
    pthread_mutex_unlock(&inst->lock);
    if (lg == NULL) return -ENOENT;
    atomic_store(&lg->stop, true);
    pthread_join(lg->thread, NULL);
    if (final) *final = load_json(lg);
    free(lg);
    return 0;
}

int hc_handle_load_start(struct hc_request *req)
{
    int reply;
    struct hc_instance *inst = hc_lookup_instance(req, hc_param(req, "inst"), &reply);
    if (inst == NULL) return reply;
    cJSON *body = hc_body_json(req);
    double rate = -1, secs = -1; /* a malformed body: 400 from hc_loadgen_start's range check */
    if (body) hc_body_load_start(body, HC_LOAD_SECONDS_DEFAULT, &rate, &secs); /* bodies.h */
    cJSON_Delete(body);
    JET_ERR err = JET_errSuccess;
    switch (hc_loadgen_start(inst, rate, secs, &err)) {
    case 0: return hc_reply_json(req, 201, hc_loadgen_status(inst));
    case -EINVAL:
        return hc_reply_problem(req, 400, "Invalid field",
                                "writesPerSecond is 1..100000 and seconds 1..86400");
    case -ENOENT:
        return hc_reply_jet(req, err, "%s", err == JET_errDatabaseNotFound ? "the instance has no database"
                                                                          : JetXErrorMessage(err));
    case -EBUSY: return hc_reply_problem(req, 409, "Load generator running", "stop it first (DELETE)");
    case -ENOMEM: return hc_reply_problem(req, 500, NULL, "out of memory");
    default: return hc_reply_problem(req, 500, NULL, "cannot start a thread");
    }
}

int hc_handle_load_get(struct hc_request *req)
{
    int reply;
    struct hc_instance *inst = hc_lookup_instance(req, hc_param(req, "inst"), &reply);
    if (inst == NULL) return reply;
    return hc_reply_json(req, 200, hc_loadgen_status(inst));
}

int hc_handle_load_stop(struct hc_request *req)
{
    int reply;
    struct hc_instance *inst = hc_lookup_instance(req, hc_param(req, "inst"), &reply);
    if (inst == NULL) return reply;
    cJSON *doc = NULL;
    if (hc_loadgen_stop(inst, &doc) != 0)
        return hc_reply_problem(req, 404, NULL, "no load generator has run here");
    return hc_reply_json(req, 200, doc);
}

void hc_loadgen_shutdown(struct hc_instance *inst)
{
    pthread_mutex_lock(&inst->lock);
    struct hc_loadgen *lg = inst->load;
    inst->load = NULL;
    pthread_mutex_unlock(&inst->lock);
    loadgen_join_free(lg);
}

/* ---- verification ------------------------------------------------------------------------------- */

struct verify_state {
    uint64_t records, corrupt, lowest, highest, through, present_through;
    uint64_t first_corrupt;
};

static bool verify_one(void *ctx, const void *key, size_t klen, const void *value, size_t vlen)
{
    struct verify_state *v = ctx;
    uint64_t seq;
    if (!parse_seq(key, klen, &seq)) return true; /* not a generator record */
    v->records++;
    if (!hc_load_record_ok(seq, value, vlen)) {
        if (v->corrupt++ == 0) v->first_corrupt = seq;
        return true;
    }
    if (v->lowest == 0 || seq < v->lowest) v->lowest = seq;
    if (seq > v->highest) v->highest = seq;
    if (seq >= 1 && seq <= v->through) v->present_through++;
    return true;
}

/* GET .../load/verify?through=N: checks every generator record; with through, that every
 * sequence 1..N is present and intact. */
int hc_handle_load_verify(struct hc_request *req)
{
    int reply;
    struct hc_instance *inst = hc_lookup_instance(req, hc_param(req, "inst"), &reply);
    if (inst == NULL) return reply;
    struct verify_state v;
    memset(&v, 0, sizeof v);
    if (!hc_query_u64(req, "through", 0, &v.through))
        return hc_reply_problem(req, 400, "Invalid query", "through is a number");
    char db[PATH_MAX];
    JET_ERR err = hc_instance_database(inst, NULL, db, sizeof db);
    if (err < 0) return hc_reply_jet(req, err, "the instance has no database");
    JET_SESID sesid;
    if ((err = hc_instance_session_get(inst, &sesid)) < 0) return hc_reply_jet(req, err, NULL);
    bool more;
    err = hc_records_scan(sesid, db, HC_LOAD_TABLE, "", 0, SIZE_MAX, true, verify_one, &v, &more);
    hc_instance_session_put(inst, sesid, true);
    if (err < 0 && err != JET_errObjectNotFound) return hc_reply_jet(req, err, NULL);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "records", (double)v.records);
    cJSON_AddNumberToObject(o, "corrupt", (double)v.corrupt);
    if (v.corrupt) cJSON_AddNumberToObject(o, "firstCorrupt", (double)v.first_corrupt);
    cJSON_AddNumberToObject(o, "lowestSequence", (double)v.lowest);
    cJSON_AddNumberToObject(o, "highestSequence", (double)v.highest);
    cJSON_AddNumberToObject(o, "through", (double)v.through);
    cJSON_AddNumberToObject(o, "missingThrough", (double)(v.through - v.present_through));
    cJSON_AddBoolToObject(o, "ok", v.corrupt == 0 && v.present_through == v.through);
    return hc_reply_json(req, 200, o);
}
