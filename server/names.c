/*
 * names.c — percent-decoding and name validation for everything taken from a URL (see names.h).
 */
#include "names.h"

#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long hc_percent_decode(const char *src, size_t srclen, char *dst, size_t dstcap, bool plus_is_space)
{
    size_t out = 0;
    for (size_t i = 0; i < srclen; i++) {
        char c = src[i];
        if (c == '%') {
            if (i + 2 >= srclen) return -1;
            int hi = hex_value(src[i + 1]), lo = hex_value(src[i + 2]);
            if (hi < 0 || lo < 0) return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0' || out + 1 >= dstcap) return -1;
        dst[out++] = c;
    }
    if (dstcap == 0) return -1;
    dst[out] = '\0';
    return (long)out;
}

bool hc_name_is_valid(const char *name, size_t len)
{
    if (name == NULL || len == 0 || len > HC_NAME_MAX) return false;
    if (strcmp(name, ".") == 0 || memchr(name, '\0', len) != NULL) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
        if (c == '.' && i + 1 < len && name[i + 1] == '.') return false;
    }
    return true;
}

bool hc_key_is_valid(const char *key, size_t len)
{
    return key != NULL && len > 0 && len <= HC_KEY_MAX && memchr(key, '\0', len) == NULL;
}

bool hc_instance_name_is_valid(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > 63 || !hc_name_is_valid(name, len)) return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}
