/*
 * test_names.c — percent-decoding and name validation (server/names.c), and the escaping helper
 * (server/escape.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/escape.h"
#include "../../server/names.h"

static void percent_decoding_handles_escapes_and_refuses_bad_ones(void **state)
{
    char out[64];
    assert_int_equal(hc_percent_decode("a%2Fb%20c", 9, out, sizeof out, false), 5);
    assert_string_equal(out, "a/b c");
    assert_int_equal(hc_percent_decode("a+b", 3, out, sizeof out, true), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(hc_percent_decode("a+b", 3, out, sizeof out, false), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(hc_percent_decode("%zz", 3, out, sizeof out, false), -1);
    assert_int_equal(hc_percent_decode("ab%2", 4, out, sizeof out, false), -1);
    assert_int_equal(hc_percent_decode("a%00b", 5, out, sizeof out, false), -1);
    assert_int_equal(hc_percent_decode("abcdef", 6, out, 4, false), -1); /* does not fit */
}

static void file_names_refuse_paths_and_control_characters(void **state)
{
    assert_true(hc_name_is_valid("main.edb", 8));
    assert_true(hc_name_is_valid("edb00000003.log", 15));
    assert_false(hc_name_is_valid("", 0));
    assert_false(hc_name_is_valid(".", 1));
    assert_false(hc_name_is_valid("..", 2));
    assert_false(hc_name_is_valid("a/b", 3));
    assert_false(hc_name_is_valid("a\\b", 3));
    assert_false(hc_name_is_valid("x..y", 4));
    assert_false(hc_name_is_valid("a\nb", 3));
    assert_false(hc_name_is_valid("a\x7f", 2));
    assert_false(hc_name_is_valid("a\0b", 3));
    char longname[300];
    memset(longname, 'a', sizeof longname);
    assert_false(hc_name_is_valid(longname, 256));
    assert_true(hc_name_is_valid(longname, 255));
}

static void keys_are_any_bytes_but_nul(void **state)
{
    assert_true(hc_key_is_valid("a/b\n", 4));
    assert_true(hc_key_is_valid("\xff", 1));
    assert_false(hc_key_is_valid("a\0", 2));
    assert_false(hc_key_is_valid("", 0));
}

static void instance_names_are_directory_safe(void **state)
{
    assert_true(hc_instance_name_is_valid("restored-1"));
    assert_true(hc_instance_name_is_valid("default"));
    assert_false(hc_instance_name_is_valid("a b"));
    assert_false(hc_instance_name_is_valid(".."));
    assert_false(hc_instance_name_is_valid(""));
}

static void escaping_html_and_json(void **state)
{
    char *html = hc_escape_dup(HC_ESCAPE_HTML, "<a href=\"x\">&'</a>");
    assert_string_equal(html, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    free(html);
    char *json = hc_escape_dup(HC_ESCAPE_JSON, "a\"b\\c\nd\x01");
    assert_string_equal(json, "a\\\"b\\\\c\\nd\\u0001");
    free(json);
    char small[5];
    size_t need = hc_escape(HC_ESCAPE_HTML, "a<b", 3, small, sizeof small);
    assert_int_equal(need, 6);
    assert_string_equal(small, "a"); /* "&lt;" does not fit: nothing after it is written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percent_decoding_handles_escapes_and_refuses_bad_ones),
        cmocka_unit_test(file_names_refuse_paths_and_control_characters),
        cmocka_unit_test(keys_are_any_bytes_but_nul),
        cmocka_unit_test(instance_names_are_directory_safe),
        cmocka_unit_test(escaping_html_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
