/*
 * backup_throttle.h — changing the transfer limit of a backup while it runs, shared by PATCH
 * /api/v1/backups/{id} (h_targets.c) and the backup workspace's throttle control (ui_backup.c).
 */
#ifndef HOTCOPY_SERVER_BACKUP_THROTTLE_H
#define HOTCOPY_SERVER_BACKUP_THROTTLE_H

#include "app.h"

#include <stdint.h>

/* Sets backup id's limit to rate bytes per second (0 = unlimited) at once, without restarting
 * anything: the running backup's throttle (its HTTP downloads and its offsite upload share it,
 * throttle.h) and the throttle of an upload resumed at start-up (upload.h); then records it in
 * the catalog (the backup object's maxBytesPerSecond). Returns 0; -ENOENT when the catalog has no
 * such backup; -ESRCH when it neither runs nor has an upload under way (nothing changed); -EIO
 * when the transfers obey the new limit but the catalog could not record it. */
int hc_backup_throttle_set(struct hc_app *app, int64_t id, uint64_t rate);

#endif
