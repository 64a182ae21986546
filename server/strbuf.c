/*
 * strbuf.c — growable text buffer (see strbuf.h).
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_strbuf_init(struct hc_strbuf *sb)
{
    memset(sb, 0, sizeof *sb);
}

static bool reserve(struct hc_strbuf *sb, size_t extra)
{
    if (sb->failed) return false;
    if (sb->len + extra + 1 <= sb->cap) return true;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1) cap *= 2;
    char *grown = realloc(sb->data, cap);
    if (grown == NULL) {
        sb->failed = true;
        return false;
    }
    sb->data = grown;
    sb->cap = cap;
    return true;
}

void hc_strbuf_append(struct hc_strbuf *sb, const char *text, size_t len)
{
    if (!reserve(sb, len)) return;
    memcpy(sb->data + sb->len, text, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void hc_strbuf_printf(struct hc_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(sb, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

char *hc_strbuf_take(struct hc_strbuf *sb, size_t *len)
{
    if (sb->failed || !reserve(sb, 0)) {
        hc_strbuf_free(sb);
        return NULL;
    }
    char *out = sb->data;
    if (len) *len = sb->len;
    hc_strbuf_init(sb);
    return out;
}

void hc_strbuf_free(struct hc_strbuf *sb)
{
    free(sb->data);
    hc_strbuf_init(sb);
}
