/*
 * escape.c — HTML and JSON string escaping (see escape.h).
 */
#include "escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The replacement for one byte, or NULL when it is copied as it is; shortbuf holds \uXXXX forms. */
static const char *replacement(enum hc_escape_mode mode, unsigned char c, char shortbuf[8])
{
    if (mode == HC_ESCAPE_HTML) {
        switch (c) {
        case '&': return "&amp;";
        case '<': return "&lt;";
        case '>': return "&gt;";
        case '"': return "&quot;";
        case '\'': return "&#39;";
        default: return NULL;
        }
    }
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default:
        if (c < 0x20 || c == 0x7f) {
            snprintf(shortbuf, 8, "\\u%04x", c);
            return shortbuf;
        }
        return NULL;
    }
}

size_t hc_escape(enum hc_escape_mode mode, const char *src, size_t len, char *dst, size_t cap)
{
    size_t need = 0, written = 0;
    char shortbuf[8];
    for (size_t i = 0; i < len; i++) {
        const char *rep = replacement(mode, (unsigned char)src[i], shortbuf);
        size_t rlen = rep ? strlen(rep) : 1;
        if (written == need && need + rlen < cap) { /* never write past a replacement cut short */
            if (rep)
                memcpy(dst + need, rep, rlen);
            else
                dst[need] = src[i];
            written += rlen;
        }
        need += rlen;
    }
    if (cap > 0) dst[written] = '\0';
    return need;
}

char *hc_escape_dup(enum hc_escape_mode mode, const char *src)
{
    size_t len = strlen(src);
    size_t need = hc_escape(mode, src, len, NULL, 0);
    char *out = malloc(need + 1);
    if (out == NULL) return NULL;
    hc_escape(mode, src, len, out, need + 1);
    return out;
}
