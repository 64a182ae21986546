/*
 * ui_target.h — the dashboard's pieces for offsite targets, shared by its pages: the throttle as
 * the dashboard reads and shows it (MiB/s; the API speaks bytes/s), the "back up to a target"
 * fields of the begin form (ui_overview.c), the "restore from a target" sections of the restore
 * page (ui_restore.c), and the offsite panel of the backup workspace (ui_backup.c).
 *
 * Files: ui_target.c (the targets page, the connection check, the sets on a target and the
 * restore from one), ui_target_backup.c (the workspace's offsite panel and throttle control).
 * Their handlers are declared in ui.h.
 */
#ifndef HOTCOPY_SERVER_UI_TARGET_H
#define HOTCOPY_SERVER_UI_TARGET_H

#include "app.h"
#include "catalog.h"
#include "strbuf.h"
#include "ui_page.h"

#include <stdbool.h>
#include <stdint.h>

#define UI_MIB 1048576.0
#define UI_RATE_MAX_MIB 1048576.0 /* 1 TiB/s: more is a typing error */

/* A throttle typed in MiB/s ("", "0": unlimited; "2.5"): *bytes_per_second rounded to a byte.
 * False for anything else (negative, not a number, above UI_RATE_MAX_MIB). */
bool ui_rate_parse(const char *mib_text, uint64_t *bytes_per_second);

/* "4.0 MiB/s" (with the exact bytes/s in a <data> value and title), or "unlimited" for 0. */
void ui_rate(struct hc_strbuf *sb, uint64_t bytes_per_second);

/* The begin form's offsite fields for an instance (a target select whose first choice is "none:
 * this appliance only", and the throttle in MiB/s), kept across re-renders (hx-preserve); nothing
 * when no target is configured. Field names: "target", "maxMiBPerSecond". */
void ui_target_begin_fields(struct hc_strbuf *sb, struct hc_app *app, const char *instance);

/* The restore page's "Restore from target NAME" section of each configured target: the sets on
 * it, loaded after the page (GET /ui/targets/{name}/sets), each with a Restore button. */
void ui_target_restore_sections(struct hc_strbuf *sb, struct hc_app *app);

/* The backup workspace's offsite panel (ui_target_backup.c) for a backup with a target: state,
 * bytes uploaded of bytes total (live), the manifest key once complete, the throttle shown and
 * changed (the same call as PATCH /api/v1/backups/{id}). Nothing for a backup without a target.
 * sse: the panel sits inside the page's event-stream element (refresh on each event too). */
void ui_offsite_panel(struct hc_strbuf *sb, const struct ui_ctx *ctx, const struct cat_backup *b,
                      bool running, bool sse);

#endif
