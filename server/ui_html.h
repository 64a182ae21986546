/*
 * ui_html.h — the dashboard's HTML building blocks: escaped text, numbers, sizes and times, and
 * the pieces every page shares (an engine result as code, name and sentence; an event table; a
 * button that is disabled with its reason shown).
 *
 * The rule for every fragment: markup goes through ui_printf with constant text and numbers only;
 * any string that did not come from this file's own constants (names, messages, paths, anything
 * from the catalog, the engine or the request) goes through ui_esc, which uses the server's one
 * escaping helper (escape.h).
 */
#ifndef HOTCOPY_SERVER_UI_HTML_H
#define HOTCOPY_SERVER_UI_HTML_H

#include "catalog.h"
#include "jet.h"
#include "strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Trusted markup (format strings are constants; %s arguments are constants or ui_esc output). */
#define ui_printf hc_strbuf_printf

/* Appends text with & < > " ' as character references (attribute values and element content). */
void ui_esc(struct hc_strbuf *sb, const char *text);
/* The same for a URL path segment inside an attribute: percent-encodes everything outside
 * [A-Za-z0-9._~-] (so a name can never leave its segment), then escapes for HTML. */
void ui_esc_segment(struct hc_strbuf *sb, const char *text);

/* "8.0 MiB", "512 B". */
void ui_bytes(struct hc_strbuf *sb, uint64_t bytes);
/* <time datetime="RFC 3339">YYYY-MM-DD HH:MM:SS UTC</time>, or "—" for 0. */
void ui_time(struct hc_strbuf *sb, int64_t unix_us);

/* FNV-1a (64 bit) of len bytes, continuing from h (start with UI_HASH_SEED): the versions and ETags
 * of the dashboard. */
#define UI_HASH_SEED 0xcbf29ce484222325ull
uint64_t ui_hash(uint64_t h, const void *data, size_t len);

/* The kind of an engine result, for its colour and its word: success, warning (> 0), error. */
const char *ui_result_class(int32_t code);

/* One line: "<call> returned <code> <name>: <message>" with role=status; call may be NULL. */
void ui_result_line(struct hc_strbuf *sb, const char *call, JET_ERR err);
/* The same for a result the catalog recorded. */
void ui_result_line_cat(struct hc_strbuf *sb, const char *call, const struct cat_result *r);

/* A result panel: heading, code, name and message in large type, then `facts` (may be NULL: more
 * markup the caller built, e.g. a <dl>). */
void ui_result_panel(struct hc_strbuf *sb, const char *heading, const struct cat_result *r,
                     const char *facts);

/* An event table's <thead>, and its rows (<tr> each; newest first when newest_first). */
void ui_event_head(struct hc_strbuf *sb, bool show_instance);
void ui_event_rows(struct hc_strbuf *sb, const struct cat_event *events, size_t count,
                   bool newest_first, bool show_instance);
/* A whole event table (newest first when newest_first) under an <h2>; a sentence when empty. */
void ui_event_table(struct hc_strbuf *sb, const char *heading, const struct cat_event *events,
                    size_t count, bool newest_first, bool show_instance);

/* The area showing the answer to the last action: <div id="id" class="action-result"
 * role="status">html</div>; with oob, as an htmx out-of-band swap in an action's answer. */
void ui_action_result(struct hc_strbuf *sb, const char *id, const char *html, bool oob);

/* A one-button form posting to action (hx-post; with a target, it must sit inside a .live region
 * and its answer replaces target's outerHTML), with the CSRF field for browsers without
 * JavaScript. When why_disabled is not NULL the button is disabled and the reason is shown next to
 * it (linked by aria-describedby); "" disables it without a reason (shown elsewhere by the caller).
 * extra: more form fields (trusted markup) or NULL. id: a unique id for the button. */
void ui_action_form(struct hc_strbuf *sb, const char *csrf, const char *action, const char *target,
                    const char *id, const char *label, const char *why_disabled, const char *extra,
                    const char *button_class);

/* Every event of a backup (backup_id) or of a restore (restore_id), oldest first: *out is
 * malloc()ed (caller frees), *count its length. Returns the catalog's status. */
int ui_event_list(cat_t *cat, int64_t backup_id, int64_t restore_id, struct cat_event **out,
                  size_t *count);

#endif
