/*
 * strbuf.h — a growable text buffer for answers assembled piece by piece (/metrics, SSE frames,
 * HTML). Allocation failure is sticky: later appends do nothing and hc_strbuf_take returns NULL.
 */
#ifndef HOTCOPY_SERVER_STRBUF_H
#define HOTCOPY_SERVER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct hc_strbuf {
    char *data; /* NUL-terminated, owned */
    size_t len, cap;
    bool failed;
};

void hc_strbuf_init(struct hc_strbuf *sb);
void hc_strbuf_append(struct hc_strbuf *sb, const char *text, size_t len);
void hc_strbuf_printf(struct hc_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the text over (caller frees); NULL if an allocation failed. Leaves sb empty. */
char *hc_strbuf_take(struct hc_strbuf *sb, size_t *len);
void hc_strbuf_free(struct hc_strbuf *sb);

#endif
