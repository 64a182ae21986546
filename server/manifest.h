/*
 * manifest.h — what an offsite backup set looks like in the object store: the object key layout
 * and manifest.json (encode, decode, validate), plus the streaming digests (SHA-256, CRC32C)
 * computed from the bytes sent. Pure: no network, no catalog; docs/S3-LAYOUT.md is the prose
 * version of this header.
 *
 * Key layout (PREFIX without leading or trailing '/', "" allowed):
 *   [PREFIX/]<instance>/<backup id>-<type>-<UTC time YYYYMMDDTHHMMSSZ>/<file name>
 *   [PREFIX/]<instance>/<backup id>-<type>-<UTC time>/manifest.json     (written last)
 * A set without manifest.json is incomplete by construction and is never listed or restored.
 *
 * manifest.json (version 1), every field always present:
 *   {"format": "hotcopy-manifest", "version": 1,
 *    "instance": "default", "backupId": 17, "type": "full" | "incremental",
 *    "recordedAs": "full" | "copy" | "incremental" | "differential" | null,
 *    "startedAt": RFC 3339, "completedAt": RFC 3339,
 *    "genLow": 3, "genHigh": 9, "logBaseName": "edb",
 *    "logSetSignature": "<random hex>-<creation time>-<computer name>",
 *    "setPrefix": "<the set's key prefix, ending in '/'>",
 *    "chain": {"full": <manifest key of the full it builds on> | null,
 *              "previous": <manifest key of the previous incremental> | null},
 *    "files": [{"name": "main.edb", "kind": "database" | "log", "key": "<object key>",
 *               "size": 8388608, "sha256": "<64 hex>", "crc32c": "<8 hex>",
 *               "originalPath": "<the database's path on the source, as the logs record it>"
 *               (databases only)}]}
 * For a full backup chain.full and chain.previous are null. For an incremental, chain.full is the
 * full set it builds on and chain.previous the newest incremental after that full (null when it
 * is the first one).
 */
#ifndef HOTCOPY_SERVER_MANIFEST_H
#define HOTCOPY_SERVER_MANIFEST_H

#include <gnutls/crypto.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HC_MANIFEST_FORMAT "hotcopy-manifest"
#define HC_MANIFEST_VERSION 1
#define HC_MANIFEST_NAME "manifest.json"
#define HC_MANIFEST_FILES_MAX 512 /* as many as an engine backup lists (JET_XBACKUP_FILES_MAX) */
#define HC_MANIFEST_KEY_MAX 1024
#define HC_MANIFEST_NAME_MAX 256
#define HC_MANIFEST_PATH_MAX 1024
#define HC_SHA256_HEX 65 /* 64 digits and the NUL */
#define HC_MANIFEST_MAX_BYTES (1024 * 1024) /* a larger manifest.json is refused */

enum hc_manifest_kind { HC_MANIFEST_DATABASE = 1, HC_MANIFEST_LOG };

struct hc_manifest_file {
    char name[HC_MANIFEST_NAME_MAX];
    enum hc_manifest_kind kind;
    char key[HC_MANIFEST_KEY_MAX];
    uint64_t size;
    char sha256[HC_SHA256_HEX];
    uint32_t crc32c;
    char original_path[HC_MANIFEST_PATH_MAX]; /* databases; "" for logs */
};

struct hc_manifest {
    char instance[HC_MANIFEST_NAME_MAX];
    int64_t backup_id;
    bool incremental;                     /* type */
    char recorded_as[16];                 /* "full", "copy", "incremental", "differential", "" = null */
    int64_t started_us, completed_us;     /* unix micros */
    unsigned long gen_low, gen_high;
    char log_base_name[8];
    char log_set_signature[160];
    char set_prefix[HC_MANIFEST_KEY_MAX]; /* ends in '/' */
    char chain_full[HC_MANIFEST_KEY_MAX]; /* "" = null */
    char chain_previous[HC_MANIFEST_KEY_MAX];
    size_t file_count;
    struct hc_manifest_file files[HC_MANIFEST_FILES_MAX];
};

/* ---- key layout --------------------------------------------------------------------------------- */

/* The set prefix "[PREFIX/]instance/<id>-<type>-<YYYYMMDDTHHMMSSZ>/" for a backup started at
 * started_us. prefix may be NULL or "" and may carry a leading/trailing '/' (trimmed). Returns 0,
 * or -1 when it does not fit in cap bytes or an argument is bad. */
int hc_manifest_set_prefix(const char *prefix, const char *instance, int64_t backup_id,
                           bool incremental, int64_t started_us, char *out, size_t cap);
/* set_prefix + name (a plain file name, or HC_MANIFEST_NAME). 0 or -1 (too long, bad name). */
int hc_manifest_object_key(const char *set_prefix, const char *name, char *out, size_t cap);
/* True when key ends in "/manifest.json". */
bool hc_manifest_key_is_manifest(const char *key);

/* ---- encode / decode ---------------------------------------------------------------------------- */

/* The manifest as JSON text (malloc()ed, NUL-terminated; caller frees). NULL when out of memory
 * or when the manifest does not validate (see hc_manifest_validate). */
char *hc_manifest_encode(const struct hc_manifest *m);
/* Parses and validates JSON text (len bytes). Returns 0, or -1 with why (errcap bytes). */
int hc_manifest_decode(const char *text, size_t len, struct hc_manifest *out, char *why,
                       size_t errcap);
/* Checks the invariants: names are plain file names, keys lie under set_prefix, digests are
 * well-formed, genLow <= genHigh, at least one file, an incremental has chain.full and no
 * database, a full has no chain and at least one database. 0 or -1 with why. */
int hc_manifest_validate(const struct hc_manifest *m, char *why, size_t errcap);

/* The file entry of that name, or NULL. */
const struct hc_manifest_file *hc_manifest_find(const struct hc_manifest *m, const char *name);

/* ---- digests of the bytes sent ------------------------------------------------------------------ */

/* CRC32C (Castagnoli) continued over len more bytes: crc of "" is 0, and
 * hc_crc32c_update(hc_crc32c_update(0, a), b) is the CRC32C of a||b. SSE4.2 when the CPU has it. */
uint32_t hc_crc32c_update(uint32_t crc, const void *data, size_t len);

struct hc_digest {
    gnutls_hash_hd_t sha;
    uint32_t crc;
    uint64_t bytes;
    bool live;
};

/* 0, or -1 when GnuTLS cannot start a hash. */
int hc_digest_init(struct hc_digest *d);
void hc_digest_update(struct hc_digest *d, const void *data, size_t len);
/* Ends the digest: sha_hex (65 bytes) and *crc32c. */
void hc_digest_final(struct hc_digest *d, char sha_hex[HC_SHA256_HEX], uint32_t *crc32c);
/* Frees a digest that is not finalised (no-op otherwise). */
void hc_digest_discard(struct hc_digest *d);

#endif
