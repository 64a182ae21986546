/*
 * auth.c — token, sessions and CSRF (see auth.h for the mechanism).
 */
#include "auth.h"

#include "names.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

struct session {
    char id[HC_SESSION_ID_LEN + 1]; /* "" when the slot is free */
    char csrf[HC_SESSION_ID_LEN + 1];
    time_t created;
};

struct hc_auth {
    char token[HC_TOKEN_HEX_LEN * 2 + 1];
    pthread_mutex_t lock; /* guards sessions */
    struct session sessions[HC_SESSIONS_MAX];
};

bool hc_secret_equal(const char *a, const char *b)
{
    size_t alen = strlen(a), blen = strlen(b);
    unsigned char diff = (unsigned char)(alen != blen);
    for (size_t i = 0; i < blen; i++) diff |= (unsigned char)(a[i < alen ? i : 0] ^ b[i]);
    return diff == 0 && alen == blen;
}

static bool random_hex(char *out, size_t hexlen)
{
    unsigned char bytes[64];
    size_t n = hexlen / 2;
    if (n > sizeof bytes) return false;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(bytes + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        got += (size_t)r;
    }
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", bytes[i]);
    out[hexlen] = '\0';
    return true;
}

static void trim_newline(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        s[--len] = '\0';
}

void hc_auth_token_path(const struct hc_config *cfg, char *out, size_t cap)
{
    if (cfg->token_file)
        snprintf(out, cap, "%s", cfg->token_file);
    else
        snprintf(out, cap, "%s/token", cfg->data_dir);
}

int hc_auth_load_token(const struct hc_config *cfg, char *token, size_t tokcap, bool *created,
                       char *err, size_t errcap)
{
    *created = false;
    const char *env = getenv("HOTCOPY_TOKEN");
    if (env != NULL && env[0] != '\0') {
        if (strlen(env) >= tokcap) {
            snprintf(err, errcap, "HOTCOPY_TOKEN is too long");
            return -1;
        }
        strcpy(token, env);
        return 0;
    }
    char path[4096];
    hc_auth_token_path(cfg, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        bool ok = fgets(token, (int)tokcap, f) != NULL;
        fclose(f);
        if (ok) trim_newline(token);
        if (!ok || token[0] == '\0') {
            snprintf(err, errcap, "token file %s is empty", path);
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        snprintf(err, errcap, "cannot read token file %s: %s", path, strerror(errno));
        return -1;
    }
    if (tokcap <= HC_TOKEN_HEX_LEN || !random_hex(token, HC_TOKEN_HEX_LEN)) {
        snprintf(err, errcap, "cannot make a random token");
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errcap, "cannot create token file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[HC_TOKEN_HEX_LEN + 2];
    int len = snprintf(line, sizeof line, "%s\n", token);
    bool ok = write(fd, line, (size_t)len) == len && fsync(fd) == 0;
    if (close(fd) != 0) ok = false;
    if (!ok) {
        snprintf(err, errcap, "cannot write token file %s", path);
        unlink(path);
        return -1;
    }
    *created = true;
    return 0;
}

struct hc_auth *hc_auth_create(const char *token)
{
    struct hc_auth *auth = calloc(1, sizeof *auth);
    if (auth == NULL) return NULL;
    snprintf(auth->token, sizeof auth->token, "%s", token);
    pthread_mutex_init(&auth->lock, NULL);
    return auth;
}

void hc_auth_destroy(struct hc_auth *auth)
{
    if (auth == NULL) return;
    pthread_mutex_destroy(&auth->lock);
    memset(auth, 0, sizeof *auth); /* no token left behind in freed memory */
    free(auth);
}

bool hc_auth_token_ok(const struct hc_auth *auth, const char *token)
{
    return token != NULL && auth->token[0] != '\0' && hc_secret_equal(token, auth->token);
}

bool hc_auth_bearer_ok(const struct hc_auth *auth, const char *authorization)
{
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0) return false;
    const char *p = authorization + 7;
    while (*p == ' ') p++;
    return hc_auth_token_ok(auth, p);
}

bool hc_auth_session_create(struct hc_auth *auth, time_t now, char *sid, char *csrf)
{
    if (!random_hex(sid, HC_SESSION_ID_LEN) || !random_hex(csrf, HC_SESSION_ID_LEN)) return false;
    pthread_mutex_lock(&auth->lock);
    struct session *slot = &auth->sessions[0];
    for (size_t i = 0; i < HC_SESSIONS_MAX; i++) {
        struct session *s = &auth->sessions[i];
        bool expired = s->id[0] != '\0' && now - s->created > HC_SESSION_TTL;
        if (s->id[0] == '\0' || expired) {
            slot = s;
            break;
        }
        if (s->created < slot->created) slot = s; /* evict the oldest when full */
    }
    memcpy(slot->id, sid, HC_SESSION_ID_LEN + 1);
    memcpy(slot->csrf, csrf, HC_SESSION_ID_LEN + 1);
    slot->created = now;
    pthread_mutex_unlock(&auth->lock);
    return true;
}

bool hc_auth_session_check(struct hc_auth *auth, const char *cookie_header, time_t now, char *csrf)
{
    char sid[HC_SESSION_ID_LEN + 2];
    if (!hc_cookie_value(cookie_header, HC_SESSION_COOKIE, sid, sizeof sid) ||
        strlen(sid) != HC_SESSION_ID_LEN)
        return false;
    bool found = false;
    pthread_mutex_lock(&auth->lock);
    for (size_t i = 0; i < HC_SESSIONS_MAX && !found; i++) {
        struct session *s = &auth->sessions[i];
        if (s->id[0] == '\0' || now - s->created > HC_SESSION_TTL) continue;
        if (hc_secret_equal(sid, s->id)) {
            found = true;
            if (csrf) memcpy(csrf, s->csrf, HC_SESSION_ID_LEN + 1);
        }
    }
    pthread_mutex_unlock(&auth->lock);
    return found;
}

void hc_auth_session_end(struct hc_auth *auth, const char *cookie_header)
{
    char sid[HC_SESSION_ID_LEN + 2];
    if (!hc_cookie_value(cookie_header, HC_SESSION_COOKIE, sid, sizeof sid)) return;
    pthread_mutex_lock(&auth->lock);
    for (size_t i = 0; i < HC_SESSIONS_MAX; i++)
        if (auth->sessions[i].id[0] != '\0' && hc_secret_equal(sid, auth->sessions[i].id))
            memset(&auth->sessions[i], 0, sizeof auth->sessions[i]);
    pthread_mutex_unlock(&auth->lock);
}

bool hc_cookie_value(const char *cookie_header, const char *name, char *out, size_t cap)
{
    if (cookie_header == NULL) return false;
    size_t nlen = strlen(name);
    const char *p = cookie_header;
    while (*p) {
        while (*p == ' ' || *p == ';') p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nlen && p[nlen] == '=' && strncmp(p, name, nlen) == 0) {
            size_t vlen = len - nlen - 1;
            if (vlen >= cap) return false;
            memcpy(out, p + nlen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        p += len;
    }
    return false;
}

bool hc_form_value(const char *body, size_t len, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name), i = 0;
    while (body != NULL && i < len) {
        const char *field = body + i;
        const char *amp = memchr(field, '&', len - i);
        size_t flen = amp ? (size_t)(amp - field) : len - i;
        if (flen > nlen && field[nlen] == '=' && strncmp(field, name, nlen) == 0)
            return hc_percent_decode(field + nlen + 1, flen - nlen - 1, out, cap, true) >= 0;
        i += flen + 1;
    }
    return false;
}

bool hc_method_is_safe(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
           strcmp(method, "OPTIONS") == 0;
}

bool hc_csrf_ok(const char *method, const char *session_csrf, const char *header_value,
                const char *form_value)
{
    if (hc_method_is_safe(method)) return true;
    if (session_csrf == NULL || session_csrf[0] == '\0') return false;
    if (header_value != NULL && hc_secret_equal(header_value, session_csrf)) return true;
    return form_value != NULL && hc_secret_equal(form_value, session_csrf);
}
