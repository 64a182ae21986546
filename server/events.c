/*
 * events.c — event log fan-out: engine callback -> catalog -> SSE subscribers, and download
 * progress frames straight to the subscribers (see events.h).
 */
#include "events.h"

#include "strbuf.h"

#include "jet.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sse_sub {
    struct sse_sub *next;
    struct hc_events *hub;
    struct MHD_Connection *conn;
    struct hc_strbuf pending; /* bytes not yet handed to MHD */
    size_t offset;            /* of pending already handed over */
    int64_t last_id;          /* newest event queued (no duplicates after a backfill) */
    bool suspended;
    bool closed;
};

struct hc_events {
    struct hc_app *app;
    pthread_mutex_t lock; /* guards subs and every sub's fields */
    pthread_cond_t wake;  /* keep-alive thread */
    struct sse_sub *subs;
    bool stopping;
    pthread_t keepalive;
    bool keepalive_running;
};

static _Thread_local int64_t thread_restore_id;

int64_t hc_events_now_us(void)
{
    return cat_now_us();
}

void hc_events_set_thread_restore(int64_t restore_id)
{
    thread_restore_id = restore_id;
}

cJSON *hc_event_json(const struct cat_event *e)
{
    char when[CAT_TIME_MAX];
    cJSON *o = cJSON_CreateObject();
    if (o == NULL) return NULL;
    cat_time_rfc3339(e->time, when, sizeof when);
    cJSON_AddNumberToObject(o, "id", (double)e->id);
    cJSON_AddStringToObject(o, "time", when);
    cJSON_AddStringToObject(o, "instance", e->instance);
    cJSON_AddStringToObject(o, "level", cat_level_name(e->level) ? cat_level_name(e->level) : "info");
    cJSON_AddNumberToObject(o, "eventId", e->event_id);
    cJSON_AddStringToObject(o, "category", e->category);
    cJSON_AddStringToObject(o, "message", e->message);
    if (e->backup_id)
        cJSON_AddNumberToObject(o, "backupId", (double)e->backup_id);
    else
        cJSON_AddNullToObject(o, "backupId");
    if (e->restore_id) cJSON_AddNumberToObject(o, "restoreId", (double)e->restore_id);
    if (e->error_code) {
        cJSON_AddNumberToObject(o, "code", e->error_code);
        cJSON_AddStringToObject(o, "name", JetXErrorName(e->error_code));
    }
    return o;
}

cJSON *hc_events_json_list(struct hc_app *app, int64_t backup_id, int64_t restore_id)
{
    cJSON *arr = cJSON_CreateArray();
    struct cat_event_filter f = {.backup_id = backup_id, .restore_id = restore_id,
                                 .limit = CAT_LIST_MAX};
    for (;;) {
        struct cat_event *list = NULL;
        size_t n = 0;
        if (cat_event_list(app->cat, &f, &list, &n) != CAT_OK) break;
        for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(arr, hc_event_json(&list[i]));
        if (n > 0) f.after_id = list[n - 1].id;
        free(list);
        if (n < CAT_LIST_MAX) break;
    }
    return arr;
}

/* Appends one event frame to a subscriber. Caller holds the hub lock. */
static void sub_queue(struct sse_sub *s, int64_t id, const char *json)
{
    if (s->closed || id <= s->last_id) return;
    hc_strbuf_printf(&s->pending, "id: %lld\ndata: %s\n\n", (long long)id, json);
    s->last_id = id;
    if (s->pending.failed || s->pending.len - s->offset > HC_SSE_PENDING_MAX) s->closed = true;
}

/* Appends a frame that is not a catalog event (no id: never replayed). Caller holds the lock. */
static void sub_queue_unstored(struct sse_sub *s, const char *event, const char *json)
{
    if (s->closed) return;
    hc_strbuf_printf(&s->pending, "event: %s\ndata: %s\n\n", event, json);
    if (s->pending.failed || s->pending.len - s->offset > HC_SSE_PENDING_MAX) s->closed = true;
}

static void sub_wake(struct sse_sub *s)
{
    if (s->suspended) {
        s->suspended = false;
        MHD_resume_connection(s->conn);
    }
}

/* Stores an event and hands it to every stream. */
static void publish(struct hc_app *app, const struct cat_event_new *e)
{
    int64_t id = 0;
    int rc = cat_event_insert(app->cat, e, &id);
    if (rc == CAT_ENOTFOUND && (e->backup_id || e->restore_id)) {
        struct cat_event_new untagged = *e; /* the tag is not a catalog row (engine serial) */
        untagged.backup_id = 0;
        untagged.restore_id = 0;
        rc = cat_event_insert(app->cat, &untagged, &id);
    }
    if (rc != CAT_OK) {
        fprintf(stderr, "hotcopyd: event not stored: %s\n", cat_errmsg(app->cat));
        return;
    }
    struct hc_events *ev = app->events;
    if (ev == NULL) return;
    struct cat_event stored;
    if (cat_event_get(app->cat, id, &stored) != CAT_OK) return;
    cJSON *doc = hc_event_json(&stored);
    char *json = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    if (json == NULL) return;
    pthread_mutex_lock(&ev->lock);
    for (struct sse_sub *s = ev->subs; s; s = s->next) {
        sub_queue(s, id, json);
        sub_wake(s);
    }
    pthread_mutex_unlock(&ev->lock);
    free(json);
}

void hc_events_progress(struct hc_app *app, const struct hc_progress *p)
{
    struct hc_events *ev = app->events;
    if (ev == NULL) return;
    cJSON *doc = cJSON_CreateObject();
    if (doc == NULL) return;
    cJSON_AddNumberToObject(doc, "backupId", (double)p->backup_id);
    cJSON_AddStringToObject(doc, "instance", p->instance);
    cJSON_AddStringToObject(doc, "file", p->file);
    cJSON_AddNumberToObject(doc, "bytesServed", (double)p->bytes_served);
    cJSON_AddNumberToObject(doc, "sizeBytes", (double)p->size_bytes);
    char *json = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (json == NULL) return;
    pthread_mutex_lock(&ev->lock);
    for (struct sse_sub *s = ev->subs; s; s = s->next) {
        sub_queue_unstored(s, "progress", json);
        sub_wake(s);
    }
    pthread_mutex_unlock(&ev->lock);
    free(json);
}

static enum cat_level level_of(unsigned long level)
{
    if (level == JET_XEVENT_ERROR) return CAT_LEVEL_ERROR;
    if (level == JET_XEVENT_WARNING) return CAT_LEVEL_WARNING;
    return CAT_LEVEL_INFO;
}

static void on_engine_event(const JET_XEVENT *pe, void *ctx)
{
    struct hc_app *app = ctx;
    struct cat_event_new e = {
        .time = pe->llTimeMicros,
        .instance = pe->szInstance,
        .level = level_of(pe->level),
        .event_id = (int32_t)pe->ulEventId,
        .category = pe->szCategory,
        .message = pe->szMessage ? pe->szMessage : "",
        .backup_id = (int64_t)pe->ullBackupId,
        .restore_id = thread_restore_id,
        .error_code = (int32_t)pe->err,
    };
    publish(app, &e);
}

void hc_events_server(struct hc_app *app, const char *instance, enum cat_level level,
                      int64_t backup_id, int64_t restore_id, const char *fmt, ...)
{
    char message[CAT_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    struct cat_event_new e = {.instance = instance, .level = level, .category = HC_SERVER_CATEGORY,
                              .message = message, .backup_id = backup_id,
                              .restore_id = restore_id};
    publish(app, &e);
}

/* ---- streams ------------------------------------------------------------------------------------ */

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct sse_sub *s = cls;
    struct hc_events *ev = s->hub;
    ssize_t n = 0;
    pthread_mutex_lock(&ev->lock);
    size_t avail = s->pending.len - s->offset;
    if (avail > 0) {
        n = (ssize_t)(avail < max ? avail : max);
        memcpy(buf, s->pending.data + s->offset, (size_t)n);
        s->offset += (size_t)n;
        if (s->offset == s->pending.len) {
            s->pending.len = 0;
            s->offset = 0;
        }
    } else if (s->closed) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else { /* nothing to send: park the connection until publish() or the keep-alive */
        s->suspended = true;
        MHD_suspend_connection(s->conn);
    }
    pthread_mutex_unlock(&ev->lock);
    return n;
}

static void sse_free(void *cls)
{
    struct sse_sub *s = cls;
    struct hc_events *ev = s->hub;
    pthread_mutex_lock(&ev->lock);
    for (struct sse_sub **p = &ev->subs; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    pthread_mutex_unlock(&ev->lock);
    hc_strbuf_free(&s->pending);
    free(s);
}

static void backfill(struct hc_events *ev, struct sse_sub *s, int64_t after_id)
{
    struct cat_event_filter f = {.after_id = after_id, .limit = CAT_LIST_MAX};
    struct cat_event *list = NULL;
    size_t n = 0;
    if (cat_event_list(ev->app->cat, &f, &list, &n) != CAT_OK) return;
    for (size_t i = 0; i < n; i++) {
        cJSON *doc = hc_event_json(&list[i]);
        char *json = doc ? cJSON_PrintUnformatted(doc) : NULL;
        cJSON_Delete(doc);
        if (json) {
            pthread_mutex_lock(&ev->lock);
            sub_queue(s, list[i].id, json);
            pthread_mutex_unlock(&ev->lock);
        }
        free(json);
    }
    free(list);
}

struct MHD_Response *hc_events_stream_response(struct hc_events *ev, struct MHD_Connection *conn,
                                               int64_t after_id)
{
    struct sse_sub *s = calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->hub = ev;
    s->conn = conn;
    hc_strbuf_init(&s->pending);
    hc_strbuf_printf(&s->pending, "retry: 3000\n: connected\n\n");
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, sse_read, s, sse_free);
    if (resp == NULL) {
        hc_strbuf_free(&s->pending);
        free(s);
        return NULL;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    pthread_mutex_lock(&ev->lock);
    s->closed = ev->stopping;
    s->next = ev->subs;
    ev->subs = s;
    pthread_mutex_unlock(&ev->lock);
    if (after_id > 0) backfill(ev, s, after_id);
    return resp;
}

static void *keepalive_main(void *arg)
{
    struct hc_events *ev = arg;
    pthread_mutex_lock(&ev->lock);
    while (!ev->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += HC_SSE_KEEPALIVE_SECONDS;
        pthread_cond_timedwait(&ev->wake, &ev->lock, &until);
        if (ev->stopping) break;
        for (struct sse_sub *s = ev->subs; s; s = s->next) {
            if (s->closed) continue;
            hc_strbuf_printf(&s->pending, ": keep-alive\n\n");
            sub_wake(s);
        }
    }
    pthread_mutex_unlock(&ev->lock);
    return NULL;
}

struct hc_events *hc_events_start(struct hc_app *app)
{
    struct hc_events *ev = calloc(1, sizeof *ev);
    if (ev == NULL) return NULL;
    ev->app = app;
    pthread_mutex_init(&ev->lock, NULL);
    pthread_cond_init(&ev->wake, NULL);
    if (pthread_create(&ev->keepalive, NULL, keepalive_main, ev) == 0)
        ev->keepalive_running = true;
    JetXSetEventCallback(on_engine_event, app);
    return ev;
}

void hc_events_close_streams(struct hc_events *ev)
{
    if (ev == NULL) return;
    pthread_mutex_lock(&ev->lock);
    ev->stopping = true;
    pthread_cond_broadcast(&ev->wake);
    for (struct sse_sub *s = ev->subs; s; s = s->next) {
        s->closed = true;
        sub_wake(s);
    }
    pthread_mutex_unlock(&ev->lock);
}

void hc_events_stop(struct hc_events *ev)
{
    if (ev == NULL) return;
    JetXSetEventCallback(NULL, NULL);
    hc_events_close_streams(ev);
    if (ev->keepalive_running) pthread_join(ev->keepalive, NULL);
    pthread_cond_destroy(&ev->wake);
    pthread_mutex_destroy(&ev->lock);
    free(ev);
}
