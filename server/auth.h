/*
 * auth.h — who may call /api/: the bearer token, the dashboard's session cookie, and the CSRF
 * check that goes with the cookie.
 *
 * The mechanism, for the dashboard's author:
 *   - The token comes from HOTCOPY_TOKEN, else from --token-file (default DATA/token), created 0600
 *     with 32 random bytes (getrandom, hex) at first start and printed once on stdout.
 *   - API clients send "Authorization: Bearer <token>". Missing or wrong: 401 with
 *     "WWW-Authenticate: Bearer". Bearer requests need no CSRF token (a browser never adds the
 *     header by itself).
 *   - GET /login serves a small HTML form; POST /login takes the token as a form field "token"
 *     (application/x-www-form-urlencoded) or JSON {"token": "..."}. On success it sets two cookies:
 *       hc_session=<id>  HttpOnly; SameSite=Strict; Path=/  (Secure under TLS)
 *       hc_csrf=<csrf>   SameSite=Strict; Path=/             (readable by the page's script)
 *     and answers 303 to "/" for a form, or 200 {"csrfToken": "..."} for JSON. Wrong token: 401.
 *   - With the cookie, GET/HEAD /api/ requests pass. Unsafe methods (POST, PUT, PATCH, DELETE)
 *     must also carry the session's CSRF token, either as the header "X-CSRF-Token" (htmx:
 *     hx-headers) or as a form field "csrf" in an application/x-www-form-urlencoded body; else
 *     403. GET /api/v1/session returns {"csrfToken"} to a cookie holder.
 *   - POST /logout ends the session named by the cookie and clears both cookies. It answers 303 to
 *     /login to a browser's own form submission (Accept names text/html, or the body is a form,
 *     and no "HX-Request: true"), so signing out works without JavaScript; else 204.
 *   - Sessions live in memory (a restart logs everyone out) for HC_SESSION_TTL seconds.
 * Comparisons of secrets are constant-time. Nothing here logs a token.
 */
#ifndef HOTCOPY_SERVER_AUTH_H
#define HOTCOPY_SERVER_AUTH_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HC_TOKEN_HEX_LEN 64         /* 32 random bytes as hex */
#define HC_SESSION_ID_LEN 64
#define HC_SESSIONS_MAX 256
#define HC_SESSION_TTL (12 * 3600)
#define HC_SESSION_COOKIE "hc_session"
#define HC_CSRF_COOKIE "hc_csrf"
#define HC_CSRF_HEADER "X-CSRF-Token"
#define HC_CSRF_FIELD "csrf"

struct hc_auth;

/* The token file's path: --token-file, else DATA/token. */
void hc_auth_token_path(const struct hc_config *cfg, char *out, size_t cap);

/* Finds the token: HOTCOPY_TOKEN, else the token file (hc_auth_token_path), else creates that file
 * (0600) with a random token and sets *created. token gets tokcap bytes. Returns 0, or -1 with
 * err set. */
int hc_auth_load_token(const struct hc_config *cfg, char *token, size_t tokcap, bool *created,
                       char *err, size_t errcap);

/* The auth state for one token (copied). NULL when out of memory. */
struct hc_auth *hc_auth_create(const char *token);
void hc_auth_destroy(struct hc_auth *auth);

/* An Authorization header value that is "Bearer <the token>" (scheme case-insensitive). */
bool hc_auth_bearer_ok(const struct hc_auth *auth, const char *authorization);
/* The token itself (login form). */
bool hc_auth_token_ok(const struct hc_auth *auth, const char *token);

/* A new session: its id and CSRF token (HC_SESSION_ID_LEN + 1 bytes each). now: time(NULL) in
 * production, a chosen time in tests. The oldest session is evicted when the table is full. */
bool hc_auth_session_create(struct hc_auth *auth, time_t now, char *sid, char *csrf);
/* Looks the session named by a Cookie header up; true (and its CSRF token in csrf, if not NULL)
 * when it exists and has not expired. */
bool hc_auth_session_check(struct hc_auth *auth, const char *cookie_header, time_t now, char *csrf);
/* Ends the session named by a Cookie header (no-op if none). */
void hc_auth_session_end(struct hc_auth *auth, const char *cookie_header);

/* ---- pure helpers -------------------------------------------------------------------------------- */

/* Constant-time equality of two NUL-terminated secrets (time depends only on b's length). */
bool hc_secret_equal(const char *a, const char *b);
/* The value of cookie `name` in a Cookie header, into out (cap bytes); false when absent. */
bool hc_cookie_value(const char *cookie_header, const char *name, char *out, size_t cap);
/* The value of field `name` in an application/x-www-form-urlencoded body, decoded. */
bool hc_form_value(const char *body, size_t len, const char *name, char *out, size_t cap);
/* GET, HEAD, OPTIONS: no CSRF check. */
bool hc_method_is_safe(const char *method);
/* The CSRF decision for a cookie-authenticated request: safe methods pass; otherwise the header
 * value or the form field must equal the session's token. */
bool hc_csrf_ok(const char *method, const char *session_csrf, const char *header_value,
                const char *form_value);

#endif
