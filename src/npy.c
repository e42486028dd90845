/*
 * npy — NumPy .npy files. See npy.h.
 *
 * Layout (numpy/lib/format.py): "\x93NUMPY", major, minor, then the header
 * length (uint16 LE for 1.0, uint32 LE for 2.0 and 3.0), then the header: a
 * Python dict literal padded with spaces and ended by '\n', then the data.
 * The header is parsed by a small bounded scanner that never reads past the
 * header's last byte and accepts only the literal forms numpy writes.
 */
#define _POSIX_C_SOURCE 200809L /* fseeko, fileno */
#include "npy.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64
/* Our dtypes need a header of a few hundred bytes; this only caps padding. */
#define NPY_MAX_HEADER_LEN ((size_t)1 << 20)

static const struct {
    const char *name;
    char kind;
    size_t size;
} dtype_table[] = {
    [NPY_F4] = {"f4", 'f', 4}, [NPY_F8] = {"f8", 'f', 8}, [NPY_I1] = {"i1", 'i', 1},
    [NPY_U1] = {"u1", 'u', 1}, [NPY_I2] = {"i2", 'i', 2}, [NPY_I4] = {"i4", 'i', 4},
    [NPY_I8] = {"i8", 'i', 8},
};
#define NPY_NDTYPES (sizeof dtype_table / sizeof dtype_table[0])

size_t npy_dtype_size(enum npy_dtype t)
{
    return (unsigned)t < NPY_NDTYPES ? dtype_table[t].size : 0;
}

const char *npy_dtype_name(enum npy_dtype t)
{
    return (unsigned)t < NPY_NDTYPES ? dtype_table[t].name : "?";
}

int npy_dtype_is_integer(enum npy_dtype t)
{
    return (unsigned)t < NPY_NDTYPES && dtype_table[t].kind != 'f';
}

// ---- byte order and element conversion ----

static int native_big_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 0;
}

static void swap_bytes(unsigned char *p, size_t size, size_t count)
{
    if (size < 2) return;
    for (size_t i = 0; i < count; i++, p += size)
        for (size_t a = 0, b = size - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

/* One element at p, stored in the given order, as a double. */
static double element_f64(const unsigned char *p, enum npy_dtype t, int swap)
{
    union {
        unsigned char b[8];
        float f4;
        double f8;
        int8_t i1;
        uint8_t u1;
        int16_t i2;
        int32_t i4;
        int64_t i8;
    } v;
    size_t size = npy_dtype_size(t);
    for (size_t k = 0; k < size; k++)
        v.b[k] = p[swap ? size - 1 - k : k];
    switch (t) {
    case NPY_F4:
        return v.f4;
    case NPY_F8:
        return v.f8;
    case NPY_I1:
        return v.i1;
    case NPY_U1:
        return v.u1;
    case NPY_I2:
        return v.i2;
    case NPY_I4:
        return v.i4;
    case NPY_I8:
        return (double)v.i8;
    }
    return 0;
}

double npy_get_f64(const struct npy *a, size_t i)
{
    return element_f64((const unsigned char *)a->data + i * npy_dtype_size(a->dtype), a->dtype, 0);
}

/* C leaves NaN and out-of-range float-to-integer casts undefined: saturate instead. */
static int64_t saturate_i64(double v)
{
    if (isnan(v)) return 0;
    if (v >= 9223372036854775808.0) return INT64_MAX;
    if (v < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)v;
}

int64_t npy_get_i64(const struct npy *a, size_t i)
{
    const unsigned char *p = (const unsigned char *)a->data + i * npy_dtype_size(a->dtype);
    if (a->dtype == NPY_I8) { /* exact, not through a double */
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    return saturate_i64(element_f64(p, a->dtype, 0));
}

// ---- header scanner ----

struct scanner {
    const char *p, *start, *end;
    size_t start_offset; /* file offset of start, for messages */
    const char *name;
    char *err;
};

static int peek(const struct scanner *s)
{
    return s->p < s->end ? (unsigned char)*s->p : -1;
}

/* Python's whitespace; numpy pads the header with spaces and ends it with '\n'. */
static void skip_space(struct scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || (*s->p >= '\t' && *s->p <= '\r')))
        s->p++;
}

static int scan_error(const struct scanner *s, const char *what)
{
    if (s->p >= s->end)
        return ftl_error(s->err, "%s: bad header: unterminated dictionary (%s)", s->name, what);
    return ftl_error(s->err, "%s: bad header: %s at byte %zu", s->name, what,
                     s->start_offset + (size_t)(s->p - s->start));
}

static int is_word_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * The text of the value at p, up to the ',' or '}' that ends it (at most
 * cap - 4 characters), to name what we refuse. Brackets and quotes are
 * tracked only so that a structured descr is shown whole.
 */
static void value_text(const char *p, const char *end, char *out, size_t cap)
{
    size_t n = 0;
    int depth = 0, quote = 0;
    for (; p < end && n + 4 < cap; p++) {
        if (quote) {
            quote = *p == quote ? 0 : quote;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '(' || *p == '[' || *p == '{') {
            depth++;
        } else if (*p == ')' || *p == ']' || *p == '}' || *p == ',') {
            if (depth == 0) break;
            depth -= *p != ',';
        }
        out[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    }
    strcpy(out + n, p < end && n + 4 >= cap ? "..." : "");
}

/*
 * A quoted Python string without escapes. Copies at most cap-1 characters
 * into out; *len gets the full length (>= cap means out was cut short).
 */
static int scan_string(struct scanner *s, char *out, size_t cap, size_t *len)
{
    int quote = peek(s);
    if (quote != '\'' && quote != '"') return scan_error(s, "expected a quoted string");
    s->p++;
    size_t n = 0;
    for (; s->p < s->end && *s->p != quote; s->p++, n++) {
        unsigned char c = (unsigned char)*s->p;
        if (c == '\\' || c < 0x20 || c >= 0x7f)
            return scan_error(s, "unsupported character in a string");
        if (n + 1 < cap) out[n] = (char)c;
    }
    if (s->p >= s->end) return scan_error(s, "unterminated string");
    s->p++;
    out[n < cap ? n : cap - 1] = '\0';
    *len = n;
    return 0;
}

static int scan_bool(struct scanner *s, int *value)
{
    const char *w = s->p;
    while (s->p < s->end && is_word_char((unsigned char)*s->p))
        s->p++;
    size_t n = (size_t)(s->p - w);
    if (n == 4 && memcmp(w, "True", 4) == 0)
        *value = 1;
    else if (n == 5 && memcmp(w, "False", 5) == 0)
        *value = 0;
    else {
        s->p = w;
        return scan_error(s, "'fortran_order' must be True or False");
    }
    return 0;
}

/* A non-negative decimal integer; a Python 2 'L' suffix is tolerated as numpy does. */
static int scan_dim(struct scanner *s, size_t *out)
{
    int c = peek(s);
    if (c == '-') return scan_error(s, "negative dimension in 'shape'");
    if (c < '0' || c > '9') return scan_error(s, "expected a non-negative integer in 'shape'");
    size_t v = 0;
    for (; (c = peek(s)) >= '0' && c <= '9'; s->p++) {
        size_t d = (size_t)(c - '0');
        if (v > (SIZE_MAX - d) / 10) return scan_error(s, "dimension in 'shape' too large");
        v = v * 10 + d;
    }
    if (peek(s) == 'L') s->p++;
    if (is_word_char(peek(s)) || peek(s) == '.')
        return scan_error(s, "expected a non-negative integer in 'shape'");
    *out = v;
    return 0;
}

/* "()", "(N,)", "(N, M)", "(N, M,)": a tuple of 0..NPY_MAXDIM integers. */
static int scan_shape(struct scanner *s, struct npy_header *h)
{
    if (peek(s) != '(') return scan_error(s, "'shape' must be a tuple such as (3, 4)");
    s->p++;
    skip_space(s);
    int ndim = 0, comma = 0;
    while (peek(s) != ')') {
        if (ndim == NPY_MAXDIM) return scan_error(s, "too many dimensions in 'shape' (at most 8)");
        if (scan_dim(s, &h->shape[ndim++]) != 0) return -1;
        skip_space(s);
        comma = peek(s) == ',';
        if (comma) {
            s->p++;
            skip_space(s);
        } else if (peek(s) != ')') {
            return scan_error(s, "expected ',' or ')' in 'shape'");
        }
    }
    if (ndim == 1 && !comma) /* Python reads "(3)" as the integer 3 */
        return scan_error(s, "'shape' must be a tuple; a 1-tuple is written (N,)");
    s->p++;
    h->ndim = ndim;
    return 0;
}

enum { KEY_DESCR = 1, KEY_FORTRAN = 2, KEY_SHAPE = 4 };

/* One "key: value" pair; *seen collects the keys found so far. */
static int scan_entry(struct scanner *s, struct npy_header *h, unsigned *seen, char *descr,
                      size_t descr_cap, size_t *descr_len, int *fortran)
{
    char key[16];
    size_t key_len;
    if (scan_string(s, key, sizeof key, &key_len) != 0) return -1;
    unsigned bit = strcmp(key, "descr") == 0           ? KEY_DESCR
                   : strcmp(key, "fortran_order") == 0 ? KEY_FORTRAN
                   : strcmp(key, "shape") == 0         ? KEY_SHAPE
                                                       : 0;
    if (bit == 0 || key_len >= sizeof key)
        return ftl_error(s->err, "%s: bad header: unexpected key '%s%s'", s->name, key,
                         key_len >= sizeof key ? "..." : "");
    if (*seen & bit) return ftl_error(s->err, "%s: bad header: duplicate key '%s'", s->name, key);
    *seen |= bit;
    skip_space(s);
    if (peek(s) != ':') return scan_error(s, "expected ':'");
    s->p++;
    skip_space(s);
    if (bit == KEY_FORTRAN) return scan_bool(s, fortran);
    if (bit == KEY_SHAPE) return scan_shape(s, h);
    if (peek(s) != '\'' && peek(s) != '"') { /* a list of fields (structured dtype) or junk */
        char text[64];
        value_text(s->p, s->end, text, sizeof text);
        return ftl_error(
            s->err,
            "%s: unsupported dtype %s (not a type string; structured arrays are not supported)",
            s->name, text);
    }
    return scan_string(s, descr, descr_cap, descr_len);
}

/* The whole header text: "{...}" followed only by padding. */
static int scan_dict(struct scanner *s, struct npy_header *h, char *descr, size_t descr_cap,
                     size_t *descr_len, int *fortran)
{
    unsigned seen = 0;
    skip_space(s);
    if (peek(s) != '{') return scan_error(s, "expected '{'");
    s->p++;
    for (;;) {
        skip_space(s);
        if (peek(s) == '}') break;
        if (scan_entry(s, h, &seen, descr, descr_cap, descr_len, fortran) != 0) return -1;
        skip_space(s);
        if (peek(s) == ',')
            s->p++;
        else if (peek(s) != '}')
            return scan_error(s, "expected ',' or '}'");
    }
    s->p++;
    skip_space(s);
    if (s->p < s->end) return scan_error(s, "unexpected text after the dictionary");
    const char *missing = !(seen & KEY_DESCR)     ? "descr"
                          : !(seen & KEY_FORTRAN) ? "fortran_order"
                          : !(seen & KEY_SHAPE)   ? "shape"
                                                  : NULL;
    if (missing) return ftl_error(s->err, "%s: bad header: missing key '%s'", s->name, missing);
    return 0;
}

/* "<f8", ">i4", "|u1", "=i2" -> dtype and byte order. */
static int parse_descr(const char *d, size_t len, const char *name, struct npy_header *h, char *err)
{
    size_t t = 0;
    while (t < NPY_NDTYPES &&
           !(len == 3 && d[1] == dtype_table[t].kind && d[2] - '0' == (int)dtype_table[t].size))
        t++;
    if (t == NPY_NDTYPES || (d[0] != '<' && d[0] != '>' && d[0] != '|' && d[0] != '='))
        return ftl_error(err, "%s: unsupported dtype '%s' (supported: f4 f8 i1 u1 i2 i4 i8)", name,
                         d);
    h->dtype = (enum npy_dtype)t;
    if (d[0] == '|' && dtype_table[t].size != 1)
        return ftl_error(err,
                         "%s: unsupported dtype '%s': '|' (no byte order) is only for 1-byte types",
                         name, d);
    h->big_endian = d[0] == '>' || (d[0] == '=' && native_big_endian());
    if (dtype_table[t].size == 1) h->big_endian = 0;
    return 0;
}

static void format_shape(const size_t *shape, int ndim, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "(");
    for (int i = 0; i < ndim && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%zu%s", shape[i],
                              ndim == 1      ? ",)"
                              : i + 1 < ndim ? ", "
                                             : ")");
    if (ndim == 0 && n < cap) snprintf(out + n, cap - n, ")");
}

/*
 * count = product of the shape; *nbytes = count * itemsize. Like numpy, the
 * product of the non-zero dimensions must fit even when another one is zero.
 */
static int shape_bytes(const size_t *shape, int ndim, enum npy_dtype t, const char *name,
                       size_t *count, size_t *nbytes, char *err)
{
    size_t product = 1, bytes;
    int empty = 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0)
            empty = 1;
        else if (ftl_mul_overflow(product, shape[i], &product) != 0)
            goto overflow;
    }
    if (ftl_mul_overflow(product, npy_dtype_size(t), &bytes) != 0) goto overflow;
    *count = empty ? 0 : product;
    *nbytes = empty ? 0 : bytes;
    return 0;
overflow:;
    char text[256];
    format_shape(shape, ndim, text, sizeof text);
    return ftl_error(err, "%s: shape %s is too large (its size overflows)", name, text);
}

// ---- header ----

/*
 * Magic, version and header length from the first `len` bytes. On success
 * *data_offset = prefix + header length, checked against file_size.
 */
static int parse_prefix(const unsigned char *b, size_t len, size_t file_size, const char *name,
                        size_t *prefix, size_t *data_offset, char *err)
{
    if (len > file_size) /* the file grew after it was measured */
        len = file_size;
    size_t magic = len < NPY_MAGIC_LEN ? len : NPY_MAGIC_LEN;
    if (magic > 0 && memcmp(b, NPY_MAGIC, magic) != 0)
        return ftl_error(err, "%s: not a .npy file (bad magic)", name);
    if (len < 8)
        return ftl_error(err, "%s: truncated: %zu bytes, too short for a .npy file", name, len);
    if ((b[6] < 1 || b[6] > 3) || b[7] != 0)
        return ftl_error(err, "%s: unsupported .npy format version %u.%u (known: 1.0, 2.0, 3.0)",
                         name, b[6], b[7]);
    *prefix = b[6] == 1 ? 10 : 12;
    if (len < *prefix)
        return ftl_error(err, "%s: truncated: %zu bytes, too short for a .npy file", name, len);
    size_t hlen = b[8] | (size_t)b[9] << 8;
    if (b[6] > 1) hlen |= (size_t)b[10] << 16 | (size_t)b[11] << 24;
    if (hlen > file_size - *prefix)
        return ftl_error(err, "%s: header length %zu goes beyond the end of the file (%zu bytes)",
                         name, hlen, file_size);
    if (hlen > NPY_MAX_HEADER_LEN)
        return ftl_error(err, "%s: header length %zu is too large (at most %zu)", name, hlen,
                         NPY_MAX_HEADER_LEN);
    *data_offset = *prefix + hlen;
    return 0;
}

int npy_parse_header(const void *buf, size_t len, size_t file_size, const char *name,
                     struct npy_header *h, char *err)
{
    memset(h, 0, sizeof *h);
    if (len > file_size) len = file_size;
    size_t prefix, data_offset;
    if (parse_prefix(buf, len, file_size, name, &prefix, &data_offset, err) != 0) return -1;
    if (data_offset > len)
        return ftl_error(err, "%s: header not fully read (%zu of %zu bytes)", name, len,
                         data_offset);
    const char *text = (const char *)buf + prefix;
    struct scanner s = {text, text, (const char *)buf + data_offset, prefix, name, err};
    char descr[32];
    size_t descr_len = 0;
    int fortran = 0;
    if (scan_dict(&s, h, descr, sizeof descr, &descr_len, &fortran) != 0) return -1;
    if (descr_len >= sizeof descr) /* too long to be one of ours; name what we have */
        memcpy(descr + sizeof descr - 4, "...", 4);
    if (parse_descr(descr, descr_len, name, h, err) != 0) return -1;
    if (fortran) return ftl_error(err, "%s: Fortran order is not supported", name);
    size_t nbytes;
    if (shape_bytes(h->shape, h->ndim, h->dtype, name, &h->count, &nbytes, err) != 0) return -1;
    size_t found = file_size - data_offset;
    if (found < nbytes)
        return ftl_error(err, "%s: truncated: expected %zu bytes of data, found %zu", name, nbytes,
                         found);
    if (found > nbytes)
        return ftl_error(err, "%s: trailing data: expected %zu bytes of data, found %zu", name,
                         nbytes, found);
    h->data_offset = data_offset;
    return 0;
}

// ---- reading ----

static void to_native(void *data, const struct npy_header *h)
{
    if (h->big_endian != native_big_endian()) swap_bytes(data, npy_dtype_size(h->dtype), h->count);
}

static void fill_array(struct npy *out, const struct npy_header *h, void *data)
{
    out->dtype = h->dtype;
    out->ndim = h->ndim;
    memcpy(out->shape, h->shape, sizeof out->shape);
    out->count = h->count;
    out->data = data;
}

int npy_read_mem(const void *buf, size_t len, const char *name, struct npy *out, char *err)
{
    memset(out, 0, sizeof *out);
    struct npy_header h;
    if (npy_parse_header(buf, len, len, name, &h, err) != 0) return -1;
    size_t nbytes = h.count * npy_dtype_size(h.dtype); /* checked against len */
    void *data = xmalloc(nbytes);
    if (nbytes) memcpy(data, (const char *)buf + h.data_offset, nbytes);
    to_native(data, &h);
    fill_array(out, &h, data);
    return 0;
}

/* Reads and parses the header; leaves fp at the first data byte. */
static int read_header(FILE *fp, const char *path, size_t file_size, struct npy_header *h,
                       char *err)
{
    unsigned char start[12];
    size_t got = fread(start, 1, sizeof start, fp);
    if (got < sizeof start && ferror(fp))
        return ftl_error(err, "%s: read failed: %s", path, strerror(errno));
    size_t prefix, data_offset;
    if (parse_prefix(start, got, file_size, path, &prefix, &data_offset, err) != 0) return -1;
    unsigned char *buf = xmalloc(data_offset); /* <= file_size and NPY_MAX_HEADER_LEN + 12 */
    int rc = -1;
    if (fseeko(fp, 0, SEEK_SET) != 0 || fread(buf, 1, data_offset, fp) != data_offset)
        ftl_error(err, "%s: read failed while reading the header", path);
    else
        rc = npy_parse_header(buf, data_offset, file_size, path, h, err);
    free(buf);
    return rc;
}

int npy_open(const char *path, struct npy_file *f, char *err)
{
    memset(f, 0, sizeof *f);
    FILE *fp = fopen(path, "rb");
    if (!fp) return ftl_error(err, "%s: %s", path, strerror(errno));
    struct stat st;
    int rc = -1;
    if (fstat(fileno(fp), &st) != 0)
        ftl_error(err, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        ftl_error(err, "%s: not a regular file", path);
    else if ((uintmax_t)st.st_size > SIZE_MAX)
        ftl_error(err, "%s: file too large", path);
    else
        rc = read_header(fp, path, (size_t)st.st_size, &f->h, err);
    if (rc != 0) {
        fclose(fp);
        memset(&f->h, 0, sizeof f->h);
        return -1;
    }
    f->fp = fp;
    f->path = xstrdup(path);
    return 0;
}

/* Reads `count` raw elements starting at element `first` into buf. */
static int read_raw(struct npy_file *f, size_t first, size_t count, void *buf, char *err)
{
    size_t size = npy_dtype_size(f->h.dtype);
    if (count == 0) return 0;
    /* first + count <= h.count, so the offset lies inside a file whose size fits off_t */
    off_t at = (off_t)(f->h.data_offset + first * size);
    /* sequential reads keep stdio's buffer (fseeko would drop it: one lseek + read per call) */
    if (ftello(f->fp) != at && fseeko(f->fp, at, SEEK_SET) != 0)
        return ftl_error(err, "%s: seek failed: %s", f->path, strerror(errno));
    clearerr(f->fp);
    if (fread(buf, size, count, f->fp) != count) {
        if (ferror(f->fp)) return ftl_error(err, "%s: read failed: %s", f->path, strerror(errno));
        return ftl_error(err, "%s: truncated: the file shrank while being read", f->path);
    }
    return 0;
}

/*
 * The raw elements go straight into out (itemsize <= 8), then are widened in
 * place from the last to the first, so that element i is read before any
 * double overwrites its bytes: one fread per call and no buffer.
 */
int npy_read_f64(struct npy_file *f, size_t first, size_t n, double *out, char *err)
{
    const struct npy_header *h = &f->h;
    if (first > h->count || n > h->count - first)
        return ftl_error(err, "%s: cannot read %zu elements from element %zu: the array has %zu",
                         f->path, n, first, h->count);
    if (read_raw(f, first, n, out, err) != 0) return -1;
    int swap = h->big_endian != native_big_endian();
    if (h->dtype == NPY_F8) {
        if (swap) swap_bytes((unsigned char *)out, 8, n);
        return 0;
    }
    const unsigned char *raw = (const unsigned char *)out;
    size_t size = npy_dtype_size(h->dtype);
    for (size_t i = n; i-- > 0;)
        out[i] = element_f64(raw + i * size, h->dtype, swap);
    return 0;
}

void npy_close(struct npy_file *f)
{
    if (f->fp) fclose(f->fp);
    free(f->path);
    memset(f, 0, sizeof *f);
}

int npy_read(const char *path, struct npy *out, char *err)
{
    memset(out, 0, sizeof *out);
    struct npy_file f;
    if (npy_open(path, &f, err) != 0) return -1;
    void *data = xmalloc(f.h.count * npy_dtype_size(f.h.dtype)); /* checked against the file size */
    if (read_raw(&f, 0, f.h.count, data, err) != 0) {
        free(data);
        npy_close(&f);
        return -1;
    }
    to_native(data, &f.h);
    fill_array(out, &f.h, data);
    npy_close(&f);
    return 0;
}

void npy_free(struct npy *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

// ---- writing ----

/*
 * Magic, version, length and the dict padded with spaces and '\n' so that the
 * data start at a multiple of NPY_ALIGN, as numpy writes it. Returns the
 * number of bytes put in out (cap must be large enough for any shape).
 */
static size_t format_header(enum npy_dtype t, int ndim, const size_t *shape, char *out, size_t cap)
{
    char dict[320], text[256];
    format_shape(shape, ndim, text, sizeof text);
    size_t n = (size_t)snprintf(dict, sizeof dict,
                                "{'descr': '%c%s', 'fortran_order': False, 'shape': %s, }",
                                npy_dtype_size(t) == 1 ? '|' : '<', npy_dtype_name(t), text);
    size_t prefix = 10;
    size_t pad = (NPY_ALIGN - (prefix + n + 1) % NPY_ALIGN) % NPY_ALIGN;
    if (n + pad + 1 > 65535) { /* 1.0 stores the length in 16 bits */
        prefix = 12;
        pad = (NPY_ALIGN - (prefix + n + 1) % NPY_ALIGN) % NPY_ALIGN;
    }
    size_t hlen = n + pad + 1;
    if (prefix + hlen > cap) return 0;
    memcpy(out, NPY_MAGIC, NPY_MAGIC_LEN);
    out[6] = prefix == 10 ? 1 : 2;
    out[7] = 0;
    for (size_t k = 0; k < prefix - 8; k++)
        out[8 + k] = (char)(hlen >> (8 * k) & 0xff);
    memcpy(out + prefix, dict, n);
    memset(out + prefix + n, ' ', pad);
    out[prefix + hlen - 1] = '\n';
    return prefix + hlen;
}

/* Data in little-endian order: as is on little-endian machines, else swapped in chunks. */
static int write_data(FILE *fp, const unsigned char *data, size_t size, size_t count)
{
    if (size == 1 || !native_big_endian()) return fwrite(data, size, count, fp) == count ? 0 : -1;
    unsigned char chunk[4096 * 8];
    size_t per = sizeof chunk / size;
    for (size_t i = 0; i < count; i += per) {
        size_t n = count - i < per ? count - i : per;
        memcpy(chunk, data + i * size, n * size);
        swap_bytes(chunk, size, n);
        if (fwrite(chunk, size, n, fp) != n) return -1;
    }
    return 0;
}

int npy_write(const char *path, enum npy_dtype dtype, int ndim, const size_t *shape,
              const void *data, char *err)
{
    if ((unsigned)dtype >= NPY_NDTYPES)
        return ftl_error(err, "%s: cannot write: unknown dtype %d", path, (int)dtype);
    if (ndim < 0 || ndim > NPY_MAXDIM)
        return ftl_error(err, "%s: cannot write %d dimensions (at most %d)", path, ndim,
                         NPY_MAXDIM);
    size_t count, nbytes;
    if (shape_bytes(shape, ndim, dtype, path, &count, &nbytes, err) != 0) return -1;
    char header[512];
    size_t hlen = format_header(dtype, ndim, shape, header, sizeof header);
    struct ftl_atomic a;
    if (ftl_atomic_open(&a, path, err) != 0) return -1;
    if (fwrite(header, 1, hlen, a.fp) != hlen ||
        write_data(a.fp, data, npy_dtype_size(dtype), count) != 0) {
        int e = errno;
        ftl_atomic_abort(&a);
        return ftl_error(err, "%s: write failed: %s", path, strerror(e));
    }
    return ftl_atomic_commit(&a, err);
}
