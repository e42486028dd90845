/*
 * test_actmap — the Figure 2 histogram on hand-made activations: argmax per
 * sample, first unit on ties, all-zero rows to unit 0, NaN rows, digits out
 * of range, and the count of active units.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "actmap.h"

enum { K = 4 };

static void test_argmax_per_digit(void **state)
{
    (void)state;
    const float A[6 * K] = {
        0.1f, 0.9f, 0.0f, 0.2f, /* digit 3 -> unit 1 */
        0.0f, 0.0f, 0.0f, 5.0f, /* digit 3 -> unit 3 */
        2.0f, 0.0f, 1.0f, 1.5f, /* digit 7 -> unit 0 */
        0.0f, 0.5f, 0.7f, 0.1f, /* digit 7 -> unit 2 */
        0.0f, 0.5f, 0.7f, 0.1f, /* digit 0 -> unit 2 */
        0.3f, 1.1f, 0.2f, 0.1f, /* digit 3 -> unit 1 */
    };
    const uint8_t digit[6] = {3, 3, 7, 7, 0, 3};
    uint32_t counts[K * 10];
    memset(counts, 0xab, sizeof counts); /* must be zeroed by the function */
    assert_int_equal(actmap_count(A, 6, K, digit, 10, counts), 6);
    uint32_t want[K * 10] = {0};
    want[1 * 10 + 3] = 2;
    want[3 * 10 + 3] = 1;
    want[0 * 10 + 7] = 1;
    want[2 * 10 + 7] = 1;
    want[2 * 10 + 0] = 1;
    assert_memory_equal(counts, want, sizeof want);
    assert_int_equal(actmap_active_units(counts, K, 10), 4);
    assert_int_equal(actmap_zero_rows(A, 6, K), 0);
}

/* Ties: the first of the equal maxima wins; a row of zeros goes to unit 0. */
static void test_ties_and_zero_rows(void **state)
{
    (void)state;
    const float A[4 * K] = {
        0.0f, 0.0f, 0.0f, 0.0f,                         /* ReLU all 0 -> unit 0 */
        0.0f, 2.0f, 0.5f, 2.0f,                         /* tie between 1 and 3 -> unit 1 */
        0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 3.0f, 3.0f, /* tie between 2 and 3 -> unit 2 */
    };
    const uint8_t digit[4] = {5, 5, 9, 2};
    uint32_t counts[K * 10];
    actmap_count(A, 4, K, digit, 10, counts);
    assert_int_equal(counts[0 * 10 + 5], 1);
    assert_int_equal(counts[0 * 10 + 9], 1);
    assert_int_equal(counts[1 * 10 + 5], 1);
    assert_int_equal(counts[2 * 10 + 2], 1);
    assert_int_equal(counts[3 * 10 + 5] + counts[3 * 10 + 2], 0);
    assert_int_equal(actmap_active_units(counts, K, 10), 3);
    assert_int_equal(actmap_zero_rows(A, 4, K), 2);
}

/* A NaN never wins against a number; an all-NaN row goes to unit 0. */
static void test_nan(void **state)
{
    (void)state;
    const float A[3 * K] = {
        NAN, 0.5f, NAN, 0.25f, /* -> unit 1 */
        NAN, NAN,  NAN, 0.0f,  /* -> unit 3 */
        NAN, NAN,  NAN, NAN,   /* -> unit 0 */
    };
    const uint8_t digit[3] = {1, 1, 1};
    uint32_t counts[K * 10];
    actmap_count(A, 3, K, digit, 10, counts);
    assert_int_equal(counts[1 * 10 + 1], 1);
    assert_int_equal(counts[3 * 10 + 1], 1);
    assert_int_equal(counts[0 * 10 + 1], 1);
    assert_int_equal(actmap_zero_rows(A, 3, K), 0);
}

/* Digits outside 0-9 are skipped, not written out of bounds (run under ASan). */
static void test_bad_digit_skipped(void **state)
{
    (void)state;
    const float A[3 * K] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    const uint8_t digit[3] = {10, 4, 255};
    uint32_t counts[K * 10];
    assert_int_equal(actmap_count(A, 3, K, digit, 10, counts), 1);
    assert_int_equal(counts[1 * 10 + 4], 1);
    assert_int_equal(actmap_active_units(counts, K, 10), 1);
}

static void test_empty(void **state)
{
    (void)state;
    uint32_t counts[K * 10];
    memset(counts, 1, sizeof counts);
    assert_int_equal(actmap_count(NULL, 0, K, NULL, 10, counts), 0);
    assert_int_equal(actmap_active_units(counts, K, 10), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argmax_per_digit),
        cmocka_unit_test(test_ties_and_zero_rows),
        cmocka_unit_test(test_nan),
        cmocka_unit_test(test_bad_digit_skipped),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
