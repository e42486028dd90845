/*
 * test_npy — .npy reading and writing: round trips of every dtype, files
 * written by numpy (tests/ref/make_npy_fixtures.py), malformed headers, and
 * a brute-force corruption sweep that must never crash (run it under ASan).
 *
 * Fixtures are found in $FTLAB_TEST_DATA/npy, else tests/data/npy, else
 * ../tests/data/npy.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npy.h"
#include "testutil.h"
#include "util.h"

/* A path in the private temporary folder; static buffer, one at a time. */
static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", testutil_group_dir(), name);
    return path;
}

static const char *fixture(const char *name)
{
    const char *path = testutil_fixture("npy", name);
    if (!path) fail_msg("fixture npy/%s missing", name);
    return path;
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
    char err[FTL_ERRLEN];
    if (ftl_write_file(path, buf, len, err) != 0) fail_msg("%s", err);
}

/*
 * A .npy image: magic, version major.0, the header text as given (no padding
 * added) and data_len bytes of data. Returns its length.
 */
static size_t build(unsigned char *out, size_t cap, int major, const char *header, size_t data_len)
{
    size_t prefix = major == 1 ? 10 : 12, hlen = strlen(header);
    assert_true(prefix + hlen + data_len <= cap);
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (unsigned char)major;
    out[7] = 0;
    for (size_t k = 0; k < prefix - 8; k++)
        out[8 + k] = (unsigned char)(hlen >> (8 * k));
    memcpy(out + prefix, header, hlen);
    for (size_t i = 0; i < data_len; i++)
        out[prefix + hlen + i] = (unsigned char)(i * 7 + 1);
    return prefix + hlen + data_len;
}

/* The buffer must be refused from memory, from a file and by npy_open, naming the file. */
static void expect_reject(const unsigned char *buf, size_t len, const char *needle)
{
    char err[FTL_ERRLEN] = "";
    struct npy a;
    assert_int_equal(npy_read_mem(buf, len, "bad.npy", &a, err), -1);
    assert_null(a.data);
    if (!strstr(err, "bad.npy") || !strstr(err, needle))
        fail_msg("error \"%s\" should name bad.npy and say \"%s\"", err, needle);

    const char *path = tmp_path("bad.npy");
    write_bytes(path, buf, len);
    err[0] = '\0';
    assert_int_equal(npy_read(path, &a, err), -1);
    assert_null(a.data);
    if (!strstr(err, path) || !strstr(err, needle))
        fail_msg("npy_read error \"%s\" should name %s and say \"%s\"", err, path, needle);
    struct npy_file f;
    err[0] = '\0';
    assert_int_equal(npy_open(path, &f, err), -1);
    assert_null(f.fp);
    assert_non_null(strstr(err, needle));
    npy_close(&f); /* safe after a failed open */
}

static void expect_header_reject(const char *header, size_t data_len, const char *needle)
{
    unsigned char buf[1024];
    expect_reject(buf, build(buf, sizeof buf, 1, header, data_len), needle);
}

#define DICT(descr, fortran, shape)                                                                \
    "{'descr': '" descr "', 'fortran_order': " fortran ", 'shape': " shape ", }"

// ---- dtype table ----

static void test_dtype_info(void **state)
{
    (void)state;
    const size_t sizes[] = {4, 8, 1, 1, 2, 4, 8};
    const char *names[] = {"f4", "f8", "i1", "u1", "i2", "i4", "i8"};
    for (int t = NPY_F4; t <= NPY_I8; t++) {
        assert_int_equal(npy_dtype_size((enum npy_dtype)t), sizes[t]);
        assert_string_equal(npy_dtype_name((enum npy_dtype)t), names[t]);
        assert_int_equal(npy_dtype_is_integer((enum npy_dtype)t), t >= NPY_I1);
    }
}

// ---- round trips ----

/* Test value i of a dtype: negative, fractional and extreme where the type allows. */
static void put_value(enum npy_dtype t, void *data, size_t i)
{
    double x = (double)i;
    switch (t) {
    case NPY_F4:
        ((float *)data)[i] = (float)(x * -0.75 + 0.125);
        break;
    case NPY_F8:
        ((double *)data)[i] = i == 1 ? -1e300 : x / 3.0 - 2.0;
        break;
    case NPY_I1:
        ((int8_t *)data)[i] = (int8_t)(i == 1 ? -128 : (int)(i % 200) - 100);
        break;
    case NPY_U1:
        ((uint8_t *)data)[i] = (uint8_t)(255 - i % 256);
        break;
    case NPY_I2:
        ((int16_t *)data)[i] = (int16_t)(i == 1 ? -32768 : (int)i * 257 - 3000);
        break;
    case NPY_I4:
        ((int32_t *)data)[i] = i == 1 ? INT32_MIN : (int32_t)i * -100003;
        break;
    case NPY_I8:
        ((int64_t *)data)[i] = i == 1 ? INT64_MIN : (int64_t)i * 1234567890123LL;
        break;
    }
}

/* Element i of a native array, read through its C type (independent of npy.c). */
static int64_t value_i64(enum npy_dtype t, const void *data, size_t i)
{
    switch (t) {
    case NPY_I1:
        return ((const int8_t *)data)[i];
    case NPY_U1:
        return ((const uint8_t *)data)[i];
    case NPY_I2:
        return ((const int16_t *)data)[i];
    case NPY_I4:
        return ((const int32_t *)data)[i];
    case NPY_I8:
        return ((const int64_t *)data)[i];
    default:
        return 0;
    }
}

static double value_f64(enum npy_dtype t, const void *data, size_t i)
{
    switch (t) {
    case NPY_F4:
        return ((const float *)data)[i];
    case NPY_F8:
        return ((const double *)data)[i];
    default:
        return (double)value_i64(t, data, i);
    }
}

static void check_file_layout(const char *path, size_t data_bytes)
{
    char err[FTL_ERRLEN], *buf;
    size_t len;
    assert_int_equal(ftl_read_file(path, &buf, &len, err), 0);
    assert_true(len >= 10 + data_bytes);
    size_t data_offset = len - data_bytes;
    assert_memory_equal(buf, "\x93NUMPY\x01\x00", 8);
    assert_int_equal((unsigned char)buf[8] | (unsigned char)buf[9] << 8, data_offset - 10);
    assert_int_equal(data_offset % 64, 0);
    assert_int_equal(buf[data_offset - 1], '\n');
    free(buf);
}

static void round_trip(enum npy_dtype t, int ndim, const size_t *shape)
{
    char err[FTL_ERRLEN];
    size_t count = 1, size = npy_dtype_size(t);
    for (int d = 0; d < ndim; d++)
        count *= shape[d];
    unsigned char *data = xcalloc(count ? count : 1, size);
    for (size_t i = 0; i < count; i++)
        put_value(t, data, i);
    const char *path = tmp_path("round.npy");
    if (npy_write(path, t, ndim, shape, data, err) != 0) fail_msg("%s", err);
    check_file_layout(path, count * size);

    struct npy a;
    if (npy_read(path, &a, err) != 0) fail_msg("%s", err);
    assert_int_equal(a.dtype, t);
    assert_int_equal(a.ndim, ndim);
    assert_int_equal(a.count, count);
    for (int d = 0; d < ndim; d++)
        assert_int_equal(a.shape[d], shape[d]);
    if (count) assert_memory_equal(a.data, data, count * size);

    struct npy_file f;
    if (npy_open(path, &f, err) != 0) fail_msg("%s", err);
    double *v = xcalloc(count + 1, sizeof *v);
    if (npy_read_f64(&f, 0, count, v, err) != 0) fail_msg("%s", err);
    for (size_t i = 0; i < count; i++) {
        assert_true(v[i] == value_f64(t, data, i));
        assert_true(npy_get_f64(&a, i) == value_f64(t, data, i));
        if (npy_dtype_is_integer(t)) assert_true(npy_get_i64(&a, i) == value_i64(t, data, i));
    }
    npy_close(&f);
    free(v);
    npy_free(&a);
    assert_null(a.data);
    free(data);
}

static void test_round_trip_every_dtype(void **state)
{
    (void)state;
    const size_t shape3[] = {2, 3, 4}, shape1[] = {5}, empty[] = {0, 4};
    for (int t = NPY_F4; t <= NPY_I8; t++) {
        round_trip((enum npy_dtype)t, 3, shape3);
        round_trip((enum npy_dtype)t, 1, shape1);
        round_trip((enum npy_dtype)t, 0, NULL);
        round_trip((enum npy_dtype)t, 2, empty);
    }
    const size_t eight[NPY_MAXDIM] = {1, 2, 1, 3, 1, 2, 1, 2};
    round_trip(NPY_F8, NPY_MAXDIM, eight);
}

static void test_write_errors(void **state)
{
    (void)state;
    char err[FTL_ERRLEN] = "";
    const size_t shape[NPY_MAXDIM + 1] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    double x = 1;
    assert_int_equal(npy_write(tmp_path("w.npy"), NPY_F8, NPY_MAXDIM + 1, shape, &x, err), -1);
    assert_non_null(strstr(err, "w.npy"));
    const size_t huge[] = {(size_t)1 << 40, (size_t)1 << 40};
    err[0] = '\0';
    assert_int_equal(npy_write(tmp_path("w.npy"), NPY_F8, 2, huge, &x, err), -1);
    assert_non_null(strstr(err, "too large"));
    err[0] = '\0';
    assert_int_equal(npy_write(tmp_path("no/such/dir/w.npy"), NPY_F8, 0, NULL, &x, err), -1);
    assert_non_null(strstr(err, "no/such/dir/w.npy"));
    assert_false(ftl_is_file(tmp_path("w.npy")));
}

// ---- files written by numpy ----

static struct npy load_fixture(const char *name, enum npy_dtype t, int ndim, const size_t *shape)
{
    char err[FTL_ERRLEN];
    struct npy a;
    if (npy_read(fixture(name), &a, err) != 0) fail_msg("%s", err);
    assert_int_equal(a.dtype, t);
    assert_int_equal(a.ndim, ndim);
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        assert_int_equal(a.shape[d], shape[d]);
        count *= shape[d];
    }
    assert_int_equal(a.count, count);
    return a;
}

/* Streams the fixture as doubles in two pieces and compares with expect[]. */
static void stream_fixture(const char *name, const double *expect, size_t count)
{
    char err[FTL_ERRLEN];
    struct npy_file f;
    double v[16];
    assert_true(count <= 16);
    if (npy_open(fixture(name), &f, err) != 0) fail_msg("%s", err);
    assert_int_equal(f.h.count, count);
    size_t half = count / 2;
    assert_int_equal(npy_read_f64(&f, half, count - half, v + half, err), 0);
    assert_int_equal(npy_read_f64(&f, 0, half, v, err), 0);
    for (size_t i = 0; i < count; i++)
        assert_true(v[i] == expect[i]);
    npy_close(&f);
}

/* The values of tests/ref/make_npy_fixtures.py. */
static const double fix_f8[] = {-1.5, 0.0, 0.25, 1e300, -2.5e-300, 3.141592653589793};
static const double fix_f4[] = {1.5, -0.25, 65504.0};
static const double fix_i4[] = {-2147483648.0, -1, 0, 1, 2147483647.0};
static const double fix_i2[] = {-32768, -1, 258, 32767};
static const int64_t fix_i8[] = {INT64_MIN, ((int64_t)1 << 40) + 3, INT64_MAX};
static const double fix_i1[] = {-128, -1, 0, 127};
static const double fix_u1[] = {0, 1, 128, 255};
static const double fix_v2[] = {0.5, -1.0, 2.0, -4.0, 8.0, 1024.0};
static const double fix_v3[] = {1, -2, 3, -4};

static void check_f64(const char *name, enum npy_dtype t, int ndim, const size_t *shape,
                      const double *expect)
{
    struct npy a = load_fixture(name, t, ndim, shape);
    for (size_t i = 0; i < a.count; i++)
        assert_true(npy_get_f64(&a, i) == expect[i]);
    stream_fixture(name, expect, a.count);
    npy_free(&a);
}

static void test_numpy_fixtures(void **state)
{
    (void)state;
    const size_t s23[] = {2, 3}, s3[] = {3}, s5[] = {5}, s22[] = {2, 2}, s4[] = {4};
    const size_t s32[] = {3, 2}, s221[] = {2, 2, 1}, s04[] = {0, 4};
    check_f64("le_f8.npy", NPY_F8, 2, s23, fix_f8);
    check_f64("be_f8.npy", NPY_F8, 2, s23, fix_f8);
    check_f64("be_f4.npy", NPY_F4, 1, s3, fix_f4);
    check_f64("be_i4.npy", NPY_I4, 1, s5, fix_i4);
    check_f64("be_i2.npy", NPY_I2, 2, s22, fix_i2);
    check_f64("i1.npy", NPY_I1, 1, s4, fix_i1);
    check_f64("u1.npy", NPY_U1, 1, s4, fix_u1);
    check_f64("v2_f4.npy", NPY_F4, 2, s32, fix_v2);
    check_f64("v3_i8.npy", NPY_I8, 3, s221, fix_v3);

    struct npy a = load_fixture("be_i8.npy", NPY_I8, 1, s3);
    for (size_t i = 0; i < 3; i++)
        assert_true(npy_get_i64(&a, i) == fix_i8[i]);
    assert_true(((const int64_t *)a.data)[1] == fix_i8[1]); /* native order in memory */
    npy_free(&a);

    a = load_fixture("scalar_f8.npy", NPY_F8, 0, NULL);
    assert_true(npy_get_f64(&a, 0) == 2.75);
    npy_free(&a);
    a = load_fixture("empty_i4.npy", NPY_I4, 2, s04);
    npy_free(&a);
}

static void expect_fixture_reject(const char *name, const char *needle)
{
    char err[FTL_ERRLEN] = "";
    struct npy a;
    const char *path = fixture(name);
    assert_int_equal(npy_read(path, &a, err), -1);
    if (!strstr(err, path) || !strstr(err, needle))
        fail_msg("error \"%s\" should name %s and say \"%s\"", err, path, needle);
}

static void test_numpy_fixtures_refused(void **state)
{
    (void)state;
    expect_fixture_reject("fortran_f8.npy", "Fortran order is not supported");
    expect_fixture_reject("complex_c8.npy", "unsupported dtype '<c8'");
    expect_fixture_reject("structured.npy", "unsupported dtype [('a', '<f4')");
}

// ---- header spellings numpy (or other writers) produce ----

static void expect_header_ok(int major, const char *header, enum npy_dtype t, int big_endian,
                             int ndim, size_t d0, size_t d1)
{
    char err[FTL_ERRLEN];
    unsigned char buf[1024];
    size_t count = ndim == 0 ? 1 : ndim == 1 ? d0 : d0 * d1;
    size_t len = build(buf, sizeof buf, major, header, count * npy_dtype_size(t));
    struct npy_header h;
    if (npy_parse_header(buf, len, len, "ok.npy", &h, err) != 0)
        fail_msg("%s (header %s)", err, header);
    assert_int_equal(h.dtype, t);
    assert_int_equal(h.big_endian, big_endian);
    assert_int_equal(h.ndim, ndim);
    assert_int_equal(h.count, count);
    if (ndim > 0) assert_int_equal(h.shape[0], d0);
    if (ndim > 1) assert_int_equal(h.shape[1], d1);
    assert_int_equal(h.data_offset, len - count * npy_dtype_size(t));
}

static void test_header_variants(void **state)
{
    (void)state;
    expect_header_ok(1, DICT("<f8", "False", "(3,)") "      \n", NPY_F8, 0, 1, 3, 0);
    expect_header_ok(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", NPY_F4, 0, 2,
                     2, 3);
    expect_header_ok(1, "{'shape': (2,3), 'fortran_order': False, 'descr': '>i2'}\n", NPY_I2, 1, 2,
                     2, 3);
    expect_header_ok(2, "{\"fortran_order\":False,\"descr\":\"<i8\",\"shape\":( 4 , ),}", NPY_I8, 0,
                     1, 4, 0);
    expect_header_ok(3, "\n{ 'descr' : '|u1' ,\n\t'fortran_order' : False ,\n 'shape' : () }\n",
                     NPY_U1, 0, 0, 0, 0);
    expect_header_ok(1, DICT("<i4", "False", "(2L, 3L)") "\n", NPY_I4, 0, 2, 2, 3);
    expect_header_ok(1, DICT("<i1", "False", "(2,)"), NPY_I1, 0, 1, 2, 0);
    expect_header_ok(1, DICT(">u1", "False", "(2,)"), NPY_U1, 0, 1, 2, 0);
    expect_header_ok(1, DICT("=f8", "False", "(0, 7)"), NPY_F8, 0, 2, 0,
                     7); /* x86/ARM: '=' is '<' */
    expect_header_ok(1, DICT(">f4", "False", "(0,)"), NPY_F4, 1, 1, 0, 0);
}

// ---- malformed input ----

static void test_bad_prefix(void **state)
{
    (void)state;
    unsigned char buf[1024];
    size_t len = build(buf, sizeof buf, 1, DICT("<f8", "False", "(2,)") "\n", 16);
    unsigned char bad[1024];

    memcpy(bad, buf, len);
    bad[1] = 'n';
    expect_reject(bad, len, "bad magic");
    expect_reject(buf, 0, "too short");
    expect_reject(buf, 4, "too short");
    expect_reject(buf, 7, "too short");
    expect_reject(buf, 9, "too short");
    memcpy(bad, buf, len);
    bad[6] = 4;
    expect_reject(bad, len, "version 4.0");
    bad[6] = 0;
    expect_reject(bad, len, "version 0.0");
    bad[6] = 1;
    bad[7] = 1;
    expect_reject(bad, len, "version 1.1");
    memcpy(bad, buf, len);
    bad[8] = 0xff; /* header length 65535+ past the end */
    bad[9] = 0xff;
    expect_reject(bad, len, "header length 65535 goes beyond the end of the file");
    /* a 2.0 header length of 4 GB must be refused before anything is allocated */
    len = build(buf, sizeof buf, 2, DICT("<f8", "False", "(2,)"), 16);
    buf[8] = buf[9] = buf[10] = buf[11] = 0xff;
    expect_reject(buf, len, "beyond the end of the file");
    expect_reject(buf, 11, "too short");
}

static void test_bad_dict(void **state)
{
    (void)state;
    expect_header_ok(1, DICT("<f8", "False", "(2,)"), NPY_F8, 0, 1, 2, 0); /* the baseline */
    expect_header_reject("", 0, "unterminated");
    expect_header_reject("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", 16,
                         "unterminated");
    expect_header_reject("{'descr': '<f8', 'fortran_order': False, 'shape': (2,", 16,
                         "unterminated");
    expect_header_reject("{'descr': '<f8", 0, "unterminated string");
    expect_header_reject("'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", 16,
                         "expected '{'");
    expect_header_reject("{'fortran_order': False, 'shape': (2,)}", 16, "missing key 'descr'");
    expect_header_reject("{'descr': '<f8', 'shape': (2,)}", 16, "missing key 'fortran_order'");
    expect_header_reject("{'descr': '<f8', 'fortran_order': False}", 8, "missing key 'shape'");
    expect_header_reject("{}", 8, "missing key");
    expect_header_reject(DICT("<f8", "False", "(2,)") " 'x'", 16, "unexpected text");
    expect_header_reject("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}",
                         16, "duplicate key 'descr'");
    expect_header_reject("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", 16,
                         "unexpected key 'x'");
    expect_header_reject("{'descr' '<f8', 'fortran_order': False, 'shape': (2,)}", 16,
                         "expected ':'");
    expect_header_reject("{'descr': '<f8' 'fortran_order': False, 'shape': (2,)}", 16,
                         "expected ',' or '}'");
    expect_header_reject("{descr: '<f8', 'fortran_order': False, 'shape': (2,)}", 16,
                         "expected a quoted string");
    expect_header_reject("{'descr': '<f\\x38', 'fortran_order': False, 'shape': (2,)}", 16,
                         "unsupported character");
    expect_header_reject(DICT("<f8", "1", "(2,)"), 16, "must be True or False");
    expect_header_reject(DICT("<f8", "Falsey", "(2,)"), 16, "must be True or False");
    expect_header_reject(DICT("<f8", "True", "(2,)"), 16, "Fortran order is not supported");
}

static void test_bad_shape(void **state)
{
    (void)state;
    expect_header_reject(DICT("<f8", "False", "(3,-1)"), 24, "negative dimension");
    expect_header_reject(DICT("<f8", "False", "(a,)"), 8, "expected a non-negative integer");
    expect_header_reject(DICT("<f8", "False", "(3.0,)"), 24, "expected a non-negative integer");
    expect_header_reject(DICT("<f8", "False", "(0x3,)"), 24, "expected a non-negative integer");
    expect_header_reject(DICT("<f8", "False", "(,)"), 8, "expected a non-negative integer");
    expect_header_reject(DICT("<f8", "False", "(3,,)"), 24, "expected a non-negative integer");
    expect_header_reject(DICT("<f8", "False", "(3 4)"), 96, "expected ',' or ')'");
    expect_header_reject(DICT("<f8", "False", "(3)"), 24, "1-tuple");
    expect_header_reject(DICT("<f8", "False", "[3]"), 24, "must be a tuple");
    expect_header_reject(DICT("<f8", "False", "3"), 24, "must be a tuple");
    expect_header_reject(DICT("<f8", "False", "(99999999999999999999,)"), 8,
                         "dimension in 'shape' too large");
    expect_header_reject(DICT("<f8", "False", "(18446744073709551617,)"), 8, /* 2**64 + 1 */
                         "dimension in 'shape' too large");
    expect_header_reject(DICT("<f8", "False", "(18446744073709551615,)"), 8, "too large");
    expect_header_reject(DICT("<f8", "False", "(1099511627776, 1099511627776)"), 8, "too large");
    expect_header_reject(DICT("<f8", "False", "(2305843009213693952,)"), 8, "too large");
    /* numpy refuses this too: the non-zero dimensions alone overflow */
    expect_header_reject(DICT("<f8", "False", "(1099511627776, 1099511627776, 0)"), 0, "too large");
    expect_header_reject(DICT("<f8", "False", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), 8,
                         "too many dimensions");
    expect_header_ok(1, DICT("<i8", "False", "(1099511627776, 0)"), NPY_I8, 0, 2, 1099511627776, 0);
}

static void test_bad_descr(void **state)
{
    (void)state;
    expect_header_reject(DICT("|f8", "False", "(2,)"), 16, "'|f8'");
    expect_header_reject(DICT("|i4", "False", "(2,)"), 8, "only for 1-byte types");
    expect_header_reject(DICT("<c8", "False", "(2,)"), 16, "unsupported dtype '<c8'");
    expect_header_reject(DICT("|O", "False", "(2,)"), 16, "unsupported dtype '|O'");
    expect_header_reject(DICT("<u2", "False", "(2,)"), 4, "unsupported dtype '<u2'");
    expect_header_reject(DICT("<U10", "False", "(2,)"), 80, "unsupported dtype '<U10'");
    expect_header_reject(DICT("f8", "False", "(2,)"), 16, "unsupported dtype 'f8'");
    expect_header_reject(DICT("", "False", "(2,)"), 16, "unsupported dtype ''");
    expect_header_reject(DICT("!f8", "False", "(2,)"), 16, "unsupported dtype '!f8'");
    expect_header_reject(DICT("<f8xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "False", "(2,)"),
                         16, "unsupported dtype '<f8xxxxxxxx");
    expect_header_reject("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", 8,
                         "structured");
    expect_header_reject("{'descr': 8, 'fortran_order': False, 'shape': (2,)}", 8,
                         "unsupported dtype 8");
}

static void test_bad_data_size(void **state)
{
    (void)state;
    expect_header_reject(DICT("<f8", "False", "(2, 3)"), 47,
                         "truncated: expected 48 bytes of data, found 47");
    expect_header_reject(DICT("<f8", "False", "(2, 3)"), 0,
                         "truncated: expected 48 bytes of data, found 0");
    expect_header_reject(DICT("<f8", "False", "(2, 3)"), 49,
                         "trailing data: expected 48 bytes of data, found 49");
    expect_header_reject(DICT("<f8", "False", "()"), 0, "expected 8 bytes");
    expect_header_reject(DICT("<i2", "False", "(0, 4)"), 1, "trailing data");
}

// ---- streaming ----

static void test_stream(void **state)
{
    (void)state;
    char err[FTL_ERRLEN];
    enum { N = 10000 };
    int32_t *x = xmalloc(N * sizeof *x);
    for (int i = 0; i < N; i++)
        x[i] = i * 3 - 7;
    const size_t shape[] = {N / 4, 4};
    const char *path = tmp_path("stream.npy");
    assert_int_equal(npy_write(path, NPY_I4, 2, shape, x, err), 0);

    struct npy_file f;
    assert_int_equal(npy_open(path, &f, err), 0);
    double *v = xmalloc(N * sizeof *v);
    for (size_t first = 0; first < N; first += 999) {
        size_t n = first + 999 <= N ? 999 : N - first;
        assert_int_equal(npy_read_f64(&f, first, n, v, err), 0);
        for (size_t i = 0; i < n; i++)
            assert_true(v[i] == (double)x[first + i]);
    }
    assert_int_equal(npy_read_f64(&f, 17, 1, v, err), 0); /* backwards again */
    assert_true(v[0] == 17 * 3 - 7);
    assert_int_equal(npy_read_f64(&f, N, 0, v, err), 0);
    err[0] = '\0';
    assert_int_equal(npy_read_f64(&f, N - 1, 2, v, err), -1);
    assert_non_null(strstr(err, "stream.npy"));
    assert_non_null(strstr(err, "the array has 10000"));
    assert_int_equal(npy_read_f64(&f, N + 1, 0, v, err), -1);
    assert_int_equal(npy_read_f64(&f, 5, SIZE_MAX, v, err), -1);
    npy_close(&f);
    assert_null(f.fp);

    err[0] = '\0';
    assert_int_equal(npy_open(tmp_path("missing.npy"), &f, err), -1);
    assert_non_null(strstr(err, "missing.npy"));
    err[0] = '\0';
    assert_int_equal(npy_open(testutil_group_dir(), &f, err), -1);
    assert_non_null(strstr(err, testutil_group_dir()));
    free(v);
    free(x);
}

static void test_get_i64_saturates(void **state)
{
    (void)state;
    double x[] = {NAN, 1e300, -1e300, -2.7, 2.7, 9.2e18, INFINITY, -INFINITY};
    struct npy a = {.dtype = NPY_F8, .ndim = 1, .shape = {8}, .count = 8, .data = x};
    assert_true(npy_get_i64(&a, 0) == 0);
    assert_true(npy_get_i64(&a, 1) == INT64_MAX);
    assert_true(npy_get_i64(&a, 2) == INT64_MIN);
    assert_true(npy_get_i64(&a, 3) == -2);
    assert_true(npy_get_i64(&a, 4) == 2);
    assert_true(npy_get_i64(&a, 5) == 9200000000000000000LL);
    assert_true(npy_get_i64(&a, 6) == INT64_MAX);
    assert_true(npy_get_i64(&a, 7) == INT64_MIN);
    float y[] = {-3.99f, NAN};
    struct npy b = {.dtype = NPY_F4, .ndim = 1, .shape = {2}, .count = 2, .data = y};
    assert_true(npy_get_i64(&b, 0) == -3);
    assert_true(npy_get_i64(&b, 1) == 0);
}

// ---- brute-force corruption ----

static size_t mutations, accepted;

/* On success the result must be self-consistent; either way nothing may leak or crash. */
static void try_buffer(const unsigned char *buf, size_t len)
{
    char err[FTL_ERRLEN];
    struct npy a;
    mutations++;
    err[0] = '\0';
    if (npy_read_mem(buf, len, "fuzz.npy", &a, err) != 0) {
        assert_null(a.data);
        if (strncmp(err, "fuzz.npy: ", 10) != 0 || strchr(err, '\n'))
            fail_msg("bad error message \"%s\"", err);
        return;
    }
    accepted++;
    size_t count = 1;
    for (int d = 0; d < a.ndim; d++)
        count *= a.shape[d];
    assert_int_equal(count, a.count);
    assert_true(a.ndim >= 0 && a.ndim <= NPY_MAXDIM);
    assert_true(a.count * npy_dtype_size(a.dtype) < len);
    for (size_t i = 0; i < a.count; i++)
        (void)npy_get_f64(&a, i);
    npy_free(&a);
}

static void sweep(const char *name)
{
    char err[FTL_ERRLEN], *file;
    size_t len;
    assert_int_equal(ftl_read_file(fixture(name), &file, &len, err), 0);
    /* every truncation must fail: the data size no longer matches */
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *copy = xmalloc(cut ? cut : 1); /* exact size: ASan sees any overread */
        memcpy(copy, file, cut);
        struct npy a;
        assert_int_equal(npy_read_mem(copy, cut, "fuzz.npy", &a, err), -1);
        free(copy);
    }
    static const unsigned char values[] = {0x00, 0xff, 0x7f, 0x80, '0', '9', '-',  ',', '(',
                                           ')',  '{',  '}',  '\'', '"', ' ', '\n', 'L', '|'};
    unsigned char *copy = xmalloc(len);
    for (size_t pos = 0; pos < len; pos++) {
        for (size_t k = 0; k < sizeof values + 2; k++) {
            memcpy(copy, file, len);
            unsigned char flip = k == sizeof values ? 0x01 : 0x20;
            copy[pos] = k < sizeof values ? values[k] : (unsigned char)(file[pos] ^ flip);
            try_buffer(copy, len);
            try_buffer(copy, pos + 1); /* the edit as the last byte */
        }
    }
    free(copy);
    free(file);
}

static void test_corruption_sweep(void **state)
{
    (void)state;
    mutations = accepted = 0;
    sweep("le_f8.npy");
    sweep("be_i2.npy");
    sweep("v2_f4.npy");
    sweep("v3_i8.npy");
    sweep("scalar_f8.npy");
    /* data bytes are free to change, so many edits still load; header edits mostly do not */
    assert_true(accepted > 0 && accepted < mutations);
    print_message("corruption sweep: %zu inputs, %zu accepted\n", mutations, accepted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtype_info),
        cmocka_unit_test(test_round_trip_every_dtype),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_numpy_fixtures),
        cmocka_unit_test(test_numpy_fixtures_refused),
        cmocka_unit_test(test_header_variants),
        cmocka_unit_test(test_bad_prefix),
        cmocka_unit_test(test_bad_dict),
        cmocka_unit_test(test_bad_shape),
        cmocka_unit_test(test_bad_descr),
        cmocka_unit_test(test_bad_data_size),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_get_i64_saturates),
        cmocka_unit_test(test_corruption_sweep),
    };
    return cmocka_run_group_tests(tests, testutil_group_setup, testutil_group_teardown);
}
