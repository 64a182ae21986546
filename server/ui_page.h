/*
 * ui_page.h — what every dashboard handler starts and ends with: the request's session (and its
 * CSRF token, written into forms and into htmx's request headers), the page shell (head, main
 * navigation, skip link), and the replies (HTML with the dashboard's security headers, redirects
 * that work with and without htmx).
 *
 * Pages (GET, whole documents) are public in the route table and check the session here, so that
 * a browser without one is sent to /login instead of getting a 401 document. Fragments and actions
 * are ordinary authenticated routes: http.c checks the cookie and, on POST, the CSRF token.
 */
#ifndef HOTCOPY_SERVER_UI_PAGE_H
#define HOTCOPY_SERVER_UI_PAGE_H

#include "auth.h"
#include "http.h"
#include "strbuf.h"

#include <stdbool.h>

enum ui_nav {
    UI_NAV_NONE,
    UI_NAV_OVERVIEW,
    UI_NAV_HISTORY,
    UI_NAV_EVENTS,
    UI_NAV_RESTORE,
    UI_NAV_TARGETS
};

struct ui_ctx {
    struct hc_request *req;
    bool session;                     /* the request carries a live session cookie */
    bool htmx;                        /* sent by htmx (HX-Request): answer with a fragment */
    char csrf[HC_SESSION_ID_LEN + 1]; /* the session's CSRF token; "" without a session */
};

/* Fills ctx from the request (session lookup, HX-Request). */
void ui_ctx_init(struct ui_ctx *ctx, struct hc_request *req);

/* For page routes: true when the request has a live session; otherwise *reply holds a 303 to
 * /login and the caller returns it. */
bool ui_page_auth(struct ui_ctx *ctx, struct hc_request *req, int *reply);

/* The document up to and including <main>; title is plain text (escaped here). */
void ui_page_open(struct hc_strbuf *sb, const struct ui_ctx *ctx, const char *title,
                  enum ui_nav nav);
/* Closes <main> and the document. */
void ui_page_close(struct hc_strbuf *sb);

/* Sends sb's text as text/html with status and the security headers (CSP allowing only this
 * origin, no framing, same-origin referrers); consumes sb. A failed buffer gives a 500. */
int ui_reply_html(struct hc_request *req, unsigned status, struct hc_strbuf *sb);

/* Where to go after an action that created something: HX-Redirect for htmx (a 200 it follows with
 * a full navigation), 303 See Other for a plain form. location is a path the server made. */
int ui_redirect(const struct ui_ctx *ctx, const char *location);

/* A 404 for something the path names that does not exist: sentence (trusted markup) in a banner,
 * inside a whole page unless htmx asked for a fragment. */
int ui_reply_not_found(const struct ui_ctx *ctx, const char *title, enum ui_nav nav,
                       const char *sentence);

/* A field of an application/x-www-form-urlencoded body, decoded into out (cap bytes); false when
 * absent. */
bool ui_form_field(const struct hc_request *req, const char *name, char *out, size_t cap);

#endif
