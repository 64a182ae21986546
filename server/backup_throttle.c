/*
 * backup_throttle.c — a running backup's transfer limit changed live (see backup_throttle.h).
 */
#include "backup_throttle.h"

#include "backup.h"
#include "throttle.h"
#include "upload.h"

#include <errno.h>
#include <stdbool.h>

int hc_backup_throttle_set(struct hc_app *app, int64_t id, uint64_t rate)
{
    struct cat_backup b;
    if (cat_backup_get(app->cat, id, &b) != CAT_OK) return -ENOENT;
    bool changed = false;
    struct hc_backup_job *job = hc_backup_find(app, id);
    if (job) {
        hc_throttle_set_rate(job->throttle, rate); /* downloads and the upload share it */
        hc_backup_unref(job);
        changed = true;
    }
    if (hc_upload_set_rate(app, id, rate)) changed = true; /* an upload resumed at start-up */
    if (!changed) return -ESRCH;
    return cat_backup_set_max_rate(app->cat, id, rate) == CAT_OK ? 0 : -EIO;
}
