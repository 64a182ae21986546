/*
 * events.h — the event log: the engine's events (registered with JetXSetEventCallback) and the
 * server's own go to the catalog, then out to every GET /api/v1/events/stream client as
 * server-sent events:
 *     id: <catalog event id>
 *     data: {"id", "time", "instance", "level", "eventId", "category", "message", "backupId", ...}
 * plus ": keep-alive" comments every HC_SSE_KEEPALIVE_SECONDS. A stream client that sends
 * Last-Event-ID (or ?after=) first gets what it missed from the catalog.
 *
 * Download progress goes to the streams only, as a named event without an id (so it is never
 * replayed, and a reconnecting client's Last-Event-ID still names the last stored event):
 *     event: progress
 *     data: {"backupId", "instance", "file", "bytesServed", "sizeBytes"}
 * bytesServed counts the distinct bytes of the file delivered so far, as the backup object's
 * files[].bytesServed does. download.c decides when to send one (download.h); EventSource
 * clients see these only with addEventListener("progress"), never as "message".
 *
 * Streams never block a worker thread: a stream with nothing to send suspends its connection
 * (MHD_suspend_connection) and the next event resumes it. The hub lock guards the subscriber list
 * and each subscriber's pending bytes; it is taken after any instance or job lock, never before.
 */
#ifndef HOTCOPY_SERVER_EVENTS_H
#define HOTCOPY_SERVER_EVENTS_H

#include "app.h"

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <stdint.h>

#define HC_SSE_KEEPALIVE_SECONDS 15
#define HC_SSE_PENDING_MAX (4 * 1024 * 1024) /* a client this far behind is dropped */
#define HC_SERVER_CATEGORY "hotcopyd"

struct hc_events;

/* Registers the engine callback. NULL when out of memory. */
struct hc_events *hc_events_start(struct hc_app *app);
/* Ends every stream (resuming suspended connections so that the daemon can stop). Call before the
 * HTTP daemon stops. */
void hc_events_close_streams(struct hc_events *ev);
/* Unregisters the callback and frees the hub (after the daemon has stopped). */
void hc_events_stop(struct hc_events *ev);

/* Logs a server event (category "hotcopyd"); backup_id / restore_id 0 for none. */
void hc_events_server(struct hc_app *app, const char *instance, enum cat_level level,
                      int64_t backup_id, int64_t restore_id, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* A backup file's download progress (an "event: progress" frame; not an event of the log). */
struct hc_progress {
    int64_t backup_id;
    const char *instance;
    const char *file;      /* the name URLs use */
    uint64_t bytes_served; /* distinct bytes delivered so far */
    uint64_t size_bytes;
};

/* Hands a progress frame to every stream now open; stores nothing. */
void hc_events_progress(struct hc_app *app, const struct hc_progress *p);

/* Engine events raised on the calling thread are tagged with this restore (0: none). */
void hc_events_set_thread_restore(int64_t restore_id);

/* An event as the API shows it. */
cJSON *hc_event_json(const struct cat_event *e);
/* The events of a backup (backup_id) or of a restore (restore_id), oldest first, as a JSON array. */
cJSON *hc_events_json_list(struct hc_app *app, int64_t backup_id, int64_t restore_id);

/* A text/event-stream answer for conn, starting after event after_id (0: only new ones). */
struct MHD_Response *hc_events_stream_response(struct hc_events *ev, struct MHD_Connection *conn,
                                               int64_t after_id);

int64_t hc_events_now_us(void);

#endif
