/*
 * app.h — the application: every long-lived part of hotcopyd, built at start-up in dependency
 * order and torn down in reverse (hc_app_start / hc_app_stop). There is no other global state:
 * handlers reach everything through req->app.
 *
 * Lock order (outer first), the one place it is written down:
 *   instance registry (rwlock) -> an instance's lock -> a backup job's lock -> SSE hub lock.
 * The catalog (cat_t) has its own internal mutex and calls nobody back, so it may be called
 * under any of these.
 */
#ifndef HOTCOPY_SERVER_APP_H
#define HOTCOPY_SERVER_APP_H

#include "catalog.h"
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>

struct hc_auth;
struct hc_metrics;
struct hc_events;
struct hc_instances;
struct hc_http;
struct hc_route;
struct hc_targets;
struct hc_uploads;

struct hc_app {
    const struct hc_config *cfg;
    cat_t *cat;                     /* catalog and event log (thread-safe) */
    struct hc_auth *auth;           /* token, sessions, CSRF */
    struct hc_metrics *metrics;     /* counters for /metrics */
    struct hc_events *events;       /* engine event callback, SSE fan-out */
    struct hc_instances *instances; /* engine instances, their backups, load generators */
    struct hc_http *http;           /* the libmicrohttpd daemon */
    struct hc_targets *targets;     /* offsite targets (target.h); read-only after start */
    struct hc_uploads *uploads;     /* offsite upload jobs (upload.h) */
    const struct hc_route *routes;  /* the route table (routes.c) */
    size_t route_count;
    atomic_bool stopping;           /* set once shutdown begins */
};

/* Builds everything and starts listening; prints the bound address (and a new token) on stdout.
 * Returns 0, or -1 after printing why on stderr (everything started is stopped again). */
int hc_app_start(struct hc_app *app, const struct hc_config *cfg);

/* Orderly shutdown: stop accepting, end running backups as aborted by server, stop load
 * generators, stop the HTTP daemon, JetTerm every instance, close the catalog. */
void hc_app_stop(struct hc_app *app);

#endif
