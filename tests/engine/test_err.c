/*
 * test_err.c — the error-code table (engine/src/err.c) against jet_err.h and spec/backup-api.md.
 *
 * Proves: every code the backup contract names has ESE's value and its exact name; the table is
 * sorted with no code twice (binary search depends on it); every define in jet_err.h has an entry
 * under the same name and every entry has a define (the header is parsed at run time, so the test
 * runs from the repository root); unknown codes get the documented fallback; -800 is
 * errBackupAbortByCaller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <limits.h>

#include <cmocka.h>

#include "jet.h"
#include "../../engine/src/err_table.h"

#define ERR_HEADER_PATH "engine/include/jet_err.h"
#define UNKNOWN_MESSAGE "unknown error code"
#define HEADER_DEFINES_MAX 1024
#define NAME_MAX_LEN 96

/* One code the backup contract names: the macro's value, the value the spec gives, the name. */
typedef struct {
    JET_ERR macro_value;
    long spec_value;
    const char *name;
} spec_code;

/* clang-format off */
#define SPEC(name, value) { (name), (value), #name }
/* clang-format on */

static const spec_code spec_codes[] = {
    SPEC(JET_errSuccess, 0),
    SPEC(JET_errRunningInMultiInstanceMode, -1081),
    SPEC(JET_errRunningInOneInstanceMode, -1080),
    SPEC(JET_errAlreadyInitialized, -1030),
    SPEC(JET_errClientRequestToStopJetService, -1329),
    SPEC(JET_errInstanceUnavailable, -1090),
    SPEC(JET_errTermInProgress, -1000),
    SPEC(JET_errRestoreInProgress, -506),
    SPEC(JET_errNotInitialized, -1029),
    SPEC(JET_errInvalidInstance, -1115),
    SPEC(JET_errInvalidParameter, -1003),
    SPEC(JET_errInvalidGrbit, -900),
    SPEC(JET_errBackupNotAllowedYet, -523),
    SPEC(JET_errLoggingDisabled, -516),
    SPEC(JET_errInvalidBackup, -526),
    SPEC(JET_errBackupInProgress, -505),
    SPEC(JET_errMissingFullBackup, -560),
    SPEC(JET_errNoBackup, -520),
    SPEC(JET_errBackupAbortByServer, -801),
    SPEC(JET_errInvalidBackupSequence, -521),
    SPEC(JET_errOutOfMemory, -1011),
    SPEC(JET_errDatabaseNotFound, -1203),
    SPEC(JET_errMissingFileToBackup, -569),
    SPEC(JET_errReadVerifyFailure, -1018),
    SPEC(JET_errLogReadVerifyFailure, -612),
    SPEC(JET_errLogFileNotCopied, -616),
    SPEC(errBackupAbortByCaller, -800),
    SPEC(JET_errSoftRecoveryOnBackupDatabase, -544),
    SPEC(JET_errMissingRestoreLogFiles, -557),
    SPEC(JET_errGivenLogFileHasBadSignature, -555),
    SPEC(JET_errGivenLogFileIsNotContiguous, -556),
    SPEC(JET_errExistingLogFileHasBadSignature, -610),
    SPEC(JET_errExistingLogFileIsNotContiguous, -611),
    SPEC(JET_errMissingCurrentLogFiles, -565),
    SPEC(JET_errRestoreOfNonBackupDatabase, -615),
    SPEC(JET_errDatabasePatchFileMismatch, -552),
    SPEC(JET_errStartingRestoreLogTooHigh, -554),
    SPEC(JET_errEndingRestoreLogTooLow, -553),
    SPEC(JET_errDatabaseCorrupted, -1206),
    SPEC(JET_errLogFileCorrupt, -501),
    SPEC(JET_errLogWriteFail, -510),
    SPEC(JET_errInvalidLogSequence, -515),
    SPEC(JET_errMissingLogFile, -528),
    SPEC(JET_errLogDiskFull, -529),
    SPEC(JET_errBadLogSignature, -530),
    SPEC(JET_errBadDbSignature, -531),
    SPEC(JET_errCheckpointCorrupt, -533),
    SPEC(JET_errDatabaseLogSetMismatch, -539),
    SPEC(JET_errCheckpointFileNotFound, -542),
    SPEC(JET_errRequiredLogFilesMissing, -543),
    SPEC(JET_errDatabaseDirtyShutdown, -550),
    SPEC(JET_errDiskIO, -1022),
    SPEC(JET_errInvalidPath, -1023),
    SPEC(JET_errBufferTooSmall, -1038),
    SPEC(JET_errInstanceNameInUse, -1086),
    SPEC(JET_errFileNotFound, -1811),
};

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* A "#define NAME VALUE" of jet_err.h: VALUE is a number, or (alias) another code's name. */
typedef struct {
    char name[NAME_MAX_LEN];
    char target[NAME_MAX_LEN]; /* "" for a numeric define */
    long value;
} header_define;

typedef struct {
    header_define defines[HEADER_DEFINES_MAX];
    size_t count;
} header_defines;

static int is_code_name(const char *name)
{
    return strncmp(name, "JET_err", 7) == 0 || strncmp(name, "JET_wrn", 7) == 0 ||
           strcmp(name, "errBackupAbortByCaller") == 0;
}

/* Parses the value of a define: "(-520)", "-520", "1004" or an identifier. Returns 0 on success. */
static int parse_define_value(const char *text, header_define *out)
{
    char buf[NAME_MAX_LEN];
    size_t len = 0;

    while (*text != '\0' && *text != '\n' && !(text[0] == '/' && text[1] == '*') &&
           len + 1 < sizeof buf) {
        if (!isspace((unsigned char)*text) && *text != '(' && *text != ')') buf[len++] = *text;
        text++;
    }
    buf[len] = '\0';
    if (len == 0) return -1;
    if (isalpha((unsigned char)buf[0]) || buf[0] == '_') {
        snprintf(out->target, sizeof out->target, "%s", buf);
        return 0;
    }
    char *end = NULL;
    out->value = strtol(buf, &end, 10);
    return *end == '\0' ? 0 : -1;
}

/* Reads every code define of jet_err.h into *defs. Fails the test if the file is unreadable. */
static void read_header_defines(header_defines *defs)
{
    FILE *file = fopen(ERR_HEADER_PATH, "r");
    char line[512];

    if (file == NULL)
        fail_msg("cannot open %s (run the test from the repository root)", ERR_HEADER_PATH);
    defs->count = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        char name[NAME_MAX_LEN];
        int consumed = 0;
        if (sscanf(line, " #define %95s %n", name, &consumed) != 1 || !is_code_name(name)) continue;
        assert_true(defs->count < HEADER_DEFINES_MAX);
        header_define *def = &defs->defines[defs->count];
        memset(def, 0, sizeof *def);
        snprintf(def->name, sizeof def->name, "%s", name);
        if (parse_define_value(line + consumed, def) != 0) {
            fclose(file);
            fail_msg("cannot parse the value of %s in %s", name, ERR_HEADER_PATH);
        }
        defs->count++;
    }
    fclose(file);
}

static const header_define *find_define(const header_defines *defs, const char *name)
{
    for (size_t i = 0; i < defs->count; i++)
        if (strcmp(defs->defines[i].name, name) == 0) return &defs->defines[i];
    return NULL;
}

static void test_spec_codes_have_exact_values_and_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT_OF(spec_codes); i++) {
        const spec_code *code = &spec_codes[i];
        assert_int_equal(code->macro_value, code->spec_value);
        assert_string_equal(JetXErrorName(code->spec_value), code->name);
        assert_string_not_equal(JetXErrorMessage(code->spec_value), UNKNOWN_MESSAGE);
    }
}

static void test_backup_abort_by_caller_is_named_as_the_spec_says(void **state)
{
    (void)state;
    assert_int_equal(errBackupAbortByCaller, -800);
    assert_string_equal(JetXErrorName(-800), "errBackupAbortByCaller");
    assert_string_equal(JetXErrorMessage(JET_errNoBackup), "no external backup is in progress");
}

static void test_table_is_sorted_without_duplicate_codes(void **state)
{
    (void)state;
    size_t count = err_table_count();
    assert_true(count > 400); /* ESE defines several hundred codes */
    for (size_t i = 1; i < count; i++) {
        if (err_table_code_at(i - 1) >= err_table_code_at(i))
            fail_msg("table out of order at entry %zu: %ld then %ld", i, err_table_code_at(i - 1),
                     err_table_code_at(i));
    }
}

static void test_every_table_entry_has_a_name_and_one_line_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < err_table_count(); i++) {
        JET_ERR code = err_table_code_at(i);
        const char *name = JetXErrorName(code);
        const char *message = JetXErrorMessage(code);
        assert_true(is_code_name(name));
        assert_true(message[0] != '\0');
        assert_null(strchr(message, '\n'));
        assert_string_not_equal(message, UNKNOWN_MESSAGE);
    }
}

static void test_every_header_define_has_a_table_entry_of_the_same_name(void **state)
{
    (void)state;
    header_defines *defs = malloc(sizeof *defs);
    size_t numeric = 0;

    assert_non_null(defs);
    read_header_defines(defs);
    for (size_t i = 0; i < defs->count; i++) {
        const header_define *def = &defs->defines[i];
        if (def->target[0] != '\0') {
            /* an older alias: its target must be a numeric code with an entry */
            const header_define *target = find_define(defs, def->target);
            if (target == NULL || target->target[0] != '\0')
                fail_msg("%s aliases %s, which is not a numeric code", def->name, def->target);
            continue;
        }
        numeric++;
        if (strcmp(JetXErrorName(def->value), def->name) != 0)
            fail_msg("%s (%ld) is reported as %s", def->name, def->value,
                     JetXErrorName(def->value));
    }
    /* and no entry without a define: names are unique, so the counts must match */
    assert_int_equal(numeric, err_table_count());
    free(defs);
}

static void test_unknown_codes_get_the_fallback(void **state)
{
    (void)state;
    const JET_ERR unknown_errors[] = {-2, -104, -799, -9999, LONG_MIN};
    const JET_ERR unknown_warnings[] = {2, 1005, 9999, LONG_MAX};

    for (size_t i = 0; i < COUNT_OF(unknown_errors); i++) {
        assert_string_equal(JetXErrorName(unknown_errors[i]), "JET_errUnknown");
        assert_string_equal(JetXErrorMessage(unknown_errors[i]), UNKNOWN_MESSAGE);
    }
    for (size_t i = 0; i < COUNT_OF(unknown_warnings); i++) {
        assert_string_equal(JetXErrorName(unknown_warnings[i]), "JET_wrnUnknown");
        assert_string_equal(JetXErrorMessage(unknown_warnings[i]), UNKNOWN_MESSAGE);
    }
}

static void test_first_last_and_odd_codes_are_found(void **state)
{
    (void)state;
    assert_string_equal(JetXErrorName(err_table_code_at(0)), "JET_errFileCompressed");
    assert_string_equal(JetXErrorName(err_table_code_at(err_table_count() - 1)),
                        "JET_wrnPreviousLogFileIncomplete");
    assert_string_equal(JetXErrorName(0), "JET_errSuccess");
    assert_string_equal(JetXErrorName(-1), "JET_wrnNyi");
    assert_string_equal(JetXErrorName(JET_wrnColumnNull), "JET_wrnColumnNull");
    /* an older alias reports the current name */
    assert_string_equal(JetXErrorName(JET_errDatabaseInconsistent), "JET_errDatabaseDirtyShutdown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_codes_have_exact_values_and_names),
        cmocka_unit_test(test_backup_abort_by_caller_is_named_as_the_spec_says),
        cmocka_unit_test(test_table_is_sorted_without_duplicate_codes),
        cmocka_unit_test(test_every_table_entry_has_a_name_and_one_line_message),
        cmocka_unit_test(test_every_header_define_has_a_table_entry_of_the_same_name),
        cmocka_unit_test(test_unknown_codes_get_the_fallback),
        cmocka_unit_test(test_first_last_and_odd_codes_are_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
