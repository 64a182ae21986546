/*
 * fuzz_route.c — URLs and names: the router (hc_router_match over the real route table, which
 * splits the raw path and percent-decodes each segment), the name and key rules of names.h, the
 * percent decoder, and the other request text the server parses before any handler runs: the
 * Cookie header (session id), form fields (CSRF token, login) and bearer tokens (auth.h).
 *
 * Input: u8 method selector, u8 mode, then the text (a path, or a header value / form body).
 * Checked (router.h, names.h): a matched route has the asked method; every parameter it hands a
 * handler obeys its kind (an id is decimal without a leading zero, a name has no '/', '\\', "..",
 * NUL or control character and is not ".", a key is 1..255 bytes without NUL); a decoded name
 * never contains what its escape-free form would refuse; cookie and form values fit their buffers.
 */
#include "common.h"

#include "../server/auth.h"
#include "../server/names.h"
#include "../server/router.h"
#include "../server/routes.h"

#include <stdlib.h>
#include <string.h>

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get"};

static void check_param(const char *pattern_seg, size_t seglen, const char *value, size_t len)
{
    if (strlen(value) != len) abort(); /* no NUL inside a parameter */
    if (seglen == 4 && memcmp(pattern_seg, "{id}", 4) == 0) {
        if (len == 0 || len > 18 || value[0] == '0') abort();
        for (size_t i = 0; i < len; i++)
            if (value[i] < '0' || value[i] > '9') abort();
    } else if (seglen == 5 && memcmp(pattern_seg, "{key}", 5) == 0) {
        if (!hc_key_is_valid(value, len)) abort();
    } else {
        if (len == 0 || len > HC_NAME_MAX || strchr(value, '/') || strchr(value, '\\') || strstr(value, "..") ||
            strcmp(value, ".") == 0)
            abort();
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) abort();
    }
}

static void route(const char *method, const char *path)
{
    struct hc_route_match m;
    char allow[64];
    enum hc_route_status st = hc_router_match(hc_routes, hc_route_count, method, path, &m, allow, sizeof allow);
    if (st == HC_ROUTE_METHOD_NOT_ALLOWED && allow[0] == '\0') abort();
    if (st != HC_ROUTE_FOUND) return;
    if (strcmp(m.route->method, method) != 0) abort();
    /* walk the pattern's parameters in order */
    const char *p = m.route->pattern;
    size_t index = 0;
    while ((p = strchr(p, '{')) != NULL) {
        const char *close = strchr(p, '}');
        if (close == NULL || index >= m.param_count) abort();
        check_param(p, (size_t)(close - p + 1), m.params[index], m.param_len[index]);
        char name[32];
        size_t nlen = (size_t)(close - p - 1);
        if (nlen < sizeof name) {
            memcpy(name, p + 1, nlen);
            name[nlen] = '\0';
            if (hc_route_param(&m, name) == NULL) abort();
        }
        index++;
        p = close + 1;
    }
    if (index != m.param_count) abort();
}

static void names(const char *text, size_t len)
{
    char decoded[HC_NAME_MAX + 1];
    long n = hc_percent_decode(text, len, decoded, sizeof decoded, len % 2);
    if (n >= 0) {
        if ((size_t)n != strlen(decoded)) abort();
        if (hc_name_is_valid(decoded, (size_t)n) && (strchr(decoded, '/') || strstr(decoded, ".."))) abort();
        if (hc_instance_name_is_valid(decoded) && !hc_name_is_valid(decoded, (size_t)n)) abort();
        (void)hc_key_is_valid(decoded, (size_t)n);
    }
}

static void headers(const char *text, size_t len, struct hc_auth *auth)
{
    char out[HC_SESSION_ID_LEN + 1];
    if (hc_cookie_value(text, "hc_session", out, sizeof out) && strlen(out) >= sizeof out) abort();
    if (hc_form_value(text, len, "csrf", out, sizeof out) && strlen(out) >= sizeof out) abort();
    if (hc_form_value(text, len, "token", out, sizeof out) && strlen(out) >= sizeof out) abort();
    (void)hc_auth_bearer_ok(auth, text);
    (void)hc_auth_session_check(auth, text, 1000, out);
    (void)hc_csrf_ok(methods[len % 8], "abc", text, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hc_auth *auth;
    if (auth == NULL) auth = hc_auth_create("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    struct fz_in in;
    fz_init(&in, data, size);
    const char *method = methods[fz_u8(&in) % 8];
    uint8_t mode = fz_u8(&in);
    size_t n;
    const uint8_t *rest = fz_rest(&in, &n);
    char *text = malloc(n + 2);
    if (text == NULL) return 0;
    memcpy(text, rest, n);
    text[n] = '\0';
    switch (mode % 3) {
    case 0: route(method, text); break;
    case 1: names(text, strlen(text)); break;
    default: headers(text, n, auth); break;
    }
    free(text);
    return 0;
}
