/*
 * app.c — start-up and shutdown order (see app.h).
 *   start: catalog (mark interrupted backups/restores failed) -> token/auth -> offsite targets
 *          (credentials) -> metrics -> events (engine callback) -> instances (JetInit, attach) ->
 *          upload jobs (resume interrupted offsite copies) -> HTTP daemon
 *   stop:  stop accepting -> end SSE streams -> stop load generators -> end running backups as
 *          aborted by server -> cancel and join upload jobs -> HTTP daemon -> JetTerm -> events ->
 *          targets -> catalog
 */
#include "app.h"

#include "auth.h"
#include "backup.h"
#include "events.h"
#include "http.h"
#include "instance.h"
#include "loadgen.h"
#include "metrics.h"
#include "routes.h"
#include "target.h"
#include "upload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define CATALOG_FILE "catalog.db"

static int open_catalog(struct hc_app *app)
{
    char path[4096], err[512];
    if (mkdir(app->cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "hotcopyd: cannot create %s: %s\n", app->cfg->data_dir, strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s", app->cfg->data_dir, CATALOG_FILE);
    if (cat_open(path, &app->cat, err, sizeof err) != CAT_OK) {
        fprintf(stderr, "hotcopyd: catalog %s: %s\n", path, err);
        return -1;
    }
    int backups = 0, restores = 0;
    cat_backup_fail_interrupted(app->cat, JET_errBackupAbortByServer,
                                JetXErrorName(JET_errBackupAbortByServer), &backups);
    cat_restore_fail_interrupted(app->cat, JET_errRestoreInProgress,
                                 JetXErrorName(JET_errRestoreInProgress), &restores);
    if (backups || restores)
        fprintf(stderr, "hotcopyd: %d backup(s) and %d restore(s) were interrupted: marked failed\n",
                backups, restores);
    return 0;
}

static int load_auth(struct hc_app *app)
{
    char token[512], err[512];
    bool created = false;
    if (hc_auth_load_token(app->cfg, token, sizeof token, &created, err, sizeof err) != 0) {
        fprintf(stderr, "hotcopyd: %s\n", err);
        return -1;
    }
    if (created) { /* printed once, at first start; never logged afterwards */
        char path[4096];
        hc_auth_token_path(app->cfg, path, sizeof path);
        printf("API token (saved in %s): %s\n", path, token);
    }
    app->auth = hc_auth_create(token);
    memset(token, 0, sizeof token);
    return app->auth ? 0 : -1;
}

int hc_app_start(struct hc_app *app, const struct hc_config *cfg)
{
    char err[512];
    memset(app, 0, sizeof *app);
    app->cfg = cfg;
    app->routes = hc_routes;
    app->route_count = hc_route_count;
    atomic_init(&app->stopping, false);
    if (open_catalog(app) != 0 || load_auth(app) != 0) goto fail;
    app->targets = hc_targets_start(cfg, err, sizeof err);
    if (app->targets == NULL) {
        fprintf(stderr, "hotcopyd: %s\n", err);
        goto fail;
    }
    app->metrics = hc_metrics_create(hc_routes, hc_route_count);
    app->events = hc_events_start(app);
    if (app->metrics == NULL || app->events == NULL) goto fail;
    app->instances = hc_instances_start(app, err, sizeof err);
    if (app->instances == NULL) {
        fprintf(stderr, "hotcopyd: %s\n", err);
        goto fail;
    }
    if (hc_uploads_start(app) == NULL) goto fail; /* resumes interrupted offsite copies */
    unsigned port = 0;
    app->http = hc_http_start(app, &port);
    if (app->http == NULL) goto fail;
    printf("listening on %s://%s:%u\n", cfg->tls_cert ? "https" : "http", cfg->listen_host, port);
    fflush(stdout);
    return 0;
fail:
    hc_app_stop(app);
    return -1;
}

void hc_app_stop(struct hc_app *app)
{
    atomic_store(&app->stopping, true);
    hc_http_quiesce(app->http);
    hc_events_close_streams(app->events);
    if (app->instances) {
        struct hc_instance *list[HC_INSTANCES_MAX];
        size_t n = hc_instances_list(app->instances, list, HC_INSTANCES_MAX);
        for (size_t i = 0; i < n; i++) hc_loadgen_shutdown(list[i]);
        for (size_t i = 0; i < n; i++) hc_backup_abort_for_shutdown(app, list[i]);
    }
    hc_uploads_stop(app->uploads); /* cancels and joins the offsite upload jobs */
    app->uploads = NULL;
    hc_http_stop(app->http);
    app->http = NULL;
    hc_instances_stop(app->instances);
    app->instances = NULL;
    hc_events_stop(app->events);
    app->events = NULL;
    hc_metrics_destroy(app->metrics);
    app->metrics = NULL;
    hc_targets_stop(app->targets);
    app->targets = NULL;
    hc_auth_destroy(app->auth);
    app->auth = NULL;
    cat_close(app->cat);
    app->cat = NULL;
}
