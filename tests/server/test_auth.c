/*
 * test_auth.c — bearer token, sessions, cookies and the CSRF decision (server/auth.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../server/auth.h"

static void bearer_needs_the_exact_token(void **state)
{
    struct hc_auth *auth = hc_auth_create("s3cret");
    assert_true(hc_auth_bearer_ok(auth, "Bearer s3cret"));
    assert_true(hc_auth_bearer_ok(auth, "bearer s3cret"));
    assert_false(hc_auth_bearer_ok(auth, "Bearer s3cre"));
    assert_false(hc_auth_bearer_ok(auth, "Bearer s3cret2"));
    assert_false(hc_auth_bearer_ok(auth, "Basic s3cret"));
    assert_false(hc_auth_bearer_ok(auth, NULL));
    assert_false(hc_auth_bearer_ok(auth, "Bearer "));
    hc_auth_destroy(auth);
}

static void sessions_are_found_by_cookie_and_expire(void **state)
{
    struct hc_auth *auth = hc_auth_create("t");
    char sid[HC_SESSION_ID_LEN + 1], csrf[HC_SESSION_ID_LEN + 1], got[HC_SESSION_ID_LEN + 1];
    assert_true(hc_auth_session_create(auth, 1000, sid, csrf));
    char cookie[200];
    snprintf(cookie, sizeof cookie, "other=1; %s=%s; x=y", HC_SESSION_COOKIE, sid);
    assert_true(hc_auth_session_check(auth, cookie, 1001, got));
    assert_string_equal(got, csrf);
    assert_false(hc_auth_session_check(auth, cookie, 1000 + HC_SESSION_TTL + 1, got));
    assert_false(hc_auth_session_check(auth, "hc_session=deadbeef", 1001, got));
    hc_auth_session_end(auth, cookie);
    assert_false(hc_auth_session_check(auth, cookie, 1001, got));
    hc_auth_destroy(auth);
}

static void csrf_applies_to_unsafe_methods_only(void **state)
{
    assert_true(hc_csrf_ok("GET", "abc", NULL, NULL));
    assert_true(hc_csrf_ok("HEAD", "abc", NULL, NULL));
    assert_false(hc_csrf_ok("POST", "abc", NULL, NULL));
    assert_false(hc_csrf_ok("DELETE", "abc", "abd", NULL));
    assert_true(hc_csrf_ok("POST", "abc", "abc", NULL));
    assert_true(hc_csrf_ok("PUT", "abc", NULL, "abc"));
    assert_false(hc_csrf_ok("POST", "", "", NULL));
}

static void cookies_and_form_fields_are_parsed(void **state)
{
    char v[64];
    assert_true(hc_cookie_value("a=1; b=22", "b", v, sizeof v));
    assert_string_equal(v, "22");
    assert_false(hc_cookie_value("ab=1", "a", v, sizeof v));
    const char *form = "token=a%2Bb+c&csrf=x";
    assert_true(hc_form_value(form, strlen(form), "token", v, sizeof v));
    assert_string_equal(v, "a+b c");
    assert_true(hc_form_value(form, strlen(form), "csrf", v, sizeof v));
    assert_string_equal(v, "x");
    assert_false(hc_form_value(form, strlen(form), "tok", v, sizeof v));
}

static void token_file_is_created_0600_once(void **state)
{
    char dir[] = "/tmp/hc-auth-XXXXXX";
    assert_non_null(mkdtemp(dir));
    unsetenv("HOTCOPY_TOKEN");
    struct hc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.data_dir = dir;
    char t1[200], t2[200], err[200];
    bool created;
    assert_int_equal(hc_auth_load_token(&cfg, t1, sizeof t1, &created, err, sizeof err), 0);
    assert_true(created);
    assert_int_equal(strlen(t1), HC_TOKEN_HEX_LEN);
    char path[300];
    snprintf(path, sizeof path, "%s/token", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(hc_auth_load_token(&cfg, t2, sizeof t2, &created, err, sizeof err), 0);
    assert_false(created);
    assert_string_equal(t1, t2);
    setenv("HOTCOPY_TOKEN", "from-env", 1);
    assert_int_equal(hc_auth_load_token(&cfg, t2, sizeof t2, &created, err, sizeof err), 0);
    assert_string_equal(t2, "from-env");
    unsetenv("HOTCOPY_TOKEN");
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bearer_needs_the_exact_token),
        cmocka_unit_test(sessions_are_found_by_cookie_and_expire),
        cmocka_unit_test(csrf_applies_to_unsafe_methods_only),
        cmocka_unit_test(cookies_and_form_fields_are_parsed),
        cmocka_unit_test(token_file_is_created_0600_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
