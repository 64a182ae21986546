/*
 * test_bodies.c — the API's JSON request bodies (server/bodies.c): what each parser accepts, what
 * it refuses with a 400 detail, and numbers far outside a field's range refused before any cast
 * (the handlers cast such doubles before checking them, undefined behaviour seen when the parsers
 * were taken out of the handlers for fuzz/fuzz_json.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../server/bodies.h"

static cJSON *parse(const char *text) { return hc_json_object_parse(text, strlen(text)); }

static void only_objects_are_bodies(void **state)
{
    cJSON *empty = hc_json_object_parse("", 0);
    assert_true(cJSON_IsObject(empty));
    cJSON_Delete(empty);
    assert_null(parse("[1, 2]"));
    assert_null(parse("\"text\""));
    assert_null(parse("{\"a\": "));
    assert_null(parse("{} trailing"));
    cJSON *ok = parse(" {\"a\": 1} ");
    assert_non_null(ok);
    cJSON_Delete(ok);
}

static void whole_numbers_are_checked_before_conversion(void **state)
{
    const char *refused[] = {"-1", "0.5", "1e300", "-1e300", "9007199254740993", "18446744073709551616", "true",
                             "\"5\"", "null"};
    uint64_t v;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        cJSON *n = cJSON_Parse(refused[i]);
        assert_false(hc_json_whole(n, UINT64_MAX, &v));
        cJSON_Delete(n);
    }
    cJSON *n = cJSON_Parse("4294967296");
    assert_false(hc_json_whole(n, 0xFFFFFFFFu, &v));
    assert_true(hc_json_whole(n, UINT64_MAX, &v));
    assert_true(v == 4294967296ull);
    cJSON_Delete(n);
    n = cJSON_Parse("0");
    assert_true(hc_json_whole(n, 0, &v));
    assert_true(v == 0);
    cJSON_Delete(n);
}

static void backup_begin_defaults_types_and_rates(void **state)
{
    struct hc_backup_begin_body b;
    cJSON *body = parse("{}");
    assert_null(hc_body_backup_begin(body, &b));
    assert_string_equal(b.instance, "default");
    assert_int_equal(b.type, CAT_BACKUP_FULL);
    assert_false(b.has_target);
    cJSON_Delete(body);
    body = parse("{\"instance\": \"i1\", \"type\": \"incremental\", \"target\": \"rgw\", \"maxBytesPerSecond\": 1000}");
    assert_null(hc_body_backup_begin(body, &b));
    assert_string_equal(b.instance, "i1");
    assert_int_equal(b.type, CAT_BACKUP_INCREMENTAL);
    assert_true(b.has_target && b.target_is_string);
    assert_string_equal(b.target, "rgw");
    assert_true(b.max_bytes_per_second == 1000);
    cJSON_Delete(body);
    const char *refused[] = {"{\"type\": \"differential\"}", "{\"type\": 1}", "{\"instance\": 7}",
                             "{\"maxBytesPerSecond\": 1e300}", "{\"maxBytesPerSecond\": -5}",
                             "{\"maxBytesPerSecond\": 2.5}"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        body = parse(refused[i]);
        assert_non_null(hc_body_backup_begin(body, &b));
        cJSON_Delete(body);
    }
    body = parse("{\"target\": 5}"); /* present, not a name: the handler answers Unknown target */
    assert_null(hc_body_backup_begin(body, &b));
    assert_true(b.has_target && !b.target_is_string);
    cJSON_Delete(body);
    body = parse("{\"target\": null}");
    assert_null(hc_body_backup_begin(body, &b));
    assert_false(b.has_target);
    cJSON_Delete(body);
}

static void an_overlong_instance_name_names_no_instance(void **state)
{
    char text[600];
    memset(text, 0, sizeof text);
    strcpy(text, "{\"instance\": \"");
    memset(text + strlen(text), 'a', 300);
    strcat(text, "\"}");
    struct hc_backup_begin_body b;
    cJSON *body = parse(text);
    assert_null(hc_body_backup_begin(body, &b));
    assert_string_equal(b.instance, ""); /* not truncated into another instance's name: 404 */
    cJSON_Delete(body);
}

static void backup_end_and_rate_patch(void **state)
{
    bool abort, truncate_done;
    uint64_t rate;
    cJSON *body = parse("{\"abort\": true, \"truncateDone\": false}");
    assert_null(hc_body_backup_end(body, &abort, &truncate_done));
    assert_true(abort);
    assert_false(truncate_done);
    cJSON_Delete(body);
    body = parse("{\"abort\": 1}");
    assert_non_null(hc_body_backup_end(body, &abort, &truncate_done));
    cJSON_Delete(body);
    body = parse("{\"maxBytesPerSecond\": 0}");
    assert_null(hc_body_rate_patch(body, &rate));
    assert_true(rate == 0);
    cJSON_Delete(body);
    body = parse("{\"maxBytesPerSecond\": 1e19}");
    assert_non_null(hc_body_rate_patch(body, &rate));
    cJSON_Delete(body);
    body = parse("{}");
    assert_non_null(hc_body_rate_patch(body, &rate));
    cJSON_Delete(body);
}

static void restore_bodies(void **state)
{
    struct hc_restore_create_body c;
    cJSON *body = parse("{\"instance\": \"restored-1\"}");
    assert_null(hc_body_restore_create(body, &c));
    assert_string_equal(c.instance, "restored-1");
    assert_false(c.from_target);
    cJSON_Delete(body);
    body = parse("{\"instance\": [], \"from\": {}}");
    assert_null(hc_body_restore_create(body, &c));
    assert_string_equal(c.instance, "");
    assert_true(c.from_target);
    cJSON_Delete(body);

    unsigned long lo, hi;
    const cJSON *dbs;
    body = parse("{\"genLow\": 3, \"genHigh\": 4294967295, \"databases\": {\"main.edb\": \"/x/main.edb\"}}");
    assert_null(hc_body_restore_run(body, &lo, &hi, &dbs));
    assert_int_equal(lo, 3);
    assert_true(hi == 4294967295ul);
    assert_true(cJSON_IsObject(dbs));
    cJSON_Delete(body);
    const char *refused[] = {"{\"genLow\": -1}", "{\"genHigh\": 1e30}", "{\"genLow\": 4294967296}", "{\"genLow\": 1.5}",
                             "{\"genLow\": \"3\"}", "{\"databases\": [\"main.edb\"]}"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        body = parse(refused[i]);
        assert_non_null(hc_body_restore_run(body, &lo, &hi, &dbs));
        cJSON_Delete(body);
    }
}

static void load_start(void **state)
{
    double rate, secs;
    cJSON *body = parse("{\"writesPerSecond\": 500}");
    assert_null(hc_body_load_start(body, 60, &rate, &secs));
    assert_true(rate == 500 && secs == 60);
    cJSON_Delete(body);
    body = parse("{\"writesPerSecond\": \"fast\", \"seconds\": false}");
    hc_body_load_start(body, 60, &rate, &secs);
    assert_true(rate < 0 && secs < 0); /* out of range: hc_loadgen_start answers 400 */
    cJSON_Delete(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_objects_are_bodies),
        cmocka_unit_test(whole_numbers_are_checked_before_conversion),
        cmocka_unit_test(backup_begin_defaults_types_and_rates),
        cmocka_unit_test(an_overlong_instance_name_names_no_instance),
        cmocka_unit_test(backup_end_and_rate_patch),
        cmocka_unit_test(restore_bodies),
        cmocka_unit_test(load_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
