/*
 * router.c — matching a request path against the route table (see router.h).
 */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum param_kind { PARAM_ID, PARAM_KEY, PARAM_NAME };

static enum param_kind kind_of(const char *seg, size_t len)
{
    if (len == 4 && memcmp(seg, "{id}", 4) == 0) return PARAM_ID;
    if (len == 5 && memcmp(seg, "{key}", 5) == 0) return PARAM_KEY;
    return PARAM_NAME;
}

static bool param_is_valid(enum param_kind kind, const char *value, size_t len)
{
    switch (kind) {
    case PARAM_ID:
        if (len == 0 || len > 18 || value[0] == '0') return false;
        for (size_t i = 0; i < len; i++)
            if (value[i] < '0' || value[i] > '9') return false;
        return true;
    case PARAM_KEY: return hc_key_is_valid(value, len);
    case PARAM_NAME: return hc_name_is_valid(value, len);
    }
    return false;
}

/* Next segment of a '/'-separated path: *seg and *len; returns the rest, or NULL at the end. */
static const char *next_segment(const char *p, const char **seg, size_t *len)
{
    if (*p != '/') return NULL;
    p++;
    const char *end = strchr(p, '/');
    *seg = p;
    *len = end ? (size_t)(end - p) : strlen(p);
    return p + *len;
}

enum shape { SHAPE_NO, SHAPE_YES, SHAPE_BAD_PARAM };

/* Does path have the pattern's shape? Fills match's params when it does. */
static enum shape match_shape(const char *pattern, const char *path, struct hc_route_match *m)
{
    const char *pp = pattern, *rp = path;
    bool bad_param = false;
    m->param_count = 0;
    for (;;) {
        const char *pseg = NULL, *rseg = NULL;
        size_t plen = 0, rlen = 0;
        const char *pnext = next_segment(pp, &pseg, &plen);
        const char *rnext = next_segment(rp, &rseg, &rlen);
        if (pnext == NULL || rnext == NULL) {
            if (pnext != NULL || rnext != NULL || *pp != *rp) return SHAPE_NO;
            return bad_param ? SHAPE_BAD_PARAM : SHAPE_YES;
        }
        if (plen > 0 && pseg[0] == '{') {
            if (rlen == 0 || m->param_count == HC_ROUTE_PARAMS_MAX) return SHAPE_NO;
            char *dst = m->params[m->param_count];
            long n = hc_percent_decode(rseg, rlen, dst, HC_PARAM_MAX + 1, false);
            if (n < 0 || !param_is_valid(kind_of(pseg, plen), dst, (size_t)n)) {
                bad_param = true;
                n = 0;
                dst[0] = '\0';
            }
            m->param_len[m->param_count++] = (size_t)n;
        } else if (plen != rlen || memcmp(pseg, rseg, plen) != 0) {
            return SHAPE_NO;
        }
        pp = pnext;
        rp = rnext;
    }
}

enum hc_route_status hc_router_match(const struct hc_route *table, size_t count, const char *method,
                                     const char *path, struct hc_route_match *match, char *allow,
                                     size_t allowcap)
{
    bool shape_found = false, bad = false;
    size_t used = 0;
    if (allowcap > 0) allow[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        struct hc_route_match m;
        enum shape s = match_shape(table[i].pattern, path, &m);
        if (s == SHAPE_NO) continue;
        shape_found = true;
        if (strcmp(table[i].method, method) == 0) {
            if (s == SHAPE_BAD_PARAM) {
                bad = true;
                continue;
            }
            *match = m;
            match->route = &table[i];
            match->index = i;
            return HC_ROUTE_FOUND;
        }
        if (used < allowcap && strstr(allow, table[i].method) == NULL) {
            int n = snprintf(allow + used, allowcap - used, "%s%s", used ? ", " : "",
                             table[i].method);
            if (n > 0) used += (size_t)n;
            if (used >= allowcap) used = allowcap;
        }
    }
    if (bad) return HC_ROUTE_BAD_PARAMETER;
    return shape_found ? HC_ROUTE_METHOD_NOT_ALLOWED : HC_ROUTE_NOT_FOUND;
}

const char *hc_route_param(const struct hc_route_match *match, const char *name)
{
    if (match->route == NULL) return NULL;
    const char *p = match->route->pattern;
    size_t index = 0, nlen = strlen(name);
    while ((p = strchr(p, '{')) != NULL) {
        const char *close = strchr(p, '}');
        if (close == NULL) break;
        if ((size_t)(close - p - 1) == nlen && memcmp(p + 1, name, nlen) == 0)
            return index < match->param_count ? match->params[index] : NULL;
        index++;
        p = close + 1;
    }
    return NULL;
}
