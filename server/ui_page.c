/*
 * ui_page.c — session, page shell and replies of the dashboard (see ui_page.h).
 */
#include "ui_page.h"

#include "ui_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Scripts and styles come from /static only (no inline script, no inline style, no eval): htmx is
 * configured accordingly by the htmx-config meta tag of the page shell. */
#define UI_CSP                                                                                     \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "            \
    "object-src 'none'"
#define UI_HTMX_CONFIG                                                                             \
    "{\"includeIndicatorStyles\":false,\"allowEval\":false,\"allowScriptTags\":false,"             \
    "\"historyCacheSize\":0,\"selfRequestsOnly\":true}"

void ui_ctx_init(struct ui_ctx *ctx, struct hc_request *req)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->req = req;
    const char *cookie = hc_header(req, MHD_HTTP_HEADER_COOKIE);
    ctx->session =
        cookie != NULL && hc_auth_session_check(req->app->auth, cookie, time(NULL), ctx->csrf);
    if (!ctx->session) ctx->csrf[0] = '\0';
    const char *hx = hc_header(req, "HX-Request");
    ctx->htmx = hx != NULL && strcmp(hx, "true") == 0;
}

bool ui_page_auth(struct ui_ctx *ctx, struct hc_request *req, int *reply)
{
    ui_ctx_init(ctx, req);
    if (ctx->session) return true;
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        *reply = MHD_NO;
        return false;
    }
    MHD_add_response_header(resp, "Location", "/login");
    *reply = hc_reply(req, 303, resp);
    return false;
}

static void nav_item(struct hc_strbuf *sb, const char *href, const char *label, bool current)
{
    ui_printf(sb, "<li><a href=\"%s\"%s>%s</a></li>", href, current ? " aria-current=\"page\"" : "",
              label);
}

void ui_page_open(struct hc_strbuf *sb, const struct ui_ctx *ctx, const char *title,
                  enum ui_nav nav)
{
    ui_printf(sb, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<meta name=\"htmx-config\" content=\"");
    ui_esc(sb, UI_HTMX_CONFIG);
    ui_printf(sb, "\"><meta name=\"csrf-token\" content=\"");
    ui_esc(sb, ctx->csrf);
    ui_printf(sb, "\"><title>");
    ui_esc(sb, title);
    ui_printf(sb, " · Hotcopy</title>"
                  "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">"
                  "<link rel=\"stylesheet\" href=\"/static/app.css\">"
                  "<script src=\"/static/htmx.min.js\" defer></script>"
                  "<script src=\"/static/sse.min.js\" defer></script>"
                  "<script src=\"/static/app.js\" defer></script></head>"
                  "<body hx-headers=\"");
    char headers[HC_SESSION_ID_LEN + 64];
    snprintf(headers, sizeof headers, "{\"%s\": \"%s\"}", HC_CSRF_HEADER, ctx->csrf);
    ui_esc(sb, headers);
    ui_printf(sb, "\"><a class=\"skip\" href=\"#main\">Skip to content</a>"
                  "<header class=\"top\"><a class=\"brand\" href=\"/\">Hotcopy</a>"
                  "<nav aria-label=\"Main\"><ul>");
    nav_item(sb, "/", "Overview", nav == UI_NAV_OVERVIEW);
    nav_item(sb, "/ui/backups", "History", nav == UI_NAV_HISTORY);
    nav_item(sb, "/ui/events", "Events", nav == UI_NAV_EVENTS);
    nav_item(sb, "/ui/restores", "Restore", nav == UI_NAV_RESTORE);
    nav_item(sb, "/ui/targets", "Targets", nav == UI_NAV_TARGETS);
    ui_printf(sb, "</ul></nav><form class=\"signout\" method=\"post\" action=\"/logout\" "
                  "hx-post=\"/logout\" hx-swap=\"none\" data-signout>"
                  "<button type=\"submit\" class=\"link\">Sign out</button></form></header>"
                  "<div id=\"notice\" class=\"notice\" role=\"alert\" hidden></div>"
                  "<main id=\"main\" tabindex=\"-1\">");
}

void ui_page_close(struct hc_strbuf *sb)
{
    ui_printf(sb, "</main></body></html>");
}

int ui_reply_html(struct hc_request *req, unsigned status, struct hc_strbuf *sb)
{
    size_t len = 0;
    char *text = hc_strbuf_take(sb, &len);
    if (text == NULL) return hc_reply_problem(req, 500, NULL, "out of memory");
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Content-Security-Policy", UI_CSP);
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    atomic_store(&req->bytes_out, len);
    return hc_reply(req, status, resp);
}

int ui_redirect(const struct ui_ctx *ctx, const char *location)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) return MHD_NO;
    MHD_add_response_header(resp, ctx->htmx ? "HX-Redirect" : "Location", location);
    return hc_reply(ctx->req, ctx->htmx ? 200 : 303, resp);
}

int ui_reply_not_found(const struct ui_ctx *ctx, const char *title, enum ui_nav nav,
                       const char *sentence)
{
    struct hc_strbuf sb;
    hc_strbuf_init(&sb);
    if (!ctx->htmx) ui_page_open(&sb, ctx, title, nav);
    ui_printf(&sb, "<p class=\"banner bad\">%s</p>", sentence);
    if (!ctx->htmx) ui_page_close(&sb);
    return ui_reply_html(ctx->req, 404, &sb);
}

bool ui_form_field(const struct hc_request *req, const char *name, char *out, size_t cap)
{
    return req->body != NULL && hc_form_value(req->body, req->body_len, name, out, cap);
}
