/*
 * test_router.c — route matching, parameter decoding and validation (server/router.c), and the
 * engine-result -> HTTP status mapping (server/problem.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../server/problem.h"
#include "../../server/router.h"

static int dummy(struct hc_request *req) { return req != NULL; }

static const struct hc_route TABLE[] = {
    {"GET", "/api/v1/backups", dummy, 0, NULL},
    {"GET", "/api/v1/backups/{id}", dummy, 0, NULL},
    {"GET", "/api/v1/backups/{id}/files/{name}", dummy, 0, NULL},
    {"HEAD", "/api/v1/backups/{id}/files/{name}", dummy, 0, NULL},
    {"PUT", "/api/v1/instances/{inst}/tables/{table}/records/{key}", dummy, 0, NULL},
};
#define N (sizeof TABLE / sizeof TABLE[0])

static void literal_and_parameter_routes_match(void **state)
{
    struct hc_route_match m;
    char allow[64];
    assert_int_equal(hc_router_match(TABLE, N, "GET", "/api/v1/backups", &m, allow, sizeof allow),
                     HC_ROUTE_FOUND);
    assert_int_equal(m.index, 0);
    assert_int_equal(hc_router_match(TABLE, N, "GET", "/api/v1/backups/17/files/main.edb", &m,
                                     allow, sizeof allow),
                     HC_ROUTE_FOUND);
    assert_int_equal(m.index, 2);
    assert_string_equal(hc_route_param(&m, "id"), "17");
    assert_string_equal(hc_route_param(&m, "name"), "main.edb");
    assert_null(hc_route_param(&m, "nope"));
}

static void unknown_paths_and_methods(void **state)
{
    struct hc_route_match m;
    char allow[64];
    assert_int_equal(hc_router_match(TABLE, N, "GET", "/api/v1/nothing", &m, allow, sizeof allow),
                     HC_ROUTE_NOT_FOUND);
    assert_int_equal(hc_router_match(TABLE, N, "GET", "/api/v1/backups/", &m, allow, sizeof allow),
                     HC_ROUTE_NOT_FOUND);
    assert_int_equal(hc_router_match(TABLE, N, "DELETE", "/api/v1/backups/3/files/a", &m, allow,
                                     sizeof allow),
                     HC_ROUTE_METHOD_NOT_ALLOWED);
    assert_string_equal(allow, "GET, HEAD");
}

static void parameters_are_decoded_then_validated(void **state)
{
    struct hc_route_match m;
    char allow[64];
    const char *bad[] = {"/api/v1/backups/1/files/..", "/api/v1/backups/1/files/%2e%2e",
                         "/api/v1/backups/1/files/a%2Fb", "/api/v1/backups/1/files/a%00",
                         "/api/v1/backups/1/files/a%0a", "/api/v1/backups/x/files/a",
                         "/api/v1/backups/0/files/a", "/api/v1/backups/1/files/%zz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(hc_router_match(TABLE, N, "GET", bad[i], &m, allow, sizeof allow),
                         HC_ROUTE_BAD_PARAMETER);
    /* a key may hold '/' once decoded */
    assert_int_equal(hc_router_match(TABLE, N, "PUT", "/api/v1/instances/default/tables/t/records/a%2Fb",
                                     &m, allow, sizeof allow),
                     HC_ROUTE_FOUND);
    assert_string_equal(hc_route_param(&m, "key"), "a/b");
    assert_string_equal(hc_route_param(&m, "inst"), "default");
}

static void engine_codes_map_to_the_spec_table(void **state)
{
    assert_int_equal(hc_jet_http_status(JET_errSuccess), 200);
    assert_int_equal(hc_jet_http_status(JET_wrnBufferTruncated), 200);
    assert_int_equal(hc_jet_http_status(JET_errInvalidParameter), 400);
    assert_int_equal(hc_jet_http_status(JET_errInvalidGrbit), 400);
    assert_int_equal(hc_jet_http_status(JET_errRecordNotFound), 404);
    assert_int_equal(hc_jet_http_status(JET_errInvalidInstance), 404);
    const JET_ERR conflicts[] = {JET_errNoBackup, JET_errBackupInProgress,
                                 JET_errInvalidBackupSequence, JET_errBackupNotAllowedYet,
                                 JET_errBackupAbortByServer, errBackupAbortByCaller,
                                 JET_errRestoreInProgress, JET_errRunningInMultiInstanceMode};
    for (size_t i = 0; i < sizeof conflicts / sizeof conflicts[0]; i++)
        assert_int_equal(hc_jet_http_status(conflicts[i]), 409);
    const JET_ERR unavailable[] = {JET_errNotInitialized, JET_errTermInProgress,
                                   JET_errClientRequestToStopJetService,
                                   JET_errInstanceUnavailable};
    for (size_t i = 0; i < sizeof unavailable / sizeof unavailable[0]; i++)
        assert_int_equal(hc_jet_http_status(unavailable[i]), 503);
    assert_int_equal(hc_jet_http_status(JET_errReadVerifyFailure), 500);
    assert_int_equal(hc_jet_http_status(JET_errDiskIO), 500);
    assert_int_equal(hc_jet_http_status(JET_errLogWriteFail), 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_and_parameter_routes_match),
        cmocka_unit_test(unknown_paths_and_methods),
        cmocka_unit_test(parameters_are_decoded_then_validated),
        cmocka_unit_test(engine_codes_map_to_the_spec_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
