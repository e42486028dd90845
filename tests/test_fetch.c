/*
 * test_fetch — SHA-256 against the FIPS 180-4 examples, the tar.gz member
 * extraction against archives built here (valid and broken ones), and
 * fetch_install from a folder and through a fake curl (from the real
 * mirror: test_realdata).
 */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp, setenv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fetch.h"
#include "sha256.h"
#include "util.h"

/* ---- helpers ---- */

static void digest_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
    uint8_t d[SHA256_DIGEST_LEN];
    sha256_buffer(data, len, d);
    sha256_hex(d, hex);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_rf(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *templ = ftl_path_join(base && *base ? base : "/tmp", "ftlab-test-fetch-XXXXXX");
    assert_non_null(mkdtemp(templ));
    return templ;
}

static char *join(const char *dir, const char *name)
{
    return ftl_path_join(dir, name);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* Whole file into a malloc'd buffer; asserts it exists. */
static char *slurp(const char *path, size_t *len)
{
    char *buf, err[FTL_ERRLEN];
    if (ftl_read_file(path, &buf, len, err) != 0) fail_msg("%s", err);
    return buf;
}

/* Names in dir starting with prefix (e.g. "dest." finds dest.tmp.PID and dest.old.PID). */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle)) fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

/* ---- building tar.gz files ---- */

struct tar_spec {
    const char *name; /* member name */
    const void *data;
    size_t len;        /* bytes of data written */
    size_t size_field; /* size written into the header (normally len) */
    char type;         /* typeflag, '0' for a regular file */
    int bad_checksum;
    int bad_magic;
    int second_member; /* append a second member "extra.txt" */
    int raw;           /* write the tar without gzip */
};

static void tar_header(unsigned char h[512], const char *name, size_t size, char type,
                       int bad_checksum, int bad_magic)
{
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
    memcpy(h + 136, "14000000000", 12);
    h[156] = (unsigned char)type;
    memcpy(h + 257, bad_magic ? "ustax" : "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum + (bad_checksum ? 1u : 0u));
}

static void write_tar(const char *path, const struct tar_spec *s)
{
    size_t padded = (s->len + 511) / 512 * 512;
    size_t cap = 512 + padded + (s->second_member ? 1024 : 0) + 1024;
    unsigned char *tar = calloc(1, cap);
    assert_non_null(tar);
    size_t n = 0;
    tar_header(tar, s->name, s->size_field, s->type, s->bad_checksum, s->bad_magic);
    n += 512;
    if (s->len) memcpy(tar + n, s->data, s->len);
    n += padded;
    if (s->second_member) {
        tar_header(tar + n, "extra.txt", 5, '0', 0, 0);
        memcpy(tar + n + 512, "hello", 5);
        n += 1024;
    }
    n += 1024; /* two zero blocks end the archive */
    if (s->raw) {
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(tar, 1, n, fp), n);
        assert_int_equal(fclose(fp), 0);
    } else {
        gzFile gz = gzopen(path, "wb");
        assert_non_null(gz);
        assert_int_equal(gzwrite(gz, tar, (unsigned)n), (int)n);
        assert_int_equal(gzclose(gz), Z_OK);
    }
    free(tar);
}

/* A regular member NAME.npy holding data. */
static void write_member(const char *path, const char *member, const void *data, size_t len)
{
    struct tar_spec s = {member, data, len, len, '0', 0, 0, 0, 0};
    write_tar(path, &s);
}

static char *file_sha256(const char *path)
{
    uint8_t d[SHA256_DIGEST_LEN];
    char err[FTL_ERRLEN];
    char *hex = malloc(SHA256_HEX_LEN + 1);
    assert_non_null(hex);
    if (sha256_file(path, d, err) != 0) fail_msg("%s", err);
    sha256_hex(d, hex);
    return hex;
}

/* ---- SHA-256 ---- */

static void test_sha256_vectors(void **state)
{
    (void)state;
    char hex[SHA256_HEX_LEN + 1];
    /* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf"). */
    digest_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    digest_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_hex(m448, strlen(m448), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    digest_hex(m896, strlen(m896), hex);
    assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a_in_odd_chunks(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 7, 63, 64, 65, 127, 1000, 3};
    char a[1000];
    memset(a, 'a', sizeof a);
    struct sha256 s;
    sha256_init(&s);
    size_t done = 0;
    for (int i = 0; done < 1000000; i++) {
        size_t n = sizes[i % 8];
        if (n > 1000000 - done) n = 1000000 - done;
        sha256_update(&s, a, n);
        done += n;
    }
    uint8_t d[SHA256_DIGEST_LEN];
    char hex[SHA256_HEX_LEN + 1];
    sha256_final(&s, d);
    sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_padding_boundaries_and_file(void **state)
{
    (void)state;
    /* python3 -c "import hashlib; print(hashlib.sha256(b'a' * n).hexdigest())" */
    static const struct {
        size_t n;
        const char *hex;
    } want[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    };
    char a[65], hex[SHA256_HEX_LEN + 1];
    memset(a, 'a', sizeof a);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        digest_hex(a, want[i].n, hex);
        assert_string_equal(hex, want[i].hex);
    }
    char *dir = make_tmpdir();
    char *path = join(dir, "abc.txt");
    write_text(path, "abc");
    char *fh = file_sha256(path);
    assert_string_equal(fh, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    uint8_t d[SHA256_DIGEST_LEN];
    char err[FTL_ERRLEN];
    char *missing = join(dir, "missing");
    assert_int_equal(sha256_file(missing, d, err), -1);
    assert_contains(err, "missing");
    rm_rf(dir);
    free(fh);
    free(path);
    free(missing);
    free(dir);
}

/* ---- fetch_unpack ---- */

struct unpack_case {
    char *dir, *tarball, *out;
    unsigned char data[3000];
};

static int unpack_setup(void **state)
{
    struct unpack_case *c = calloc(1, sizeof *c);
    c->dir = make_tmpdir();
    c->tarball = join(c->dir, "x.tar.gz");
    c->out = join(c->dir, "x.npy");
    uint32_t x = 1; /* incompressible-looking bytes, so most of the gzip file is deflate data */
    for (size_t i = 0; i < sizeof c->data; i++) {
        x = x * 1664525u + 1013904223u;
        c->data[i] = (unsigned char)(x >> 24);
    }
    *state = c;
    return 0;
}

static int unpack_teardown(void **state)
{
    struct unpack_case *c = *state;
    rm_rf(c->dir);
    free(c->dir);
    free(c->tarball);
    free(c->out);
    free(c);
    return 0;
}

/* Runs fetch_unpack on c->tarball; expects failure with `needle` in the message and no output file.
 */
static void expect_unpack_error(struct unpack_case *c, const char *needle)
{
    char err[FTL_ERRLEN] = "";
    assert_int_equal(fetch_unpack(c->tarball, "x.npy", c->out, NULL, err), -1);
    assert_contains(err, needle);
    assert_contains(err, c->tarball);
    assert_false(ftl_is_file(c->out));
}

static void test_unpack_valid(void **state)
{
    struct unpack_case *c = *state;
    write_member(c->tarball, "x.npy", c->data, sizeof c->data);
    char err[FTL_ERRLEN];
    size_t size = 0, len;
    if (fetch_unpack(c->tarball, "x.npy", c->out, &size, err) != 0) fail_msg("%s", err);
    assert_int_equal(size, sizeof c->data);
    char *got = slurp(c->out, &len);
    assert_int_equal(len, sizeof c->data);
    assert_memory_equal(got, c->data, len);
    free(got);
    /* the output must not exist beforehand */
    assert_int_equal(fetch_unpack(c->tarball, "x.npy", c->out, NULL, err), -1);
    assert_contains(err, "cannot create");
}

static void test_unpack_wrong_member_name(void **state)
{
    struct unpack_case *c = *state;
    write_member(c->tarball, "y.npy", c->data, sizeof c->data);
    expect_unpack_error(c, "\"y.npy\", expected \"x.npy\"");
}

static void test_unpack_bad_header_checksum(void **state)
{
    struct unpack_case *c = *state;
    struct tar_spec s = {"x.npy", c->data, sizeof c->data, sizeof c->data, '0', 1, 0, 0, 0};
    write_tar(c->tarball, &s);
    expect_unpack_error(c, "checksum mismatch");
}

static void test_unpack_bad_magic(void **state)
{
    struct unpack_case *c = *state;
    struct tar_spec s = {"x.npy", c->data, sizeof c->data, sizeof c->data, '0', 0, 1, 0, 0};
    write_tar(c->tarball, &s);
    expect_unpack_error(c, "not a ustar archive");
}

static void test_unpack_size_beyond_stream(void **state)
{
    struct unpack_case *c = *state;
    /* The header claims far more than the archive holds, even with its end blocks. */
    struct tar_spec s = {"x.npy", c->data, sizeof c->data, 100000, '0', 0, 0, 0, 0};
    write_tar(c->tarball, &s);
    expect_unpack_error(c, "truncated: member x.npy should hold 100000 bytes");
}

static void test_unpack_size_over_limit(void **state)
{
    struct unpack_case *c = *state;
    struct tar_spec s = {"x.npy", c->data, sizeof c->data, FETCH_MAX_MEMBER + 1, '0', 0, 0, 0, 0};
    write_tar(c->tarball, &s);
    expect_unpack_error(c, "limit");
}

static void test_unpack_not_regular(void **state)
{
    struct unpack_case *c = *state;
    struct tar_spec s = {"x.npy", c->data, 0, 0, '2', 0, 0, 0, 0}; /* a symbolic link */
    write_tar(c->tarball, &s);
    expect_unpack_error(c, "not a regular file (type '2')");
}

static void test_unpack_truncated_gzip(void **state)
{
    struct unpack_case *c = *state;
    write_member(c->tarball, "x.npy", c->data, sizeof c->data);
    struct stat st;
    assert_int_equal(stat(c->tarball, &st), 0);
    /* cut inside the member data, and (separately) just before the gzip trailer */
    assert_int_equal(truncate(c->tarball, st.st_size / 2), 0);
    expect_unpack_error(c, "corrupt or truncated gzip stream");
    write_member(c->tarball, "x.npy", c->data, sizeof c->data);
    assert_int_equal(truncate(c->tarball, st.st_size - 4), 0);
    expect_unpack_error(c, "corrupt or truncated gzip stream");
}

static void test_unpack_two_members(void **state)
{
    struct unpack_case *c = *state;
    struct tar_spec s = {"x.npy", c->data, sizeof c->data, sizeof c->data, '0', 0, 0, 1, 0};
    write_tar(c->tarball, &s);
    expect_unpack_error(c, "more than the one member x.npy");
}

static void test_unpack_not_gzip(void **state)
{
    struct unpack_case *c = *state;
    struct tar_spec s = {"x.npy", c->data, sizeof c->data, sizeof c->data, '0', 0, 0, 0, 1};
    write_tar(c->tarball, &s); /* a valid tar, but not compressed */
    expect_unpack_error(c, "not a gzip file");
    write_text(c->tarball, "<html>404: Not Found</html>\n");
    expect_unpack_error(c, "not a gzip file");
    write_text(c->tarball, "");
    char err[FTL_ERRLEN];
    assert_int_equal(fetch_unpack(c->tarball, "x.npy", c->out, NULL, err), -1);
    assert_false(ftl_is_file(c->out));
}

/* Flipped bytes anywhere in the compressed file: an error, or (gzip's header
 * mtime is not covered by its CRC) the exact original member; never a crash. */
static void test_unpack_corrupted_bytes(void **state)
{
    struct unpack_case *c = *state;
    write_member(c->tarball, "x.npy", c->data, sizeof c->data);
    size_t len;
    unsigned char *good = (unsigned char *)slurp(c->tarball, &len);
    unsigned seed = 12345;
    int failures = 0;
    for (int trial = 0; trial < 300; trial++) {
        unsigned char *bad = malloc(len);
        memcpy(bad, good, len);
        seed = seed * 1103515245u + 12345u;
        size_t at = (seed >> 8) % len;
        bad[at] ^= (unsigned char)(1u + (seed >> 24) % 255u);
        FILE *fp = fopen(c->tarball, "wb");
        assert_non_null(fp);
        fwrite(bad, 1, len, fp);
        fclose(fp);
        free(bad);
        char err[FTL_ERRLEN];
        size_t got_len;
        if (fetch_unpack(c->tarball, "x.npy", c->out, NULL, err) != 0) {
            assert_false(ftl_is_file(c->out));
            failures++;
            continue;
        }
        char *got = slurp(c->out, &got_len);
        assert_int_equal(got_len, sizeof c->data);
        assert_memory_equal(got, c->data, got_len);
        free(got);
        unlink(c->out);
    }
    assert_true(failures > 250);
    free(good);
}

/* ---- fetch_install with a fabricated table ---- */

struct install_case {
    char *root, *src, *dest;
    char sums[3][SHA256_HEX_LEN + 1];
    struct fetch_file table[3];
    struct fetch_opts opts;
};

static const char *const NAMES[3] = {"seqa", "seqb", "lab"};
static const char *const CONTENT[3] = {"sequences, trailing padding", "sequences, leading padding",
                                       "labels 5 0 4 1 9"};

static int install_setup(void **state)
{
    struct install_case *c = calloc(1, sizeof *c);
    char err[FTL_ERRLEN];
    c->root = make_tmpdir();
    c->src = join(c->root, "src");
    c->dest = join(c->root, "dest");
    assert_int_equal(ftl_mkdir_p(c->src, err), 0);
    for (int i = 0; i < 3; i++) {
        char file[64], member[64];
        snprintf(file, sizeof file, "%s.tar.gz", NAMES[i]);
        snprintf(member, sizeof member, "%s.npy", NAMES[i]);
        char *path = join(c->src, file);
        write_member(path, member, CONTENT[i], strlen(CONTENT[i]));
        char *hex = file_sha256(path);
        memcpy(c->sums[i], hex, sizeof c->sums[i]);
        free(hex);
        free(path);
        c->table[i].name = NAMES[i];
        c->table[i].sha256 = c->sums[i];
        c->table[i].need = i < 2 ? FETCH_ONE_OF : FETCH_REQUIRED;
    }
    c->opts.table = c->table;
    c->opts.table_len = 3;
    c->opts.base_url = "https://example.invalid/data";
    *state = c;
    return 0;
}

static int install_teardown(void **state)
{
    struct install_case *c = *state;
    rm_rf(c->root);
    unsetenv("FTLAB_CURL");
    free(c->root);
    free(c->src);
    free(c->dest);
    free(c);
    return 0;
}

/* dest/NAME.npy holds CONTENT[i]. */
static void assert_installed(const struct install_case *c, int i)
{
    char member[64];
    snprintf(member, sizeof member, "%s.npy", NAMES[i]);
    char *path = join(c->dest, member);
    size_t len;
    char *got = slurp(path, &len);
    assert_int_equal(len, strlen(CONTENT[i]));
    assert_memory_equal(got, CONTENT[i], len);
    free(got);
    free(path);
}

static int dest_has(const struct install_case *c, const char *name)
{
    char *path = join(c->dest, name);
    int yes = ftl_is_file(path);
    free(path);
    return yes;
}

/* Only src/ and (on success) dest/ may remain: no dest.tmp.PID or dest.old.PID. */
static void assert_no_leftovers(const struct install_case *c)
{
    assert_int_equal(count_prefixed(c->root, "dest."), 0);
}

static void make_old_install(const struct install_case *c, const char *marker)
{
    char err[FTL_ERRLEN];
    assert_int_equal(ftl_mkdir_p(c->dest, err), 0);
    char *source = join(c->dest, "SOURCE");
    char *m = join(c->dest, marker);
    write_text(source, "origin: an earlier install\n");
    write_text(m, "old\n");
    free(source);
    free(m);
}

static void test_install_checksum_mismatch(void **state)
{
    struct install_case *c = *state;
    const char *wrong = "0000000000000000000000000000000000000000000000000000000000000000";
    c->table[2].sha256 = wrong;
    char err[FTL_ERRLEN] = "";
    assert_int_equal(fetch_install(c->src, c->dest, &c->opts, err), -1);
    assert_contains(err, "lab.tar.gz: SHA-256 mismatch");
    assert_contains(err, wrong);
    assert_contains(err, c->sums[2]);
    assert_false(ftl_is_dir(c->dest));
    assert_no_leftovers(c);
}

static void test_install_success(void **state)
{
    struct install_case *c = *state;
    char err[FTL_ERRLEN];
    if (fetch_install(c->src, c->dest, &c->opts, err) != 0) fail_msg("%s", err);
    for (int i = 0; i < 3; i++)
        assert_installed(c, i);
    assert_false(dest_has(c, "lab.tar.gz"));
    assert_false(dest_has(c, "seqa.tar.gz"));
    size_t len;
    char *source_path = join(c->dest, "SOURCE");
    char *source = slurp(source_path, &len);
    char *real_src = realpath(c->src, NULL);
    char line[256];
    snprintf(line, sizeof line, "origin: %s\n", real_src);
    assert_contains(source, line);
    assert_contains(source, "date: 20");
    for (int i = 0; i < 3; i++) {
        snprintf(line, sizeof line, "%s  %s.tar.gz\n", c->sums[i], NAMES[i]);
        assert_contains(source, line);
    }
    assert_no_leftovers(c);
    free(real_src);
    free(source);
    free(source_path);
}

static void test_install_replaces_earlier_install(void **state)
{
    struct install_case *c = *state;
    make_old_install(c, "stale.npy");
    char err[FTL_ERRLEN];
    if (fetch_install(c->src, c->dest, &c->opts, err) != 0) fail_msg("%s", err);
    assert_false(dest_has(c, "stale.npy"));
    assert_installed(c, 0);
    assert_installed(c, 2);
    assert_no_leftovers(c);
}

static void test_install_failure_keeps_earlier_install(void **state)
{
    struct install_case *c = *state;
    make_old_install(c, "stale.npy");
    c->table[0].sha256 = c->sums[1]; /* seqa gets seqb's sum */
    char err[FTL_ERRLEN];
    assert_int_equal(fetch_install(c->src, c->dest, &c->opts, err), -1);
    assert_contains(err, "seqa.tar.gz: SHA-256 mismatch");
    assert_true(dest_has(c, "stale.npy"));
    assert_true(dest_has(c, "SOURCE"));
    assert_false(dest_has(c, "lab.npy"));
    assert_no_leftovers(c);
}

static void test_install_refuses_foreign_folder(void **state)
{
    struct install_case *c = *state;
    char err[FTL_ERRLEN];
    assert_int_equal(ftl_mkdir_p(c->dest, err), 0);
    char *precious = join(c->dest, "thesis.tex");
    write_text(precious, "years of work\n");
    assert_int_equal(fetch_install(c->src, c->dest, &c->opts, err), -1);
    assert_contains(err, "no SOURCE file");
    assert_true(ftl_is_file(precious));
    assert_no_leftovers(c);
    /* an empty folder is fine, and a trailing slash does not matter */
    unlink(precious);
    char *slashed = join(c->dest, "");
    if (fetch_install(c->src, slashed, &c->opts, err) != 0) fail_msg("%s", err);
    assert_installed(c, 2);
    assert_no_leftovers(c);
    free(slashed);
    free(precious);
}

static void test_install_chooses_files(void **state)
{
    struct install_case *c = *state;
    char err[FTL_ERRLEN];
    char *seqa = join(c->src, "seqa.tar.gz"), *seqb = join(c->src, "seqb.tar.gz");
    char *lab = join(c->src, "lab.tar.gz"), *lab_away = join(c->root, "lab.tar.gz");
    /* only the alternative train file: installed alone */
    assert_int_equal(unlink(seqa), 0);
    if (fetch_install(c->src, c->dest, &c->opts, err) != 0) fail_msg("%s", err);
    assert_false(dest_has(c, "seqa.npy"));
    assert_installed(c, 1);
    assert_installed(c, 2);
    /* neither train file */
    assert_int_equal(unlink(seqb), 0);
    assert_int_equal(fetch_install(c->src, c->dest, &c->opts, err), -1);
    assert_contains(err, "holds neither seqa.tar.gz or seqb.tar.gz");
    /* a required file missing */
    assert_int_equal(rename(lab, lab_away), 0);
    assert_int_equal(fetch_install(c->src, c->dest, &c->opts, err), -1);
    assert_contains(err, "lab.tar.gz: missing");
    /* the earlier good install survived both failures */
    assert_installed(c, 1);
    assert_no_leftovers(c);
    char *nowhere = join(c->root, "nowhere");
    assert_int_equal(fetch_install(nowhere, c->dest, &c->opts, err), -1);
    assert_contains(err, "not a folder");
    free(nowhere);
    free(seqa);
    free(seqb);
    free(lab);
    free(lab_away);
}

/* A curl stand-in: logs its arguments, then copies SRC/basename(URL) to the -o file. */
static char *write_fake_curl(const struct install_case *c, const char *body)
{
    char *path = join(c->root, "fake-curl");
    write_text(path, body);
    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

static void test_install_download_with_fake_curl(void **state)
{
    struct install_case *c = *state;
    char *log = join(c->root, "curl.log");
    char script[2048];
    snprintf(script, sizeof script,
             "#!/bin/sh\n"
             "echo \"$@\" >> '%s'\n"
             "out=; url=\n"
             "while [ $# -gt 0 ]; do\n"
             "  case \"$1\" in -o) out=$2; shift 2;; *) url=$1; shift;; esac\n"
             "done\n"
             "exec cp \"%s/${url##*/}\" \"$out\"\n",
             log, c->src);
    char *curl = write_fake_curl(c, script);
    setenv("FTLAB_CURL", curl, 1);
    char err[FTL_ERRLEN];
    if (fetch_install(NULL, c->dest, &c->opts, err) != 0) fail_msg("%s", err);
    /* the download set: the required file and the first train file only */
    assert_installed(c, 0);
    assert_installed(c, 2);
    assert_false(dest_has(c, "seqb.npy"));
    size_t len;
    char *text = slurp(log, &len);
    char want[1024];
    snprintf(want, sizeof want,
             "-fsSL --retry 3 --connect-timeout 20 -o %s.tmp.%ld/seqa.tar.gz "
             "https://example.invalid/data/seqa.tar.gz\n",
             c->dest, (long)getpid());
    assert_contains(text, want);
    assert_contains(text, "https://example.invalid/data/lab.tar.gz\n");
    char *source_path = join(c->dest, "SOURCE");
    char *source = slurp(source_path, &len);
    assert_contains(source, "origin: https://example.invalid/data\n");
    assert_no_leftovers(c);
    free(source);
    free(source_path);
    free(text);
    free(curl);
    free(log);
}

static void test_install_download_failures(void **state)
{
    struct install_case *c = *state;
    char *curl =
        write_fake_curl(c, "#!/bin/sh\n"
                           "echo 'fake-curl: (22) The requested URL returned error: 404' >&2\n"
                           "exit 22\n");
    setenv("FTLAB_CURL", curl, 1);
    char err[FTL_ERRLEN];
    assert_int_equal(fetch_install(NULL, c->dest, &c->opts, err), -1);
    assert_contains(err, "https://example.invalid/data/seqa.tar.gz: download failed");
    assert_contains(err, "status 22");
    assert_false(ftl_is_dir(c->dest));
    assert_no_leftovers(c);

    /* a "successful" download of the wrong bytes is caught by the sum */
    free(curl);
    curl = write_fake_curl(c, "#!/bin/sh\n"
                              "while [ $# -gt 0 ]; do\n"
                              "  if [ \"$1\" = -o ]; then echo '<html>' > \"$2\"; fi; shift\n"
                              "done\n");
    assert_int_equal(fetch_install(NULL, c->dest, &c->opts, err), -1);
    assert_contains(err, "SHA-256 mismatch");
    assert_no_leftovers(c);

    char *missing = join(c->root, "no-such-curl");
    setenv("FTLAB_CURL", missing, 1);
    assert_int_equal(fetch_install(NULL, c->dest, &c->opts, err), -1);
    assert_contains(err, "cannot run");
    assert_contains(err, "https://example.invalid/data/seqa.tar.gz");
    assert_false(ftl_is_dir(c->dest));
    assert_no_leftovers(c);
    free(missing);
    free(curl);
}

/* ---- where the data live ---- */

static void test_data_dirs(void **state)
{
    (void)state;
    char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", "/home/someone", 1);
    setenv("XDG_DATA_HOME", "/xdg/data", 1);
    unsetenv("FTLAB_DATA");
    char *d = fetch_default_dir();
    assert_string_equal(d, "/xdg/data/ftlab/mnist-strokes");
    free(d);
    setenv("XDG_DATA_HOME", "relative/ignored", 1);
    d = fetch_default_dir();
    assert_string_equal(d, "/home/someone/.local/share/ftlab/mnist-strokes");
    free(d);
    unsetenv("XDG_DATA_HOME");
    d = fetch_resolve_data_dir(NULL);
    assert_string_equal(d, "/home/someone/.local/share/ftlab/mnist-strokes");
    free(d);
    setenv("FTLAB_DATA", "", 1);
    d = fetch_resolve_data_dir("");
    assert_string_equal(d, "/home/someone/.local/share/ftlab/mnist-strokes");
    free(d);
    setenv("FTLAB_DATA", "env/data", 1);
    d = fetch_resolve_data_dir(NULL);
    assert_string_equal(d, "env/data");
    free(d);
    d = fetch_resolve_data_dir("opt/data");
    assert_string_equal(d, "opt/data");
    free(d);
    unsetenv("FTLAB_DATA");
    if (saved_home) setenv("HOME", saved_home, 1);
    free(saved_home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_million_a_in_odd_chunks),
        cmocka_unit_test(test_sha256_padding_boundaries_and_file),
        cmocka_unit_test_setup_teardown(test_unpack_valid, unpack_setup, unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_wrong_member_name, unpack_setup,
                                        unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_bad_header_checksum, unpack_setup,
                                        unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_bad_magic, unpack_setup, unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_size_beyond_stream, unpack_setup,
                                        unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_size_over_limit, unpack_setup, unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_not_regular, unpack_setup, unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_truncated_gzip, unpack_setup, unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_two_members, unpack_setup, unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_not_gzip, unpack_setup, unpack_teardown),
        cmocka_unit_test_setup_teardown(test_unpack_corrupted_bytes, unpack_setup, unpack_teardown),
        cmocka_unit_test_setup_teardown(test_install_checksum_mismatch, install_setup,
                                        install_teardown),
        cmocka_unit_test_setup_teardown(test_install_success, install_setup, install_teardown),
        cmocka_unit_test_setup_teardown(test_install_replaces_earlier_install, install_setup,
                                        install_teardown),
        cmocka_unit_test_setup_teardown(test_install_failure_keeps_earlier_install, install_setup,
                                        install_teardown),
        cmocka_unit_test_setup_teardown(test_install_refuses_foreign_folder, install_setup,
                                        install_teardown),
        cmocka_unit_test_setup_teardown(test_install_chooses_files, install_setup,
                                        install_teardown),
        cmocka_unit_test_setup_teardown(test_install_download_with_fake_curl, install_setup,
                                        install_teardown),
        cmocka_unit_test_setup_teardown(test_install_download_failures, install_setup,
                                        install_teardown),
        cmocka_unit_test(test_data_dirs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
