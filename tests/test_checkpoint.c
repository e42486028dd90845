/*
 * test_checkpoint — the checkpoint container: round trips of every record
 * type (bit for bit, NaN payloads included), the exact bytes of a tiny file,
 * every rejection (truncation at every length, every single byte flipped,
 * wrong magic, newer version, checksum-valid files with inconsistent
 * lengths, duplicate names), lookups of missing or mis-shaped records, and
 * crash safety: a write that cannot start, a write that hits a full disk and
 * a writer killed with SIGKILL all leave a loadable checkpoint behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "checkpoint.h"
#include "testutil.h"
#include "util.h"

/* A path in the private temporary folder; static buffer, one at a time. */
static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", testutil_group_dir(), name);
    return path;
}

static float bits_f32(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* A small checkpoint with a few records, as the trainer would write one. */
static void small_ckpt(struct ckpt *c)
{
    const float w[6] = {1.5f, -0.0f, 3.25f, bits_f32(0x7fc01234u), INFINITY, 1e-42f};
    ckpt_init(c);
    ckpt_put_f32(c, "fc1.weight", w, 2, (size_t[]){2, 3});
    ckpt_put_u64(c, "step", 1200);
    ckpt_put_str(c, "loss", "proposed");
}

// ---- round trips ----

static void test_round_trip_every_type(void **state)
{
    (void)state;
    float w[24];
    for (int i = 0; i < 24; i++)
        w[i] = (float)sin(i * 0.37) * 1e3f;
    w[5] = -0.0f;
    w[6] = bits_f32(0x7fc01234u); /* a NaN with a payload */
    w[7] = -INFINITY;
    const double f64[3] = {0.1, -5e-324, 1.0 / 3.0};
    const uint32_t order[5] = {4, 0, 3, 1, 0xffffffffu};
    const uint64_t rng_state[4] = {0x0123456789abcdefull, 0, UINT64_MAX, 42};
    const unsigned char blob[5] = {0, 1, 0xff, 0, 7};

    struct ckpt c;
    ckpt_init(&c);
    ckpt_put_f32(&c, "gru.weight_hh_l0", w, 3, (size_t[]){2, 3, 4});
    ckpt_put_f32(&c, "empty", NULL, 2, (size_t[]){0, 5});
    ckpt_put_f32(&c, "one", &w[0], 0, NULL);
    ckpt_put_f64_array(&c, "series", f64, 1, (size_t[]){3});
    ckpt_put_u32_array(&c, "order", order, 1, (size_t[]){5});
    ckpt_put_u64_array(&c, "rng.s", rng_state, 1, (size_t[]){4});
    ckpt_put_f64(&c, "control.lr", 5e-4);
    ckpt_put_u64(&c, "trainer.step", UINT64_MAX - 1);
    ckpt_put_i64(&c, "delta", INT64_MIN);
    ckpt_put_str(&c, "control.loss", "proposed – naïve");
    ckpt_put_str(&c, "nothing", "");
    ckpt_put_bytes(&c, "blob", blob, sizeof blob);
    ckpt_put_bytes(&c, "no_bytes", NULL, 0);
    char err[FTL_ERRLEN] = "";
    const char *path = tmp_path("every.ckpt");
    assert_int_equal(ckpt_write(&c, path, err), 0);

    struct ckpt r;
    if (ckpt_read(path, &r, err) != 0) fail_msg("%s", err);
    assert_int_equal(r.count, c.count);
    float w2[24];
    assert_int_equal(ckpt_get_f32(&r, "gru.weight_hh_l0", 3, (size_t[]){2, 3, 4}, w2, err), 0);
    assert_memory_equal(w, w2, sizeof w);
    assert_int_equal(ckpt_get_f32(&r, "empty", 2, (size_t[]){0, 5}, NULL, err), 0);
    float one;
    assert_int_equal(ckpt_get_f32(&r, "one", 0, NULL, &one, err), 0);
    assert_memory_equal(&one, &w[0], sizeof one);
    double f64b[3];
    assert_int_equal(ckpt_get_f64_array(&r, "series", 1, (size_t[]){3}, f64b, err), 0);
    assert_memory_equal(f64, f64b, sizeof f64);
    uint32_t order2[5];
    assert_int_equal(ckpt_get_u32_array(&r, "order", 1, (size_t[]){5}, order2, err), 0);
    assert_memory_equal(order, order2, sizeof order);
    uint64_t rng2[4];
    assert_int_equal(ckpt_get_u64_array(&r, "rng.s", 1, (size_t[]){4}, rng2, err), 0);
    assert_memory_equal(rng_state, rng2, sizeof rng_state);
    double lr;
    assert_int_equal(ckpt_get_f64(&r, "control.lr", &lr, err), 0);
    assert_true(lr == 5e-4);
    uint64_t step;
    assert_int_equal(ckpt_get_u64(&r, "trainer.step", &step, err), 0);
    assert_true(step == UINT64_MAX - 1);
    int64_t delta;
    assert_int_equal(ckpt_get_i64(&r, "delta", &delta, err), 0);
    assert_true(delta == INT64_MIN);
    const char *s;
    assert_int_equal(ckpt_get_str(&r, "control.loss", &s, err), 0);
    assert_string_equal(s, "proposed – naïve");
    assert_int_equal(ckpt_get_str(&r, "nothing", &s, err), 0);
    assert_string_equal(s, "");
    const void *bytes;
    size_t len;
    assert_int_equal(ckpt_get_bytes(&r, "blob", &bytes, &len, err), 0);
    assert_int_equal(len, sizeof blob);
    assert_memory_equal(bytes, blob, sizeof blob);
    assert_int_equal(ckpt_get_bytes(&r, "no_bytes", &bytes, &len, err), 0);
    assert_int_equal(len, 0);
    assert_string_equal(r.source, path);

    /* the format is canonical: re-encoding what was read gives the file back */
    char *file;
    size_t file_len;
    assert_int_equal(ftl_read_file(path, &file, &file_len, err), 0);
    uint8_t *again;
    size_t again_len;
    ckpt_encode(&r, &again, &again_len);
    assert_int_equal(again_len, file_len);
    assert_memory_equal(again, file, file_len);
    free(again);
    free(file);
    ckpt_free(&r);
    ckpt_free(&c);
    assert_int_equal(c.count, 0);
}

/* The documented layout, byte for byte: little-endian whatever the host. */
static void test_exact_bytes(void **state)
{
    (void)state;
    struct ckpt c;
    ckpt_init(&c);
    ckpt_put_u64(&c, "t", 0x0102030405060708ull);
    ckpt_put_f32(&c, "w", (float[]){1.0f}, 1, (size_t[]){1});
    uint8_t *buf;
    size_t len;
    ckpt_encode(&c, &buf, &len);
    const uint8_t want[] = {
        'F',
        'T',
        'L',
        'A',
        'B',
        'C',
        'K',
        'P',
        1,
        0,
        0,
        0,
        2,
        0,
        0,
        0,
        /* "t": u64 scalar */
        1,
        0,
        0,
        0,
        't',
        4,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        8,
        7,
        6,
        5,
        4,
        3,
        2,
        1,
        /* "w": f32 [1] */
        1,
        0,
        0,
        0,
        'w',
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        4,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0x00,
        0x00,
        0x80,
        0x3f,
    };
    assert_int_equal(len, sizeof want + 4);
    assert_memory_equal(buf, want, sizeof want);
    uint32_t crc = (uint32_t)crc32(0, want, sizeof want);
    const uint8_t trailer[4] = {crc & 0xff, (crc >> 8) & 0xff, (crc >> 16) & 0xff, crc >> 24};
    assert_memory_equal(buf + sizeof want, trailer, 4);
    free(buf);
    ckpt_free(&c);
}

// ---- rejections ----

/* The read must fail, leave c empty, and give one line "name: ...needle...". */
static void expect_reject(const void *buf, size_t len, const char *needle)
{
    struct ckpt c;
    char err[FTL_ERRLEN] = "";
    if (ckpt_read_mem(buf, len, "x.ckpt", &c, err) == 0)
        fail_msg("accepted (%zu bytes), expected '%s'", len, needle);
    assert_int_equal(c.count, 0);
    assert_null(c.records);
    if (strncmp(err, "x.ckpt: ", 8) != 0 || !strstr(err, needle) || strchr(err, '\n'))
        fail_msg("error '%s', expected '%s'", err, needle);
}

static void test_truncated_at_every_length(void **state)
{
    (void)state;
    struct ckpt c;
    small_ckpt(&c);
    uint8_t *buf;
    size_t len;
    ckpt_encode(&c, &buf, &len);
    for (size_t n = 0; n < len; n++) {
        /* a copy of exactly n bytes, so ASan sees any read past them */
        uint8_t *part = xmalloc(n);
        memcpy(part, buf, n);
        expect_reject(part, n, n < 20 ? "truncated" : "checksum mismatch, the file is damaged");
        free(part);
    }
    free(buf);
    ckpt_free(&c);
}

static void test_every_byte_flipped(void **state)
{
    (void)state;
    struct ckpt c;
    small_ckpt(&c);
    uint8_t *buf;
    size_t len;
    ckpt_encode(&c, &buf, &len);
    const uint8_t masks[] = {0x01, 0x10, 0x80, 0xff};
    for (size_t at = 0; at < len; at++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            buf[at] ^= masks[m];
            expect_reject(buf, len,
                          at < 8 ? "not an ftlab checkpoint"
                                 : "checksum mismatch, the file is damaged");
            buf[at] ^= masks[m];
        }
    }
    /* and unflipped it still reads */
    struct ckpt r;
    char err[FTL_ERRLEN];
    assert_int_equal(ckpt_read_mem(buf, len, "x.ckpt", &r, err), 0);
    ckpt_free(&r);
    free(buf);
    ckpt_free(&c);
}

/* Hand-built files, so that every length field can lie under a valid checksum. */
struct craft {
    uint8_t b[2048];
    size_t n;
};

static void craft_bytes(struct craft *f, const void *p, size_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void craft_u32(struct craft *f, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        f->b[f->n++] = (uint8_t)(x >> (8 * i));
}

static void craft_u64(struct craft *f, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        f->b[f->n++] = (uint8_t)(x >> (8 * i));
}

static void craft_header(struct craft *f, uint32_t version, uint32_t count)
{
    f->n = 0;
    craft_bytes(f, "FTLABCKP", 8);
    craft_u32(f, version);
    craft_u32(f, count);
}

/* A record header: name, tag, shape; the caller adds the byte length and data. */
static void craft_record(struct craft *f, const char *name, uint32_t type, uint32_t ndim,
                         const uint64_t *shape)
{
    craft_u32(f, (uint32_t)strlen(name));
    craft_bytes(f, name, strlen(name));
    craft_u32(f, type);
    craft_u32(f, ndim);
    for (uint32_t d = 0; d < ndim; d++)
        craft_u64(f, shape[d]);
}

/* A well-formed u64 scalar record. */
static void craft_scalar(struct craft *f, const char *name, uint64_t value)
{
    craft_record(f, name, CKPT_U64, 0, NULL);
    craft_u64(f, 8);
    craft_u64(f, value);
}

static void craft_seal(struct craft *f)
{
    craft_u32(f, (uint32_t)crc32(0, f->b, (uInt)f->n));
}

static void test_magic_and_version(void **state)
{
    (void)state;
    struct craft f;
    craft_header(&f, 1, 1);
    craft_scalar(&f, "a", 7);
    craft_seal(&f);
    struct ckpt c;
    char err[FTL_ERRLEN];
    assert_int_equal(ckpt_read_mem(f.b, f.n, "x.ckpt", &c, err), 0);
    ckpt_free(&c);

    f.b[7] = 'Q';
    expect_reject(f.b, f.n, "not an ftlab checkpoint");
    expect_reject("\x93NUMPY\x01\x00", 8, "not an ftlab checkpoint");
    expect_reject("FTLAB", 5, "truncated (5 bytes)");

    craft_header(&f, 2, 1);
    craft_scalar(&f, "a", 7);
    craft_seal(&f);
    expect_reject(f.b, f.n, "written by a newer ftlab (format 2)");
    craft_header(&f, 0, 1);
    craft_scalar(&f, "a", 7);
    craft_seal(&f);
    expect_reject(f.b, f.n, "invalid format version 0");
}

static void test_inconsistent_lengths(void **state)
{
    (void)state;
    struct craft f;
    const uint64_t big[9] = {1ull << 40, 1ull << 40, 1, 1, 1, 1, 1, 1, 1};

    craft_header(&f, 1, 3); /* claims 3, holds 1 */
    craft_scalar(&f, "a", 7);
    craft_seal(&f);
    expect_reject(f.b, f.n, "record count 3 does not fit");
    craft_header(&f, 1, 2); /* claims 2, holds 1 with room to spare */
    craft_scalar(&f, "a", 7);
    craft_u64(&f, 0);
    craft_u64(&f, 0);
    craft_u64(&f, 0);
    craft_seal(&f);
    expect_reject(f.b, f.n, "record 2: name length 0");
    craft_header(&f, 1, 0);
    craft_scalar(&f, "a", 7);
    craft_seal(&f);
    expect_reject(f.b, f.n, "29 stray bytes after the last record");
    craft_header(&f, 1, 0xffffffffu);
    craft_seal(&f);
    expect_reject(f.b, f.n, "record count 4294967295 does not fit");

    const struct {
        uint32_t name_len;
        const char *name;
        const char *needle;
    } names[] = {
        {0, "", "name length 0, expected 1 to 255"},
        {256, "", "name length 256"},
        {0xffffffffu, "", "name length 4294967295"},
        {40, "abc", "truncated name"},
        {3, "a b", "name holds a byte outside printable ASCII"},
        {3,
         "a\x7f"
         "b",
         "outside printable ASCII"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        craft_header(&f, 1, 1);
        craft_u32(&f, names[i].name_len);
        craft_bytes(&f, names[i].name, strlen(names[i].name));
        craft_u32(&f, CKPT_U64);
        craft_u32(&f, 0);
        craft_u64(&f, 8);
        craft_u64(&f, 1);
        craft_seal(&f);
        expect_reject(f.b, f.n, names[i].needle);
    }

    const struct {
        uint32_t type, ndim;
        const uint64_t *shape;
        uint64_t bytes;
        const char *needle;
    } shapes[] = {
        {0, 0, NULL, 8, "record 'w': unknown type tag 0"},
        {8, 0, NULL, 8, "unknown type tag 8"},
        {CKPT_F32, 9, big, 8, "9 dimensions, at most 8"},
        {CKPT_STR, 0, NULL, 1, "a str record must have 1 dimension, not 0"},
        {CKPT_BYTES, 2, big, 1, "a bytes record must have 1 dimension, not 2"},
        {CKPT_F32, 2, big, 0, "shape too large"},
        {CKPT_F32, 1, big, 4ull << 40, "only 8 left in the file"},
        {CKPT_F64, 0, NULL, 4, "4 data bytes, but its shape needs 8"},
        {CKPT_F32, 1, (const uint64_t[]){3}, 8, "8 data bytes, but its shape needs 12"},
        {CKPT_F32, 1, (const uint64_t[]){UINT64_MAX / 2}, 0, "shape too large"},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        craft_header(&f, 1, 1);
        craft_record(&f, "w", shapes[i].type, shapes[i].ndim, shapes[i].shape);
        craft_u64(&f, shapes[i].bytes);
        craft_u64(&f, 0);
        craft_seal(&f);
        expect_reject(f.b, f.n, shapes[i].needle);
    }

    /* a shape field cut short (8 dimensions announced, 10 bytes of them), and a string
       holding a NUL */
    craft_header(&f, 1, 1);
    craft_record(&f, "w", CKPT_F32, 0, NULL);
    f.n -= 4;
    craft_u32(&f, 8);
    craft_bytes(&f, "0123456789", 10);
    craft_seal(&f);
    expect_reject(f.b, f.n, "record 'w': truncated shape");
    craft_header(&f, 1, 1);
    craft_record(&f, "s", CKPT_STR, 1, (const uint64_t[]){3});
    craft_u64(&f, 3);
    craft_bytes(&f, "a\0b", 3);
    craft_seal(&f);
    expect_reject(f.b, f.n, "record 's': string holds a NUL byte");
}

static void test_duplicate_names(void **state)
{
    (void)state;
    struct craft f;
    craft_header(&f, 1, 4);
    craft_scalar(&f, "b", 1);
    craft_scalar(&f, "dup", 2);
    craft_scalar(&f, "a", 3);
    craft_scalar(&f, "dup", 4);
    craft_seal(&f);
    expect_reject(f.b, f.n, "record 'dup' appears twice");
    /* same names differing in length are not duplicates */
    craft_header(&f, 1, 2);
    craft_scalar(&f, "dup", 2);
    craft_scalar(&f, "dup2", 4);
    craft_seal(&f);
    struct ckpt c;
    char err[FTL_ERRLEN];
    assert_int_equal(ckpt_read_mem(f.b, f.n, "x.ckpt", &c, err), 0);
    assert_int_equal(c.count, 2);
    ckpt_free(&c);
}

// ---- lookups ----

static void test_lookup_errors(void **state)
{
    (void)state;
    struct ckpt c;
    ckpt_init(&c);
    static float w[32 * 128];
    ckpt_put_f32(&c, "fc1.weight", w, 2, (size_t[]){32, 128});
    ckpt_put_u64(&c, "step", 5);
    char err[FTL_ERRLEN];
    const char *path = tmp_path("x.ckpt");
    assert_int_equal(ckpt_write(&c, path, err), 0);
    ckpt_free(&c);
    assert_int_equal(ckpt_read(path, &c, err), 0);

    char want[FTL_ERRLEN + 100];
    float out[16 * 128];
    assert_int_equal(ckpt_get_f32(&c, "fc1.weight", 2, (size_t[]){16, 128}, out, err), -1);
    snprintf(want, sizeof want, "%s: record 'fc1.weight' has shape 32x128, expected 16x128", path);
    assert_string_equal(err, want);
    assert_int_equal(ckpt_get_f32(&c, "fc1.weight", 1, (size_t[]){4096}, out, err), -1);
    assert_non_null(strstr(err, "has shape 32x128, expected 4096"));
    assert_int_equal(ckpt_get_f32(&c, "fc1.bias", 1, (size_t[]){32}, out, err), -1);
    snprintf(want, sizeof want, "%s: no record 'fc1.bias'", path);
    assert_string_equal(err, want);
    double d;
    assert_int_equal(ckpt_get_f64(&c, "step", &d, err), -1);
    assert_non_null(strstr(err, "record 'step' is u64, expected f64"));
    const char *s;
    assert_int_equal(ckpt_get_str(&c, "fc1.weight", &s, err), -1);
    assert_non_null(strstr(err, "record 'fc1.weight' is f32, expected str"));
    uint64_t u;
    assert_int_equal(ckpt_get_u64_array(&c, "step", 1, (size_t[]){1}, &u, err), -1);
    assert_non_null(strstr(err, "has shape scalar, expected 1"));
    assert_null(ckpt_find(&c, "nope"));
    assert_int_equal(ckpt_find(&c, "fc1.weight")->count, 32 * 128);
    ckpt_free(&c);

    assert_int_equal(ckpt_read(tmp_path("missing.ckpt"), &c, err), -1);
    assert_non_null(strstr(err, "missing.ckpt: No such file"));
}

/* Bad names and duplicate puts are bugs in the caller: they abort. */
static void test_put_bugs_abort(void **state)
{
    (void)state;
    const char *names[] = {"", "has space", "dup"};
    for (size_t i = 0; i < 3; i++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            if (!freopen("/dev/null", "w", stderr)) _exit(1);
            struct ckpt c;
            ckpt_init(&c);
            ckpt_put_u64(&c, "dup", 1);
            ckpt_put_u64(&c, names[i], 2);
            _exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    }
}

// ---- crash safety ----

/* A checkpoint of n floats all equal to value. */
static void filled_ckpt(struct ckpt *c, size_t n, float value)
{
    float *w = xmallocarray(n, sizeof *w);
    for (size_t i = 0; i < n; i++)
        w[i] = value;
    ckpt_init(c);
    ckpt_put_f32(c, "w", w, 1, &n);
    ckpt_put_f64(c, "value", value);
    free(w);
}

/* The file at path loads, and its "value" is one of the two given. */
static double loaded_value(const char *path)
{
    struct ckpt c;
    char err[FTL_ERRLEN];
    if (ckpt_read(path, &c, err) != 0) fail_msg("%s", err);
    double v;
    assert_int_equal(ckpt_get_f64(&c, "value", &v, err), 0);
    const struct ckpt_record *w = ckpt_find(&c, "w");
    for (size_t i = 0; i < w->count; i++)
        assert_true(((float *)w->data)[i] == (float)v);
    ckpt_free(&c);
    return v;
}

static void test_failed_writes_keep_old_file(void **state)
{
    (void)state;
    const char *p = tmp_path("keep.ckpt");
    char path[512], tmp[600], err[FTL_ERRLEN];
    snprintf(path, sizeof path, "%s", p);
    struct ckpt old, new;
    filled_ckpt(&old, 1000, 1.0f);
    filled_ckpt(&new, 100000, 2.0f);
    assert_int_equal(ckpt_write(&old, path, err), 0);

    /* 1. the temp file cannot be created: its name (NAME.tmp.PID.N, unpredictable on
     * purpose) would pass the file-name limit while NAME itself does not */
    char longname[260];
    memset(longname, 'k', 248);
    snprintf(longname + 248, sizeof longname - 248, ".ckpt");
    snprintf(tmp, sizeof tmp, "%s", tmp_path(longname));
    assert_int_equal(rename(path, tmp), 0); /* the old file, under the long name */
    assert_int_equal(ckpt_write(&new, tmp, err), -1);
    assert_non_null(strstr(err, "cannot write"));
    assert_true(loaded_value(tmp) == 1.0);
    assert_int_equal(rename(tmp, path), 0);

    /* 2. a crash midway: half a temp file written, never committed */
    struct ftl_atomic a;
    assert_int_equal(ftl_atomic_open(&a, path, err), 0);
    uint8_t *buf;
    size_t len;
    ckpt_encode(&new, &buf, &len);
    assert_int_equal(fwrite(buf, 1, len / 2, a.fp), len / 2);
    fclose(a.fp);
    free(buf);
    assert_true(loaded_value(path) == 1.0);
    free(a.path);
    free(a.tmp);

    /* 3. the disk fills up midway (RLIMIT_FSIZE makes write() fail with EFBIG) */
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 64 * 1024;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = ckpt_write(&new, path, err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "write failed"));
    assert_true(loaded_value(path) == 1.0);
    assert_false(ftl_is_file(tmp)); /* the failed temp file was removed */

    /* and with room again, the new one replaces it */
    assert_int_equal(ckpt_write(&new, path, err), 0);
    assert_true(loaded_value(path) == 2.0);
    ckpt_free(&old);
    ckpt_free(&new);
}

/* A writer killed with SIGKILL at a random moment leaves one whole checkpoint. */
static void test_killed_writer(void **state)
{
    (void)state;
    char path[512], err[FTL_ERRLEN];
    snprintf(path, sizeof path, "%s", tmp_path("killed.ckpt"));
    struct ckpt a, b;
    filled_ckpt(&a, 1 << 20, 3.0f);
    filled_ckpt(&b, 1 << 19, 4.0f);
    assert_int_equal(ckpt_write(&a, path, err), 0);
    srand((unsigned)time(NULL));
    int seen[2] = {0, 0};
    for (int round = 0; round < 8; round++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            for (unsigned i = 0;; i++)
                ckpt_write(i % 2 ? &a : &b, path, err);
        }
        struct timespec nap = {0, (long)(20 + rand() % 80) * 1000000L};
        nanosleep(&nap, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
        double v = loaded_value(path);
        assert_true(v == 3.0 || v == 4.0);
        seen[v == 4.0]++;
    }
    print_message("killed writer: old/new file found %d/%d times, always whole\n", seen[0],
                  seen[1]);
    ckpt_free(&a);
    ckpt_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_type),
        cmocka_unit_test(test_exact_bytes),
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_every_byte_flipped),
        cmocka_unit_test(test_magic_and_version),
        cmocka_unit_test(test_inconsistent_lengths),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_lookup_errors),
        cmocka_unit_test(test_put_bugs_abort),
        cmocka_unit_test(test_failed_writes_keep_old_file),
        cmocka_unit_test(test_killed_writer),
    };
    return cmocka_run_group_tests(tests, testutil_group_setup, testutil_group_teardown);
}
