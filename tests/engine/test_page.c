/*
 * test_page.c — the page format (engine/src/page.c): header fields, slotted cells, free-space
 * accounting, compaction, checksums.
 *
 * Proves, for every page size (4, 8, 16, 32 KiB — 32 KiB stores its "upper" offset as 0): an empty
 * page offers size - 32 bytes; cells inserted at any slot come back in slot order with their bytes;
 * every insert costs length + 4 and every delete gives it back (through fragments, then compaction
 * keeps every cell and zeroes the gap); replace grows and shrinks in place; an insert that does not
 * fit is refused and leaves the page as it was; a random mix of operations matches a model; a
 * sealed page verifies, and any single flipped byte, or a page at the wrong place, does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/src/page.h"
#include "../common/testfx.h"

static const uint32_t sizes[] = {4096, 8192, 16384, 32768};

static void test_empty_pages(void **state)
{
    (void)state;
    uint8_t *pg = malloc(PAGE_SIZE_MAX);
    assert_non_null(pg);
    for (int i = 0; i < 4; i++) {
        uint32_t sz = sizes[i];
        assert_true(page_size_valid(sz));
        page_init(pg, sz, 77, PAGE_LEAF, 2);
        assert_int_equal(page_pgno(pg), 77);
        assert_int_equal(page_type(pg), PAGE_LEAF);
        assert_int_equal(page_level(pg), 2);
        assert_int_equal(page_nslots(pg), 0);
        assert_int_equal(page_free(pg, sz), sz - PAGE_HDR);
        assert_int_equal(page_used(pg, sz), 0);
        page_set_dbtime(pg, 0x1122334455667788ull);
        assert_int_equal(page_dbtime(pg), 0x1122334455667788ull);
        page_set_next(pg, 99);
        page_set_aux(pg, 1234);
        assert_int_equal(page_next(pg), 99);
        assert_int_equal(page_aux(pg), 1234);
    }
    assert_false(page_size_valid(2048));
    assert_false(page_size_valid(65536));
    assert_false(page_size_valid(12288));
    free(pg);
}

static void test_cells_in_slot_order_and_space_accounting(void **state)
{
    (void)state;
    uint8_t *pg = malloc(PAGE_SIZE_MAX);
    assert_non_null(pg);
    for (int s = 0; s < 4; s++) {
        uint32_t sz = sizes[s];
        page_init(pg, sz, 5, PAGE_LEAF, 0);
        /* Insert "c0".."c9" at the front each time: slot i holds c(9-i). */
        unsigned free0 = page_free(pg, sz);
        for (int i = 0; i < 10; i++) {
            char cell[16];
            int n = snprintf(cell, sizeof cell, "cell-%d", i);
            assert_int_equal(page_insert(pg, sz, 0, cell, (unsigned)n), 0);
            free0 -= page_cell_need((unsigned)n);
            assert_int_equal(page_free(pg, sz), free0);
        }
        assert_int_equal(page_nslots(pg), 10);
        for (unsigned i = 0; i < 10; i++) {
            unsigned len;
            const uint8_t *c = page_cell(pg, i, &len);
            char want[16];
            int n = snprintf(want, sizeof want, "cell-%u", 9 - i);
            assert_int_equal(len, (unsigned)n);
            assert_memory_equal(c, want, len);
        }
        /* Deleting gives the space back; compaction keeps the rest. */
        page_delete(pg, sz, 3); /* cell-6 */
        page_delete(pg, sz, 0); /* cell-9 */
        assert_int_equal(page_free(pg, sz), free0 + 2 * page_cell_need(6));
        unsigned before = page_free(pg, sz);
        page_compact(pg, sz);
        assert_int_equal(page_free(pg, sz), before);
        const char *left[] = {"cell-8", "cell-7", "cell-5", "cell-4", "cell-3", "cell-2", "cell-1", "cell-0"};
        assert_int_equal(page_nslots(pg), 8);
        for (unsigned i = 0; i < 8; i++) {
            unsigned len;
            const uint8_t *c = page_cell(pg, i, &len);
            assert_int_equal(len, 6);
            assert_memory_equal(c, left[i], 6);
        }
        /* The gap between slots and cells is zero after compaction. */
        unsigned lower = PAGE_HDR + PAGE_SLOT * 8;
        for (unsigned b = lower; b < lower + page_free(pg, sz); b++) assert_int_equal(pg[b], 0);
        /* Truncate keeps the first cells. */
        page_truncate(pg, sz, 3);
        assert_int_equal(page_nslots(pg), 3);
        assert_int_equal(page_used(pg, sz), 3 * page_cell_need(6));
    }
    free(pg);
}

static void test_replace_and_full_page(void **state)
{
    (void)state;
    uint8_t *pg = malloc(PAGE_SIZE_MAX), *copy = malloc(PAGE_SIZE_MAX);
    uint8_t big[3000];
    assert_non_null(pg);
    assert_non_null(copy);
    tfx_fill(big, sizeof big, 1, 1);
    for (int s = 0; s < 4; s++) {
        uint32_t sz = sizes[s];
        page_init(pg, sz, 9, PAGE_LEAF, 0);
        assert_int_equal(page_insert(pg, sz, 0, "aaaa", 4), 0);
        assert_int_equal(page_insert(pg, sz, 1, "bbbb", 4), 0);
        /* Grow the first cell, shrink it again. */
        assert_int_equal(page_replace(pg, sz, 0, big, 1000), 0);
        unsigned len;
        const uint8_t *c = page_cell(pg, 0, &len);
        assert_int_equal(len, 1000);
        assert_memory_equal(c, big, 1000);
        assert_int_equal(page_replace(pg, sz, 0, "xy", 2), 0);
        c = page_cell(pg, 0, &len);
        assert_int_equal(len, 2);
        assert_memory_equal(c, "xy", 2);
        c = page_cell(pg, 1, &len);
        assert_memory_equal(c, "bbbb", 4);
        assert_int_equal(page_used(pg, sz), page_cell_need(2) + page_cell_need(4));
        /* Fill it up: the insert that does not fit is refused and changes nothing. */
        int n = 0;
        while (page_insert(pg, sz, page_nslots(pg), big, 500) == 0) n++;
        assert_true(page_free(pg, sz) < page_cell_need(500));
        assert_true((unsigned)n >= (sz - PAGE_HDR) / page_cell_need(500) - 1);
        memcpy(copy, pg, sz);
        assert_int_equal(page_insert(pg, sz, 0, big, 500), -1);
        assert_memory_equal(copy, pg, sz);
        assert_int_equal(page_replace(pg, sz, 0, big, 3000), -1);
        assert_memory_equal(copy, pg, sz);
    }
    free(pg);
    free(copy);
}

/* A random mix of inserts, deletes, replaces and compactions against a model. */
struct mcell {
    unsigned len;
    uint64_t tag;
};

static void test_random_operations_match_a_model(void **state)
{
    (void)state;
    uint8_t *pg = malloc(PAGE_SIZE_MAX);
    uint8_t cell[2000];
    assert_non_null(pg);
    uint64_t rnd = 0xfeed;
    for (int s = 0; s < 4; s++) {
        uint32_t sz = sizes[s];
        struct mcell model[PAGE_SIZE_MAX / 4];
        unsigned n = 0, used = 0;
        page_init(pg, sz, 3, PAGE_LEAF, 0);
        for (int op = 0; op < 20000; op++) {
            uint64_t x = tfx_rand_below(&rnd, 10);
            if (x < 5) {
                unsigned len = 1 + (unsigned)tfx_rand_below(&rnd, x == 0 ? 1500 : 60);
                unsigned at = (unsigned)tfx_rand_below(&rnd, n + 1);
                uint64_t tag = tfx_rand(&rnd);
                tfx_fill(cell, len, tag, len);
                int fits = used + page_cell_need(len) <= sz - PAGE_HDR;
                assert_int_equal(page_insert(pg, sz, at, cell, len), fits ? 0 : -1);
                if (fits) {
                    memmove(model + at + 1, model + at, (n - at) * sizeof model[0]);
                    model[at] = (struct mcell){len, tag};
                    n++;
                    used += page_cell_need(len);
                }
            } else if (x < 8 && n) {
                unsigned at = (unsigned)tfx_rand_below(&rnd, n);
                used -= page_cell_need(model[at].len);
                page_delete(pg, sz, at);
                memmove(model + at, model + at + 1, (n - at - 1) * sizeof model[0]);
                n--;
            } else if (x < 9 && n) {
                unsigned at = (unsigned)tfx_rand_below(&rnd, n);
                unsigned len = 1 + (unsigned)tfx_rand_below(&rnd, 300);
                uint64_t tag = tfx_rand(&rnd);
                tfx_fill(cell, len, tag, len);
                unsigned old = model[at].len;
                int fits = len <= old || (sz - PAGE_HDR - used) + old >= len;
                assert_int_equal(page_replace(pg, sz, at, cell, len), fits ? 0 : -1);
                if (fits) {
                    used = used - old + len;
                    model[at] = (struct mcell){len, tag};
                }
            } else {
                page_compact(pg, sz);
            }
            assert_int_equal(page_nslots(pg), n);
            assert_int_equal(page_used(pg, sz), used);
        }
        for (unsigned i = 0; i < n; i++) {
            unsigned len;
            const uint8_t *c = page_cell(pg, i, &len);
            assert_int_equal(len, model[i].len);
            tfx_fill(cell, len, model[i].tag, len);
            assert_memory_equal(c, cell, len);
        }
    }
    free(pg);
}

static void test_checksum_catches_every_flipped_byte(void **state)
{
    (void)state;
    uint8_t *pg = malloc(PAGE_SIZE_MAX);
    assert_non_null(pg);
    for (int s = 0; s < 4; s++) {
        uint32_t sz = sizes[s];
        page_init(pg, sz, 12, PAGE_LEAF, 0);
        uint8_t cell[500];
        tfx_fill(cell, sizeof cell, 5, 5);
        for (int i = 0; i < 5; i++) assert_int_equal(page_insert(pg, sz, 0, cell, sizeof cell), 0);
        page_seal(pg, sz);
        assert_int_equal(page_verify(pg, sz, 12), JET_errSuccess);
        /* At the wrong place. */
        assert_int_equal(page_verify(pg, sz, 13), JET_errReadVerifyFailure);
        uint32_t step = sz == 4096 ? 1 : 7;
        for (uint32_t b = 0; b < sz; b += step) {
            pg[b] ^= 0x01;
            if (page_verify(pg, sz, 12) != JET_errReadVerifyFailure) fail_msg("page size %u: byte %u flip not caught", sz, b);
            pg[b] ^= 0x01;
        }
        assert_int_equal(page_verify(pg, sz, 12), JET_errSuccess);
        /* An all-zero page (a hole in the file) does not verify. */
        memset(pg, 0, sz);
        assert_int_equal(page_verify(pg, sz, 12), JET_errReadVerifyFailure);
    }
    free(pg);
}

/* A B+tree leaf cell {u16 key length, u32 value info, key, value} of len bytes (len >= 6). */
static void btree_cell(uint8_t *cell, unsigned len, uint64_t tag)
{
    tfx_fill(cell, len, tag, len);
    unsigned klen = (len - 6) / 2;
    cell[0] = (uint8_t)klen;
    cell[1] = (uint8_t)(klen >> 8);
}

/* page_check accepts every page the page operations produce, and refuses a page whose cells and
 * fragment count do not add up to its cell area: overlapping cells were accepted, and page_compact
 * then wrote below its buffer (found by fuzz/fuzz_page.c). */
static void test_structural_check_holds_for_real_pages_and_refuses_overlaps(void **state)
{
    (void)state;
    uint8_t *pg = malloc(PAGE_SIZE_MAX);
    uint8_t cell[600];
    assert_non_null(pg);
    uint64_t rnd = 0xc0ffee;
    for (int s = 0; s < 4; s++) {
        uint32_t sz = sizes[s];
        page_init(pg, sz, 5, PAGE_LEAF, 0);
        for (int op = 0; op < 5000; op++) {
            unsigned n = page_nslots(pg), x = (unsigned)tfx_rand_below(&rnd, 10);
            unsigned len = 6 + (unsigned)tfx_rand_below(&rnd, 500);
            btree_cell(cell, len, tfx_rand(&rnd));
            if (x < 5 && page_free(pg, sz) >= page_cell_need(len))
                assert_int_equal(page_insert(pg, sz, (unsigned)tfx_rand_below(&rnd, n + 1), cell, len), 0);
            else if (x < 8 && n)
                page_delete(pg, sz, (unsigned)tfx_rand_below(&rnd, n));
            else if (x < 9 && n)
                page_replace(pg, sz, (unsigned)tfx_rand_below(&rnd, n), cell, len);
            else
                page_compact(pg, sz);
            if (page_check(pg, sz) != JET_errSuccess) fail_msg("page size %u: operation %d not accepted", sz, op);
        }
        page_truncate(pg, sz, 0);
        btree_cell(cell, 40, 1);
        assert_int_equal(page_insert(pg, sz, 0, cell, 40), 0);
        btree_cell(cell, 60, 2);
        assert_int_equal(page_insert(pg, sz, 1, cell, 60), 0);
        assert_int_equal(page_check(pg, sz), JET_errSuccess);
        uint8_t saved[PAGE_SLOT];
        uint8_t *slot0 = pg + PAGE_HDR, *slot1 = pg + PAGE_HDR + PAGE_SLOT;
        memcpy(saved, slot1, PAGE_SLOT);
        memcpy(slot1, slot0, PAGE_SLOT); /* slot 1 names cell 0 too: 80 bytes of cells in 100 */
        assert_int_equal(page_check(pg, sz), JET_errDatabaseCorrupted);
        memcpy(slot1, saved, PAGE_SLOT);
        assert_int_equal(page_check(pg, sz), JET_errSuccess);
        pg[22] = (uint8_t)(pg[22] + 8); /* frag claims 8 free bytes that are not there */
        assert_int_equal(page_check(pg, sz), JET_errDatabaseCorrupted);
    }
    free(pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_pages),
        cmocka_unit_test(test_cells_in_slot_order_and_space_accounting),
        cmocka_unit_test(test_replace_and_full_page),
        cmocka_unit_test(test_random_operations_match_a_model),
        cmocka_unit_test(test_checksum_catches_every_flipped_byte),
        cmocka_unit_test(test_structural_check_holds_for_real_pages_and_refuses_overlaps),
    };
    return cmocka_run_group_tests_name("page", tests, NULL, NULL);
}
