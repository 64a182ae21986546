/*
 * test_manifest.c — the offsite set's layout (server/manifest.c, manifest_digest.c): object keys,
 * manifest.json round trip and its refusals, and the streaming digests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/loadgen.h"
#include "../../server/manifest.h"

#define T0 1795881074000000LL /* 2026-11-28T15:51:14Z */

static void keys_follow_the_documented_layout(void **state)
{
    char p[HC_MANIFEST_KEY_MAX], k[HC_MANIFEST_KEY_MAX];
    assert_int_equal(hc_manifest_set_prefix("/site-a/nightly/", "default", 17, false, T0, p, sizeof p), 0);
    assert_string_equal(p, "site-a/nightly/default/17-full-20261128T155114Z/");
    assert_int_equal(hc_manifest_object_key(p, "main.edb", k, sizeof k), 0);
    assert_string_equal(k, "site-a/nightly/default/17-full-20261128T155114Z/main.edb");
    assert_int_equal(hc_manifest_set_prefix("", "db2", 3, true, T0, p, sizeof p), 0);
    assert_string_equal(p, "db2/3-incremental-20261128T155114Z/");
    assert_int_equal(hc_manifest_set_prefix(NULL, "db2", 3, true, T0, p, sizeof p), 0);
    assert_string_equal(p, "db2/3-incremental-20261128T155114Z/");
    assert_int_equal(hc_manifest_object_key(p, HC_MANIFEST_NAME, k, sizeof k), 0);
    assert_true(hc_manifest_key_is_manifest(k));
    assert_false(hc_manifest_key_is_manifest("db2/3-incremental-20261128T155114Z/main.edb"));
}

static void keys_refuse_bad_names_and_short_buffers(void **state)
{
    char p[64], k[HC_MANIFEST_KEY_MAX];
    assert_int_equal(hc_manifest_set_prefix("x", "a/b", 1, false, T0, p, sizeof p), -1);
    assert_int_equal(hc_manifest_set_prefix("x", "inst", 0, false, T0, p, sizeof p), -1);
    assert_int_equal(hc_manifest_set_prefix("a-rather-long-prefix-for-a-small-buffer", "inst", 1,
                                            false, T0, p, 40), -1);
    assert_int_equal(hc_manifest_object_key("x/", "../evil", k, sizeof k), -1);
    assert_int_equal(hc_manifest_object_key("x/", "", k, sizeof k), -1);
    assert_int_equal(hc_manifest_object_key("x/", "..", k, sizeof k), -1);
}

static void fill_file(struct hc_manifest *m, const char *name, enum hc_manifest_kind kind, uint64_t size)
{
    struct hc_manifest_file *f = &m->files[m->file_count++];
    snprintf(f->name, sizeof f->name, "%s", name);
    f->kind = kind;
    snprintf(f->key, sizeof f->key, "%s%s", m->set_prefix, name);
    f->size = size;
    memset(f->sha256, 'a', 64);
    f->sha256[64] = '\0';
    f->sha256[5] = '0' + (char)(m->file_count % 10);
    f->crc32c = 0xdeadbeefu - (uint32_t)m->file_count;
    if (kind == HC_MANIFEST_DATABASE) snprintf(f->original_path, sizeof f->original_path, "/data/default/%s", name);
}

static void make_full(struct hc_manifest *m)
{
    memset(m, 0, sizeof *m);
    snprintf(m->instance, sizeof m->instance, "default");
    m->backup_id = 17;
    snprintf(m->recorded_as, sizeof m->recorded_as, "full");
    m->started_us = T0;
    m->completed_us = T0 + 61123000;
    m->gen_low = 3;
    m->gen_high = 9;
    snprintf(m->log_base_name, sizeof m->log_base_name, "edb");
    snprintf(m->log_set_signature, sizeof m->log_set_signature, "1a2b3c4d-20261128T150000Z-host");
    hc_manifest_set_prefix("pfx", "default", 17, false, T0, m->set_prefix, sizeof m->set_prefix);
    fill_file(m, "main.edb", HC_MANIFEST_DATABASE, 5ull << 32);
    fill_file(m, "edb00000003.log", HC_MANIFEST_LOG, 131072);
    fill_file(m, "edb00000009.log", HC_MANIFEST_LOG, 131072);
}

static void a_manifest_survives_encode_and_decode(void **state)
{
    struct hc_manifest m, back;
    char why[256];
    make_full(&m);
    char *text = hc_manifest_encode(&m);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"crc32c\":\t\"deadbeee\""));
    assert_int_equal(hc_manifest_decode(text, strlen(text), &back, why, sizeof why), 0);
    free(text);
    assert_string_equal(back.instance, "default");
    assert_int_equal(back.backup_id, 17);
    assert_false(back.incremental);
    assert_string_equal(back.recorded_as, "full");
    assert_int_equal(back.started_us, T0);
    assert_int_equal(back.completed_us, T0 + 61123000);
    assert_int_equal(back.gen_low, 3);
    assert_int_equal(back.gen_high, 9);
    assert_string_equal(back.log_set_signature, m.log_set_signature);
    assert_string_equal(back.set_prefix, m.set_prefix);
    assert_string_equal(back.chain_full, "");
    assert_int_equal(back.file_count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(back.files[i].name, m.files[i].name);
        assert_string_equal(back.files[i].key, m.files[i].key);
        assert_int_equal(back.files[i].size, m.files[i].size);
        assert_string_equal(back.files[i].sha256, m.files[i].sha256);
        assert_int_equal(back.files[i].crc32c, m.files[i].crc32c);
        assert_int_equal(back.files[i].kind, m.files[i].kind);
        assert_string_equal(back.files[i].original_path, m.files[i].original_path);
    }
    assert_non_null(hc_manifest_find(&back, "edb00000009.log"));
    assert_null(hc_manifest_find(&back, "nope"));
}

static void an_incremental_carries_its_chain(void **state)
{
    struct hc_manifest m, back;
    char why[256];
    make_full(&m);
    m.incremental = true;
    m.file_count = 0;
    hc_manifest_set_prefix("pfx", "default", 19, true, T0, m.set_prefix, sizeof m.set_prefix);
    fill_file(&m, "edb0000000A.log", HC_MANIFEST_LOG, 131072);
    assert_int_equal(hc_manifest_validate(&m, why, sizeof why), -1); /* no chain.full */
    assert_non_null(strstr(why, "chain.full"));
    snprintf(m.chain_full, sizeof m.chain_full, "pfx/default/17-full-20261128T155114Z/manifest.json");
    snprintf(m.chain_previous, sizeof m.chain_previous, "pfx/default/18-incremental-20261128T155114Z/manifest.json");
    char *text = hc_manifest_encode(&m);
    assert_non_null(text);
    assert_int_equal(hc_manifest_decode(text, strlen(text), &back, why, sizeof why), 0);
    free(text);
    assert_true(back.incremental);
    assert_string_equal(back.chain_full, m.chain_full);
    assert_string_equal(back.chain_previous, m.chain_previous);
}

/* Encodes a valid manifest, replaces `from` by `to` in the text, and expects decode to fail. */
static void expect_refused(const char *from, const char *to, const char *reason)
{
    struct hc_manifest m, back;
    char why[256] = "";
    make_full(&m);
    char *text = hc_manifest_encode(&m);
    assert_non_null(text);
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t len = strlen(text) - strlen(from) + strlen(to) + 1;
    char *edited = malloc(len);
    snprintf(edited, len, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    assert_int_equal(hc_manifest_decode(edited, strlen(edited), &back, why, sizeof why), -1);
    if (strstr(why, reason) == NULL) fail_msg("why = \"%s\", expected \"%s\"", why, reason);
    free(edited);
    free(text);
}

static void decode_refuses_broken_manifests(void **state)
{
    expect_refused("\"hotcopy-manifest\"", "\"something-else\"", "not a hotcopy manifest");
    expect_refused("\"version\":\t1", "\"version\":\t2", "version 2");
    expect_refused("\"crc32c\":\t\"deadbeee\"", "\"crc32c\":\t\"xyz\"", "crc32c");
    expect_refused("\"name\":\t\"main.edb\"", "\"name\":\t\"../main.edb\"", "plain file name");
    expect_refused("\"genLow\":\t3", "\"genLow\":\t12", "range");
    expect_refused("\"kind\":\t\"database\"", "\"kind\":\t\"log\"", "needs a database");
    expect_refused("\"sha256\":\t\"aaaaa", "\"sha256\":\t\"Xaaaa", "sha256");
    expect_refused("\"size\":\t131072", "\"size\":\t-1", "required");
    struct hc_manifest back;
    char why[128];
    assert_int_equal(hc_manifest_decode("{nope", 5, &back, why, sizeof why), -1);
    assert_non_null(strstr(why, "not JSON"));
}

static void a_key_outside_the_set_is_refused(void **state)
{
    struct hc_manifest m;
    char why[256];
    make_full(&m);
    snprintf(m.files[1].key, sizeof m.files[1].key, "elsewhere/edb00000003.log");
    assert_int_equal(hc_manifest_validate(&m, why, sizeof why), -1);
    assert_null(hc_manifest_encode(&m));
}

static void crc32c_streams_and_matches_the_check_value(void **state)
{
    assert_int_equal(hc_crc32c_update(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(hc_crc32c_update(0, "", 0), 0);
    unsigned char buf[100003];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 31 + (i >> 7));
    uint32_t whole = hc_crc32c_update(0, buf, sizeof buf);
    assert_int_equal(whole, hc_crc32c(buf, sizeof buf)); /* the reference bitwise CRC */
    uint32_t parts = hc_crc32c_update(hc_crc32c_update(hc_crc32c_update(0, buf, 7), buf + 7, 50000),
                                      buf + 50007, sizeof buf - 50007);
    assert_int_equal(parts, whole);
}

static void digest_gives_sha256_and_crc32c(void **state)
{
    struct hc_digest d;
    char hex[HC_SHA256_HEX];
    uint32_t crc;
    assert_int_equal(hc_digest_init(&d), 0);
    hc_digest_update(&d, "abc", 3);
    hc_digest_final(&d, hex, &crc);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(crc, hc_crc32c("abc", 3));
    assert_int_equal(hc_digest_init(&d), 0);
    hc_digest_discard(&d);
    hc_digest_discard(&d); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_follow_the_documented_layout),
        cmocka_unit_test(keys_refuse_bad_names_and_short_buffers),
        cmocka_unit_test(a_manifest_survives_encode_and_decode),
        cmocka_unit_test(an_incremental_carries_its_chain),
        cmocka_unit_test(decode_refuses_broken_manifests),
        cmocka_unit_test(a_key_outside_the_set_is_refused),
        cmocka_unit_test(crc32c_streams_and_matches_the_check_value),
        cmocka_unit_test(digest_gives_sha256_and_crc32c),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
