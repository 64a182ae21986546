/*
 * test_cat_upload.c — offsite uploads and their parts (cat_upload.c): what a restarted appliance
 * needs to resume a multipart upload, and the state machine around it.
 */
#include "db_fixture.h"

#define KEY "hotcopy/default/1-full-20261128T155114Z/main.edb"

static int64_t add_upload(struct fixture *fx, int64_t backup_id, const char *key, uint64_t total)
{
    struct cat_upload_new u = {.backup_id = backup_id,
                               .target = "rgw",
                               .object_key = key,
                               .file_name = "main.edb",
                               .part_size_bytes = 100,
                               .bytes_total = total};
    int64_t id = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_upload_insert(fx->cat, &u, &id));
    return id;
}

static void insert_find_and_duplicates(void **state)
{
    struct fixture *fx = *state;
    int64_t bid = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    int64_t id = add_upload(fx, bid, KEY, 250);
    struct cat_upload u;
    CAT_OK_OR_FAIL(fx->cat, cat_upload_find(fx->cat, bid, "rgw", KEY, &u));
    assert_int_equal(u.id, id);
    assert_int_equal(u.backup_id, bid);
    assert_string_equal(u.target, "rgw");
    assert_string_equal(u.object_key, KEY);
    assert_string_equal(u.file_name, "main.edb");
    assert_string_equal(u.multipart_id, "");
    assert_int_equal(u.state, CAT_UPLOAD_PENDING);
    assert_int_equal(u.part_size_bytes, 100);
    assert_int_equal(u.bytes_total, 250);
    assert_int_equal(u.bytes_uploaded, 0);
    assert_int_equal(u.crc32c, -1);
    assert_string_equal(u.sha256, "");
    assert_true(u.created_at > 0);
    assert_int_equal(u.completed_at, 0);

    struct cat_upload_new dup = {
        .backup_id = bid, .target = "rgw", .object_key = KEY, .bytes_total = 1};
    int64_t other = 0;
    assert_int_equal(cat_upload_insert(fx->cat, &dup, &other), CAT_ECONFLICT);
    dup.target = "aws"; /* the same key on another target is another object */
    CAT_OK_OR_FAIL(fx->cat, cat_upload_insert(fx->cat, &dup, &other));
    assert_true(other != id);
    dup.backup_id = bid + 10;
    assert_int_equal(cat_upload_insert(fx->cat, &dup, &other), CAT_ENOTFOUND);
    dup.backup_id = bid;
    dup.object_key = "";
    assert_int_equal(cat_upload_insert(fx->cat, &dup, &other), CAT_EINVAL);
    assert_int_equal(cat_upload_find(fx->cat, bid, "rgw", "nope", &u), CAT_ENOTFOUND);
    assert_int_equal(cat_upload_get(fx->cat, other + 1, &u), CAT_ENOTFOUND);
}

static void parts_survive_a_restart_for_resume(void **state)
{
    struct fixture *fx = *state;
    int64_t bid = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    int64_t id = add_upload(fx, bid, KEY, 250);
    /* A manifest upload of the same backup, single PUT, done. */
    struct cat_upload_new m = {.backup_id = bid,
                               .target = "rgw",
                               .object_key = "hotcopy/default/1/manifest.json",
                               .bytes_total = 10};
    int64_t mid = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_upload_insert(fx->cat, &m, &mid));

    CAT_OK_OR_FAIL(fx->cat, cat_upload_set_multipart(fx->cat, id, "2~abc.DEF-xyz_123"));
    CAT_OK_OR_FAIL(fx->cat, cat_upload_add_part(fx->cat, id, 2, 100, 100, "\"etag-2-old\""));
    CAT_OK_OR_FAIL(fx->cat, cat_upload_add_part(fx->cat, id, 1, 0, 100, "\"etag-1\""));
    CAT_OK_OR_FAIL(fx->cat,
                   cat_upload_add_part(fx->cat, id, 2, 100, 100, "\"etag-2\"")); /* resent */
    CAT_OK_OR_FAIL(fx->cat, cat_upload_complete(fx->cat, mid, "00ff", 0));

    fixture_reopen(fx); /* the appliance restarts */

    struct cat_upload *pending = NULL;
    size_t n = 0;
    CAT_OK_OR_FAIL(fx->cat, cat_upload_list(fx->cat, 0, &pending, &n));
    assert_int_equal(n, 1); /* the manifest is complete, so not listed */
    assert_int_equal(pending[0].id, id);
    assert_int_equal(pending[0].state, CAT_UPLOAD_UPLOADING);
    assert_string_equal(pending[0].multipart_id, "2~abc.DEF-xyz_123");
    assert_int_equal(pending[0].part_size_bytes, 100);
    assert_int_equal(pending[0].bytes_uploaded, 200);
    free(pending);

    struct cat_upload_part *parts = NULL;
    CAT_OK_OR_FAIL(fx->cat, cat_upload_list_parts(fx->cat, id, &parts, &n));
    assert_int_equal(n, 2);
    assert_int_equal(parts[0].part_number, 1);
    assert_int_equal(parts[0].offset, 0);
    assert_int_equal(parts[0].size, 100);
    assert_string_equal(parts[0].etag, "\"etag-1\"");
    assert_int_equal(parts[1].part_number, 2);
    assert_int_equal(parts[1].offset, 100);
    assert_string_equal(parts[1].etag, "\"etag-2\"");
    assert_int_equal(parts[1].upload_id, id);
    free(parts);

    /* The resumed upload sends part 3 and completes. */
    CAT_OK_OR_FAIL(fx->cat, cat_upload_add_part(fx->cat, id, 3, 200, 50, "\"etag-3\""));
    const char *sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    CAT_OK_OR_FAIL(fx->cat, cat_upload_complete(fx->cat, id, sha, 4294967295LL));
    struct cat_upload u;
    CAT_OK_OR_FAIL(fx->cat, cat_upload_get(fx->cat, id, &u));
    assert_int_equal(u.state, CAT_UPLOAD_COMPLETE);
    assert_int_equal(u.bytes_uploaded, 250);
    assert_string_equal(u.sha256, sha);
    assert_int_equal(u.crc32c, 4294967295LL);
    assert_true(u.completed_at > 0);
    CAT_OK_OR_FAIL(fx->cat, cat_upload_list(fx->cat, 0, &pending, &n));
    assert_int_equal(n, 0);
    CAT_OK_OR_FAIL(fx->cat, cat_upload_list(fx->cat, bid, &pending, &n));
    assert_int_equal(n, 2);
    assert_int_equal(pending[0].id, id);
    assert_int_equal(pending[1].id, mid);
    assert_int_equal(pending[1].crc32c, 0);
    free(pending);
}

static void parts_need_an_open_multipart_upload_within_the_object(void **state)
{
    struct fixture *fx = *state;
    int64_t bid = add_backup(fx->cat, "default", CAT_BACKUP_FULL);
    int64_t id = add_upload(fx, bid, KEY, 250);
    assert_int_equal(cat_upload_add_part(fx->cat, id, 1, 0, 100, "\"e\""), CAT_ECONFLICT);
    CAT_OK_OR_FAIL(fx->cat, cat_upload_set_multipart(fx->cat, id, "mp"));
    assert_int_equal(cat_upload_add_part(fx->cat, id, 0, 0, 100, "\"e\""), CAT_EINVAL);
    assert_int_equal(cat_upload_add_part(fx->cat, id, 10001, 0, 100, "\"e\""), CAT_EINVAL);
    assert_int_equal(cat_upload_add_part(fx->cat, id, 3, 200, 51, "\"e\""), CAT_EINVAL);
    assert_int_equal(cat_upload_add_part(fx->cat, id, 1, 0, 100, ""), CAT_EINVAL);
    assert_int_equal(cat_upload_add_part(fx->cat, id + 9, 1, 0, 100, "\"e\""), CAT_ENOTFOUND);
    assert_int_equal(cat_upload_set_multipart(fx->cat, id, ""), CAT_EINVAL);
    assert_int_equal(raw_query_int(fx->path, "SELECT count(*) FROM upload_parts"), 0);

    CAT_OK_OR_FAIL(fx->cat, cat_upload_add_part(fx->cat, id, 1, 0, 100, "\"e\""));
    CAT_OK_OR_FAIL(fx->cat, cat_upload_fail(fx->cat, id, "store said 403 AccessDenied"));
    struct cat_upload u;
    CAT_OK_OR_FAIL(fx->cat, cat_upload_get(fx->cat, id, &u));
    assert_int_equal(u.state, CAT_UPLOAD_FAILED);
    assert_string_equal(u.error, "store said 403 AccessDenied");
    assert_int_equal(u.bytes_uploaded, 100); /* parts stay recorded */
    assert_int_equal(cat_upload_add_part(fx->cat, id, 2, 100, 100, "\"e\""), CAT_ECONFLICT);
    assert_int_equal(cat_upload_set_multipart(fx->cat, id, "mp2"), CAT_ECONFLICT);
    assert_int_equal(cat_upload_complete(fx->cat, id, "00", -1), CAT_ECONFLICT);

    int64_t id2 = add_upload(fx, bid, "other", 10);
    CAT_OK_OR_FAIL(fx->cat, cat_upload_complete(fx->cat, id2, "abcdef", -1)); /* single PUT */
    assert_int_equal(cat_upload_fail(fx->cat, id2, "late"), CAT_ECONFLICT);
    assert_int_equal(cat_upload_complete(fx->cat, id2, "not hex", -1), CAT_EINVAL);
    assert_int_equal(cat_upload_complete(fx->cat, id2, "00", 4294967296LL), CAT_EINVAL);
    assert_int_equal(cat_upload_fail(fx->cat, id2 + 9, "x"), CAT_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)
        T(insert_find_and_duplicates),
        T(parts_survive_a_restart_for_resume),
        T(parts_need_an_open_multipart_upload_within_the_object),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
