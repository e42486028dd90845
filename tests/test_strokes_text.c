/*
 * test_strokes_text — the upstream plain-text stroke reader: what it accepts
 * (blank/tab separators, CRLF, no final newline, a one-row digit), every
 * rejection with its "FILE:LINE: problem" message, and the file reader (the
 * mirror's example file against train[12, :45]: test_realdata).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "strokes_text.h"
#include "testutil.h"
#include "util.h"

/* A digit in the format's shape: start point, a stroke, a pen-up marker, a jump, a stroke, the end.
 */
static const char digit_txt[] = "5 8 0 0\n1 -1 0 0\n1 0 0 0\n0 0 1 0\n-3 4 0 0\n0 1 0 0\n0 0 1 1\n";
static const int8_t digit_rows[] = {5, 8, 0,  0, 1, -1, 0, 0, 1, 0, 0, 0, 0, 0,
                                    1, 0, -3, 4, 0, 0,  0, 1, 0, 0, 0, 0, 1, 1};

static int read_str(const char *text, int8_t **rows, size_t *n, char *err)
{
    return strokes_text_read_mem(text, strlen(text), "d.txt", rows, n, err);
}

static void expect_digit(const char *text)
{
    int8_t *rows;
    size_t n;
    char err[FTL_ERRLEN];
    if (read_str(text, &rows, &n, err) != 0) fail_msg("rejected: %s", err);
    assert_int_equal(n, sizeof digit_rows / 4);
    assert_memory_equal(rows, digit_rows, sizeof digit_rows);
    free(rows);
}

static void test_reads_a_digit(void **state)
{
    (void)state;
    expect_digit(digit_txt);
}

static void test_accepted_variants(void **state)
{
    (void)state;
    /* no final newline */
    expect_digit("5 8 0 0\n1 -1 0 0\n1 0 0 0\n0 0 1 0\n-3 4 0 0\n0 1 0 0\n0 0 1 1");
    /* CRLF line ends */
    expect_digit("5 8 0 0\r\n1 -1 0 0\r\n1 0 0 0\r\n0 0 1 0\r\n-3 4 0 0\r\n0 1 0 0\r\n0 0 1 1\r\n");
    /* tabs, runs of blanks, leading and trailing blanks, leading zeros, -0 */
    expect_digit("5\t8 0 0\n  1   -1 0 0  \n1 0 0 0\t\n0 0 1 0\n-3 04 0 0\n-0 1 0 0\n0 0 1 1\n");

    int8_t *rows;
    size_t n;
    char err[FTL_ERRLEN];
    assert_int_equal(read_str("0 0 1 1\n", &rows, &n, err), 0);
    assert_int_equal(n, 1);
    free(rows);
    /* the int8 range ends are values, not errors */
    assert_int_equal(read_str("-128 127 0 0\n0 0 1 1\n", &rows, &n, err), 0);
    assert_int_equal(rows[0], -128);
    assert_int_equal(rows[1], 127);
    free(rows);
}

/* Each malformed text with the message it must give (line and problem). */
static const struct {
    const char *text, *message;
} rejects[] = {
    {"", "d.txt: empty file"},
    {"1 2 0 0\n\n0 0 1 1\n", "d.txt:2: 0 fields"},
    {"1 2 0 0\n0 0 1 1\n\n", "d.txt:3: 0 fields"},
    {"1 2 0 0\n\r\n0 0 1 1\n", "d.txt:2: 0 fields"},
    {"1 2 0\n0 0 1 1\n", "d.txt:1: 3 fields"},
    {"1 2 0 0 0\n0 0 1 1\n", "d.txt:1: more than 4 fields"},
    {"1 2 0 0\n0 0 1 1 #\n", "d.txt:2: more than 4 fields"},
    {"1.5 2 0 0\n0 0 1 1\n", "d.txt:1: dx is not an integer"},
    {"1 +2 0 0\n0 0 1 1\n", "d.txt:1: dy is not an integer"},
    {"1 2 0x1 0\n0 0 1 1\n", "d.txt:1: eos is not an integer"},
    {"1 2 0 --1\n0 0 1 1\n", "d.txt:1: eod is not an integer"},
    {"1 - 0 0\n0 0 1 1\n", "d.txt:1: dy is not an integer"},
    {"1,2,0,0\n0 0 1 1\n", "d.txt:1: dx is not an integer"},
    {"1 2 0 0\r\r\n0 0 1 1\n", "d.txt:1: eod is not an integer"},
    {"128 2 0 0\n0 0 1 1\n", "d.txt:1: dx is outside [-128, 127]"},
    {"1 -129 0 0\n0 0 1 1\n", "d.txt:1: dy is outside [-128, 127]"},
    {"1 99999999999999999999999 0 0\n0 0 1 1\n", "d.txt:1: dy is outside"},
    {"1 2 2 0\n0 0 1 1\n", "d.txt:1: eos is 2, not 0 or 1"},
    {"1 2 0 -1\n0 0 1 1\n", "d.txt:1: eod is -1, not 0 or 1"},
    {"1 2 0 0\n0 0 0 0\n0 0 1 1\n", "d.txt:2: all-zero row"},
    {"1 2 0 0\n1 0 1 0\n0 0 1 1\n", "d.txt:2: eos row moves (dx 1, dy 0)"},
    {"1 2 0 0\n0 0 1 1\n1 0 0 0\n0 0 1 1\n", "d.txt:2: eod before the last row"},
    {"1 2 0 0\n1 0 0 0\n", "d.txt:2: the last row is 1 0 0 0, not the end marker"},
    {"1 2 0 0\n0 0 1 0\n", "d.txt:2: the last row is 0 0 1 0"},
    {"1 2 0 0\n0 -1 0 1\n", "d.txt:2: the last row is 0 -1 0 1"},
};

static void test_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
        int8_t *rows = (int8_t *)&rows;
        size_t n = 99;
        char err[FTL_ERRLEN] = "";
        if (read_str(rejects[i].text, &rows, &n, err) == 0) fail_msg("case %zu accepted", i);
        assert_null(rows);
        assert_int_equal(n, 0);
        if (strncmp(err, rejects[i].message, strlen(rejects[i].message)) != 0)
            fail_msg("case %zu: '%s', expected '%s...'", i, err, rejects[i].message);
        assert_null(strchr(err, '\n'));
    }
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "1 2 0 0\n0 0\0 1 1\n";
    int8_t *rows;
    size_t n;
    char err[FTL_ERRLEN];
    assert_int_equal(strokes_text_read_mem(text, sizeof text - 1, "d.txt", &rows, &n, err), -1);
    assert_string_equal(err, "d.txt: NUL byte; not a text file");
    /* not NUL-terminated: the reader must stay inside len */
    char *exact = xmalloc(7);
    memcpy(exact, "0 0 1 1", 7);
    assert_int_equal(strokes_text_read_mem(exact, 7, "d.txt", &rows, &n, err), 0);
    assert_int_equal(n, 1);
    free(rows);
    assert_int_equal(strokes_text_read_mem(exact, 6, "d.txt", &rows, &n, err), -1);
    assert_string_equal(err, "d.txt:1: 3 fields, expected 4 (dx dy eos eod)");
    free(exact);
}

static void test_file_reader(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *path = tmpdir_path(td, "digit.txt"), err[FTL_ERRLEN];
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(digit_txt, f);
    fclose(f);
    int8_t *rows;
    size_t n;
    assert_int_equal(strokes_text_read(path, &rows, &n, err), 0);
    assert_int_equal(n, 7);
    assert_memory_equal(rows, digit_rows, sizeof digit_rows);
    free(rows);
    char *missing = tmpdir_path(td, "none.txt");
    assert_int_equal(strokes_text_read(missing, &rows, &n, err), -1);
    assert_null(rows);
    assert_non_null(strstr(err, missing));
    free(missing);
    free(path);
    tmpdir_free(td);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_a_digit), cmocka_unit_test(test_accepted_variants),
        cmocka_unit_test(test_rejects),       cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_file_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
