/*
 * key.c — key normalization (format in key.h).
 */
#include "key.h"

#include <string.h>

#include "codec.h"
#include "record.h"

uint32_t key_fixed_size(JET_COLTYP t)
{
    switch (t) {
    case JET_coltypBit:
    case JET_coltypUnsignedByte: return 1;
    case JET_coltypShort:
    case JET_coltypUnsignedShort: return 2;
    case JET_coltypLong:
    case JET_coltypUnsignedLong:
    case JET_coltypIEEESingle: return 4;
    case JET_coltypLongLong:
    case JET_coltypUnsignedLongLong:
    case JET_coltypCurrency:
    case JET_coltypIEEEDouble:
    case JET_coltypDateTime: return 8;
    case JET_coltypGUID: return 16;
    default: return 0;
    }
}

static int is_signed(JET_COLTYP t)
{
    return t == JET_coltypShort || t == JET_coltypLong || t == JET_coltypLongLong || t == JET_coltypCurrency;
}

static int is_float(JET_COLTYP t)
{
    return t == JET_coltypIEEESingle || t == JET_coltypIEEEDouble || t == JET_coltypDateTime;
}

static int is_text(JET_COLTYP t) { return t == JET_coltypText || t == JET_coltypLongText; }

/* Writes a fixed-size value (host little-endian in data) big-endian into out, order-preserving. */
static void fixed_norm(JET_COLTYP t, const uint8_t *data, uint32_t n, uint8_t *out)
{
    if (t == JET_coltypBit) {
        out[0] = data[0] ? 0xFF : 0x00;
        return;
    }
    if (t == JET_coltypGUID) {
        memcpy(out, data, n);
        return;
    }
    for (uint32_t i = 0; i < n; i++) out[i] = data[n - 1 - i];
    if (is_signed(t)) {
        out[0] ^= 0x80;
    } else if (is_float(t)) {
        if (out[0] & 0x80)
            for (uint32_t i = 0; i < n; i++) out[i] = (uint8_t)~out[i];
        else
            out[0] ^= 0x80;
    }
}

static uint8_t fold(uint8_t c) { return c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c; }

JET_ERR key_append(uint8_t *key, uint32_t *klen, const struct coldef *c, int desc, const void *data,
                   uint32_t len, int is_null, int prefix_only)
{
    uint8_t seg[KEY_MAX * 2 + 8];
    uint32_t n = 0;
    uint32_t fixed = key_fixed_size(c->coltyp);
    if (!data && len) return JET_errInvalidParameter;
    if (is_null || !data) {
        seg[n++] = 0x00;
    } else if (fixed) {
        if (len != fixed) return JET_errInvalidBufferSize;
        seg[n++] = 0x7F;
        fixed_norm(c->coltyp, data, fixed, seg + n);
        n += fixed;
    } else {
        const uint8_t *p = data;
        int text = is_text(c->coltyp), wide = c->cp == 1200;
        seg[n++] = 0x7F;
        for (uint32_t i = 0; i < len && n < KEY_MAX + 4; i++) {
            uint8_t b = p[i];
            /* Fold ASCII letters; in UTF-16LE only units whose high byte is zero. */
            if (text && (!wide || ((i & 1) == 0 && i + 1 < len && p[i + 1] == 0))) b = fold(b);
            seg[n++] = b;
            if (b == 0x00) seg[n++] = 0xFF;
        }
        if (!prefix_only) {
            seg[n++] = 0x00;
            seg[n++] = 0x00;
        }
    }
    if (desc)
        for (uint32_t i = 0; i < n; i++) seg[i] = (uint8_t)~seg[i];
    uint32_t room = KEY_MAX - *klen;
    if (n > room) n = room;
    memcpy(key + *klen, seg, n);
    *klen += n;
    return JET_errSuccess;
}

JET_ERR key_build(const struct tabledef *td, const struct recbuf *r, uint8_t *key, uint32_t *klen)
{
    *klen = 0;
    for (uint32_t i = 0; i < td->nseg; i++) {
        const struct coldef *c = tabledef_col(td, td->seg[i].col);
        if (!c) return JET_errColumnNotFound;
        const uint8_t *p = NULL;
        uint32_t len = 0;
        int have = rec_get(r, c->id, 1, &p, &len);
        JET_ERR err = key_append(key, klen, c, td->seg[i].desc, have ? p : NULL, len, !have, 0);
        if (err < 0) return err;
    }
    return JET_errSuccess;
}

void key_pad_limit(uint8_t *key, uint32_t *klen)
{
    while (*klen < KEY_MAX) key[(*klen)++] = 0xFF;
}
