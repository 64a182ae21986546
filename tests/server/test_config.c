/*
 * test_config.c — hotcopyd's command line (server/config.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../server/config.h"
#include "../../server/instance.h"
#include "../../server/restore.h"
#include "../../server/upload.h"

static enum hc_config_result parse(struct hc_config *cfg, char *err, int argc, char **argv)
{
    return hc_config_parse(cfg, argc, argv, err, 256);
}

static void defaults_name_one_instance_in_the_data_dir(void **state)
{
    struct hc_config cfg;
    char err[256];
    char *argv[] = {"hotcopyd"};
    assert_int_equal(parse(&cfg, err, 1, argv), HC_CONFIG_RUN);
    assert_string_equal(cfg.listen_host, "127.0.0.1");
    assert_int_equal(cfg.listen_port, 8080);
    assert_string_equal(cfg.data_dir, "./data");
    assert_int_equal(cfg.instance_count, 1);
    assert_string_equal(cfg.instances[0].name, "default");
    assert_string_equal(cfg.instances[0].dir, "./data/default");
    assert_int_equal(cfg.log_file_kib, 5120);
    assert_false(cfg.demo);
    hc_config_free(&cfg);
}

static void flags_take_separate_or_joined_values(void **state)
{
    struct hc_config cfg;
    char err[256];
    char *argv[] = {"hotcopyd", "--listen", "127.0.0.1:0", "--data=/tmp/x", "--instance", "a=/d/a",
                    "--instance=b=/d/b", "--log-file-size", "128", "--demo", "--metrics-public",
                    "--threads=2", "--max-body", "4096"};
    assert_int_equal(parse(&cfg, err, 14, argv), HC_CONFIG_RUN);
    assert_int_equal(cfg.listen_port, 0);
    assert_string_equal(cfg.data_dir, "/tmp/x");
    assert_int_equal(cfg.instance_count, 2);
    assert_string_equal(cfg.instances[1].name, "b");
    assert_string_equal(cfg.instances[1].dir, "/d/b");
    assert_int_equal(cfg.log_file_kib, 128);
    assert_true(cfg.demo);
    assert_true(cfg.metrics_public);
    assert_int_equal(cfg.threads, 2);
    assert_int_equal(cfg.max_body, 4096);
    hc_config_free(&cfg);
}

static void bad_values_are_errors_with_a_reason(void **state)
{
    struct hc_config cfg;
    char err[256];
    char *a1[] = {"hotcopyd", "--listen", "nohostport"};
    assert_int_equal(parse(&cfg, err, 3, a1), HC_CONFIG_ERROR);
    assert_non_null(strstr(err, "--listen"));
    hc_config_free(&cfg);
    char *a2[] = {"hotcopyd", "--log-file-size", "10"};
    assert_int_equal(parse(&cfg, err, 3, a2), HC_CONFIG_ERROR);
    hc_config_free(&cfg);
    char *a3[] = {"hotcopyd", "--page-size", "12288"};
    assert_int_equal(parse(&cfg, err, 3, a3), HC_CONFIG_ERROR);
    hc_config_free(&cfg);
    char *a4[] = {"hotcopyd", "--bogus"};
    assert_int_equal(parse(&cfg, err, 2, a4), HC_CONFIG_ERROR);
    assert_non_null(strstr(err, "unknown option"));
    hc_config_free(&cfg);
    char *a5[] = {"hotcopyd", "--tls-cert", "c.pem"};
    assert_int_equal(parse(&cfg, err, 3, a5), HC_CONFIG_ERROR);
    hc_config_free(&cfg);
    char *a6[] = {"hotcopyd", "--instance", "../x=/d"};
    assert_int_equal(parse(&cfg, err, 3, a6), HC_CONFIG_ERROR);
    hc_config_free(&cfg);
    char *a7[] = {"hotcopyd", "--instance", "a=/d", "--instance", "a=/e"};
    assert_int_equal(parse(&cfg, err, 5, a7), HC_CONFIG_ERROR);
    hc_config_free(&cfg);
    char *a8[] = {"hotcopyd", "--data"};
    assert_int_equal(parse(&cfg, err, 2, a8), HC_CONFIG_ERROR);
    hc_config_free(&cfg);
}

static void help_and_version_stop_parsing(void **state)
{
    struct hc_config cfg;
    char err[256];
    char *a1[] = {"hotcopyd", "--help"};
    assert_int_equal(parse(&cfg, err, 2, a1), HC_CONFIG_HELP);
    hc_config_free(&cfg);
    char *a2[] = {"hotcopyd", "--version"};
    assert_int_equal(parse(&cfg, err, 2, a2), HC_CONFIG_VERSION);
    hc_config_free(&cfg);
    /* every flag is documented */
    const char *flags[] = {"--listen",     "--data",    "--instance",       "--token-file",
                           "--tls-cert",   "--tls-key", "--log-file-size",  "--page-size",
                           "--cache-size", "--threads", "--metrics-public", "--demo",
                           "--max-body",   "--help",    "--version",        "--print-routes",
                           "--healthcheck"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        assert_non_null(strstr(hc_config_usage(), flags[i]));
}

/* The text of --data (up to the next flag) names everything the server keeps under DATA. */
static void help_for_data_names_what_the_directory_holds(void **state)
{
    const char *usage = hc_config_usage();
    const char *start = strstr(usage, "  --data DIR");
    assert_non_null(start);
    const char *next = strstr(start + 1, "\n  --");
    assert_non_null(next);
    char text[1024];
    snprintf(text, sizeof text, "%.*s", (int)(next - start), start);
    const char *held[] = {"catalog",
                          "token",
                          HC_DEFAULT_INSTANCE "/",
                          HC_RESTORES_SUBDIR "/",
                          HC_INSTANCES_SUBDIR "/",
                          HC_UPLOADS_SUBDIR "/"};
    for (size_t i = 0; i < sizeof held / sizeof held[0]; i++)
        if (strstr(text, held[i]) == NULL)
            fail_msg("--data does not mention %s:\n%s", held[i], text);
}

static void listen_address_splits_v4_and_v6(void **state)
{
    char host[64];
    unsigned port;
    assert_true(hc_config_split_listen("0.0.0.0:8080", host, sizeof host, &port));
    assert_string_equal(host, "0.0.0.0");
    assert_int_equal(port, 8080);
    assert_true(hc_config_split_listen("[::1]:9", host, sizeof host, &port));
    assert_string_equal(host, "::1");
    assert_false(hc_config_split_listen("host:99999", host, sizeof host, &port));
    assert_false(hc_config_split_listen(":80", host, sizeof host, &port));
}

static void healthcheck_takes_a_url_and_is_off_by_default(void **state)
{
    struct hc_config cfg;
    char err[256];
    char *a1[] = {"hotcopyd"};
    assert_int_equal(parse(&cfg, err, 1, a1), HC_CONFIG_RUN);
    assert_null(cfg.healthcheck_url);
    hc_config_free(&cfg);
    char *a2[] = {"hotcopyd", "--healthcheck", "http://127.0.0.1:8080/healthz"};
    assert_int_equal(parse(&cfg, err, 3, a2), HC_CONFIG_RUN);
    assert_string_equal(cfg.healthcheck_url, "http://127.0.0.1:8080/healthz");
    hc_config_free(&cfg);
    char *a3[] = {"hotcopyd", "--healthcheck"};
    assert_int_equal(parse(&cfg, err, 2, a3), HC_CONFIG_ERROR);
    assert_non_null(strstr(err, "needs a value"));
    hc_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_name_one_instance_in_the_data_dir),
        cmocka_unit_test(flags_take_separate_or_joined_values),
        cmocka_unit_test(bad_values_are_errors_with_a_reason),
        cmocka_unit_test(help_and_version_stop_parsing),
        cmocka_unit_test(help_for_data_names_what_the_directory_holds),
        cmocka_unit_test(listen_address_splits_v4_and_v6),
        cmocka_unit_test(healthcheck_takes_a_url_and_is_off_by_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
