/* checkpoint — named records in a versioned, checksummed file. See checkpoint.h. */
#include "checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util.h"

#define HEADER_BYTES 16 /* magic, version, record count */
#define TRAILER_BYTES 4 /* CRC-32 */
#define MIN_RECORD_BYTES                                                                           \
    (4 + 1 + 4 + 4 + 8) /* no record is smaller: name of 1, no shape, no data */

static const struct {
    const char *name;
    size_t size;
} type_info[] = {
    [CKPT_F32] = {"f32", 4},     [CKPT_F64] = {"f64", 8}, [CKPT_U32] = {"u32", 4},
    [CKPT_U64] = {"u64", 8},     [CKPT_I64] = {"i64", 8}, [CKPT_STR] = {"str", 1},
    [CKPT_BYTES] = {"bytes", 1},
};

static int type_known(uint32_t t)
{
    return t >= CKPT_F32 && t <= CKPT_BYTES;
}

const char *ckpt_type_name(enum ckpt_type t)
{
    return type_known(t) ? type_info[t].name : "unknown";
}

size_t ckpt_type_size(enum ckpt_type t)
{
    return type_known(t) ? type_info[t].size : 0;
}

// ---- little-endian bytes, whatever the host ----

static void put_le32(uint8_t *p, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* count elements of elem_size bytes between host order (host) and the file (file). */
static void elements_to_file(uint8_t *file, const void *host, size_t count, size_t elem_size)
{
    const uint8_t *h = host;
    for (size_t i = 0; i < count; i++, h += elem_size, file += elem_size) {
        if (elem_size == 4) {
            uint32_t x;
            memcpy(&x, h, 4);
            put_le32(file, x);
        } else if (elem_size == 8) {
            uint64_t x;
            memcpy(&x, h, 8);
            put_le64(file, x);
        } else {
            *file = *h;
        }
    }
}

static void elements_from_file(void *host, const uint8_t *file, size_t count, size_t elem_size)
{
    uint8_t *h = host;
    if (elem_size == 1) {
        memcpy(h, file, count);
        return;
    }
    for (size_t i = 0; i < count; i++, h += elem_size, file += elem_size) {
        if (elem_size == 4) {
            uint32_t x = get_le32(file);
            memcpy(h, &x, 4);
        } else {
            uint64_t x = get_le64(file);
            memcpy(h, &x, 8);
        }
    }
}

/* zlib's crc32 takes a uInt length: feed big buffers in pieces. */
static uint32_t crc32_of(const uint8_t *p, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (len > 0) {
        uInt piece = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = crc32(crc, p, piece);
        p += piece;
        len -= piece;
    }
    return (uint32_t)crc;
}

// ---- building a checkpoint in memory ----

void ckpt_init(struct ckpt *c)
{
    memset(c, 0, sizeof *c);
}

void ckpt_free(struct ckpt *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->records[i].name);
        free(c->records[i].data);
    }
    free(c->records);
    free(c->source);
    ckpt_init(c);
}

static int name_ok(const char *name, size_t len)
{
    if (len < 1 || len > CKPT_MAX_NAME) return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e) return 0;
    return 1;
}

static void bug(const char *what, const char *name)
{
    fprintf(stderr, "ftlab: bug: checkpoint record '%s': %s\n", name, what);
    abort();
}

/* Appends a record, copying count·size bytes of data (plus a NUL for str). */
static void put_record(struct ckpt *c, const char *name, enum ckpt_type type, const void *data,
                       int ndim, const size_t *shape)
{
    if (!name_ok(name, strlen(name)))
        bug("invalid name (1-255 printable ASCII characters, no spaces)", name);
    if (ckpt_find(c, name)) bug("put twice", name);
    if (c->count >= CKPT_MAX_RECORDS) bug("one record too many for a checkpoint", name);
    if (ndim < 0 || ndim > CKPT_MAX_NDIM) bug("too many dimensions", name);
    struct ckpt_record r = {.type = type, .ndim = ndim, .count = 1};
    for (int d = 0; d < ndim; d++) {
        r.shape[d] = shape[d];
        if (ftl_mul_overflow(r.count, shape[d], &r.count)) bug("shape too large", name);
    }
    size_t bytes;
    if (ftl_mul_overflow(r.count, ckpt_type_size(type), &bytes) || bytes > SIZE_MAX - 1)
        bug("shape too large", name);
    r.name = xstrdup(name);
    r.data = xmalloc(bytes + 1);
    if (bytes) memcpy(r.data, data, bytes);
    ((char *)r.data)[bytes] = '\0';
    if (c->count == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->records = xrealloc(c->records, c->cap * sizeof *c->records);
    }
    c->records[c->count++] = r;
}

void ckpt_put_f32(struct ckpt *c, const char *name, const float *data, int ndim,
                  const size_t *shape)
{
    put_record(c, name, CKPT_F32, data, ndim, shape);
}

void ckpt_put_f64_array(struct ckpt *c, const char *name, const double *data, int ndim,
                        const size_t *shape)
{
    put_record(c, name, CKPT_F64, data, ndim, shape);
}

void ckpt_put_u32_array(struct ckpt *c, const char *name, const uint32_t *data, int ndim,
                        const size_t *shape)
{
    put_record(c, name, CKPT_U32, data, ndim, shape);
}

void ckpt_put_u64_array(struct ckpt *c, const char *name, const uint64_t *data, int ndim,
                        const size_t *shape)
{
    put_record(c, name, CKPT_U64, data, ndim, shape);
}

void ckpt_put_f64(struct ckpt *c, const char *name, double value)
{
    put_record(c, name, CKPT_F64, &value, 0, NULL);
}

void ckpt_put_u64(struct ckpt *c, const char *name, uint64_t value)
{
    put_record(c, name, CKPT_U64, &value, 0, NULL);
}

void ckpt_put_i64(struct ckpt *c, const char *name, int64_t value)
{
    put_record(c, name, CKPT_I64, &value, 0, NULL);
}

void ckpt_put_str(struct ckpt *c, const char *name, const char *value)
{
    size_t len = strlen(value);
    put_record(c, name, CKPT_STR, value, 1, &len);
}

void ckpt_put_bytes(struct ckpt *c, const char *name, const void *data, size_t len)
{
    put_record(c, name, CKPT_BYTES, data, 1, &len);
}

// ---- looking records up ----

const struct ckpt_record *ckpt_find(const struct ckpt *c, const char *name)
{
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->records[i].name, name) == 0) return &c->records[i];
    return NULL;
}

static const char *source_name(const struct ckpt *c)
{
    return c->source ? c->source : "checkpoint";
}

/* "32x128", or "scalar" for ndim 0. */
static void format_shape(char *out, size_t cap, int ndim, const size_t *shape)
{
    if (ndim == 0) {
        snprintf(out, cap, "scalar");
        return;
    }
    size_t used = 0;
    out[0] = '\0';
    for (int d = 0; d < ndim && used < cap; d++)
        used += (size_t)snprintf(out + used, cap - used, "%s%zu", d ? "x" : "", shape[d]);
}

static const struct ckpt_record *find_typed(const struct ckpt *c, const char *name,
                                            enum ckpt_type type, char *err)
{
    const struct ckpt_record *r = ckpt_find(c, name);
    if (!r) {
        ftl_error(err, "%s: no record '%s'", source_name(c), name);
        return NULL;
    }
    if (r->type != type) {
        ftl_error(err, "%s: record '%s' is %s, expected %s", source_name(c), name,
                  ckpt_type_name(r->type), ckpt_type_name(type));
        return NULL;
    }
    return r;
}

static int get_array(const struct ckpt *c, const char *name, enum ckpt_type type, int ndim,
                     const size_t *shape, void *out, char *err)
{
    const struct ckpt_record *r = find_typed(c, name, type, err);
    if (!r) return -1;
    int same = r->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = r->shape[d] == shape[d];
    if (!same) {
        char have[200], want[200];
        format_shape(have, sizeof have, r->ndim, r->shape);
        format_shape(want, sizeof want, ndim, shape);
        return ftl_error(err, "%s: record '%s' has shape %s, expected %s", source_name(c), name,
                         have, want);
    }
    if (r->count) memcpy(out, r->data, r->count * ckpt_type_size(type));
    return 0;
}

int ckpt_get_f32(const struct ckpt *c, const char *name, int ndim, const size_t *shape, float *out,
                 char *err)
{
    return get_array(c, name, CKPT_F32, ndim, shape, out, err);
}

int ckpt_get_f64_array(const struct ckpt *c, const char *name, int ndim, const size_t *shape,
                       double *out, char *err)
{
    return get_array(c, name, CKPT_F64, ndim, shape, out, err);
}

int ckpt_get_u32_array(const struct ckpt *c, const char *name, int ndim, const size_t *shape,
                       uint32_t *out, char *err)
{
    return get_array(c, name, CKPT_U32, ndim, shape, out, err);
}

int ckpt_get_u64_array(const struct ckpt *c, const char *name, int ndim, const size_t *shape,
                       uint64_t *out, char *err)
{
    return get_array(c, name, CKPT_U64, ndim, shape, out, err);
}

int ckpt_get_f64(const struct ckpt *c, const char *name, double *out, char *err)
{
    return get_array(c, name, CKPT_F64, 0, NULL, out, err);
}

int ckpt_get_u64(const struct ckpt *c, const char *name, uint64_t *out, char *err)
{
    return get_array(c, name, CKPT_U64, 0, NULL, out, err);
}

int ckpt_get_i64(const struct ckpt *c, const char *name, int64_t *out, char *err)
{
    return get_array(c, name, CKPT_I64, 0, NULL, out, err);
}

int ckpt_get_str(const struct ckpt *c, const char *name, const char **out, char *err)
{
    const struct ckpt_record *r = find_typed(c, name, CKPT_STR, err);
    if (!r) return -1;
    *out = r->data;
    return 0;
}

int ckpt_get_bytes(const struct ckpt *c, const char *name, const void **data, size_t *len,
                   char *err)
{
    const struct ckpt_record *r = find_typed(c, name, CKPT_BYTES, err);
    if (!r) return -1;
    *data = r->data;
    *len = r->count;
    return 0;
}

// ---- encoding and writing ----

static size_t record_bytes(const struct ckpt_record *r)
{
    return 4 + strlen(r->name) + 4 + 4 + 8 * (size_t)r->ndim + 8 +
           r->count * ckpt_type_size(r->type);
}

void ckpt_encode(const struct ckpt *c, uint8_t **buf, size_t *len)
{
    size_t total = HEADER_BYTES + TRAILER_BYTES;
    for (size_t i = 0; i < c->count; i++)
        total += record_bytes(&c->records[i]);
    uint8_t *b = xmalloc(total), *p = b;
    memcpy(p, CKPT_MAGIC, 8);
    put_le32(p + 8, CKPT_VERSION);
    put_le32(p + 12, (uint32_t)c->count);
    p += HEADER_BYTES;
    for (size_t i = 0; i < c->count; i++) {
        const struct ckpt_record *r = &c->records[i];
        size_t name_len = strlen(r->name), elem = ckpt_type_size(r->type);
        put_le32(p, (uint32_t)name_len);
        memcpy(p + 4, r->name, name_len);
        p += 4 + name_len;
        put_le32(p, (uint32_t)r->type);
        put_le32(p + 4, (uint32_t)r->ndim);
        p += 8;
        for (int d = 0; d < r->ndim; d++, p += 8)
            put_le64(p, r->shape[d]);
        put_le64(p, (uint64_t)(r->count * elem));
        p += 8;
        elements_to_file(p, r->data, r->count, elem);
        p += r->count * elem;
    }
    put_le32(p, crc32_of(b, (size_t)(p - b)));
    *buf = b;
    *len = total;
}

int ckpt_write(const struct ckpt *c, const char *path, char *err)
{
    uint8_t *buf;
    size_t len;
    ckpt_encode(c, &buf, &len);
    struct ftl_atomic a;
    int rc = ftl_atomic_open(&a, path, err);
    if (rc == 0 && fwrite(buf, 1, len, a.fp) != len) {
        int e = errno;
        ftl_atomic_abort(&a);
        rc = ftl_error(err, "%s: write failed: %s", path, strerror(e));
    } else if (rc == 0) {
        rc = ftl_atomic_commit(&a, err);
    }
    free(buf);
    return rc;
}

// ---- reading: validate everything before trusting it ----

/* The bytes still to parse, between the header and the trailer. */
struct cursor {
    const uint8_t *p;
    size_t left;
};

static const uint8_t *take(struct cursor *cur, size_t n)
{
    if (n > cur->left) return NULL;
    const uint8_t *p = cur->p;
    cur->p += n;
    cur->left -= n;
    return p;
}

/* Parses the shape and length fields of a record whose name and tag are known. */
static int parse_shape(struct cursor *cur, struct ckpt_record *r, const char *where, char *err)
{
    const uint8_t *p = take(cur, 4);
    if (!p) return ftl_error(err, "%s: truncated", where);
    uint32_t ndim = get_le32(p);
    if (ndim > CKPT_MAX_NDIM)
        return ftl_error(err, "%s: %u dimensions, at most %d", where, ndim, CKPT_MAX_NDIM);
    if ((r->type == CKPT_STR || r->type == CKPT_BYTES) && ndim != 1)
        return ftl_error(err, "%s: a %s record must have 1 dimension, not %u", where,
                         ckpt_type_name(r->type), ndim);
    r->ndim = (int)ndim;
    r->count = 1;
    for (uint32_t d = 0; d < ndim; d++) {
        if (!(p = take(cur, 8))) return ftl_error(err, "%s: truncated shape", where);
        uint64_t dim = get_le64(p);
        if (dim > SIZE_MAX || ftl_mul_overflow(r->count, (size_t)dim, &r->count))
            return ftl_error(err, "%s: shape too large", where);
        r->shape[d] = (size_t)dim;
    }
    size_t expect;
    if (ftl_mul_overflow(r->count, ckpt_type_size(r->type), &expect))
        return ftl_error(err, "%s: shape too large", where);
    if (!(p = take(cur, 8))) return ftl_error(err, "%s: truncated", where);
    uint64_t bytes = get_le64(p);
    if (bytes != expect)
        return ftl_error(err, "%s: %llu data bytes, but its shape needs %zu", where,
                         (unsigned long long)bytes, expect);
    if (expect > cur->left)
        return ftl_error(err, "%s: %zu data bytes, only %zu left in the file", where, expect,
                         cur->left);
    return 0;
}

/* Parses record number i (0-based) into r; r owns what it allocated even on failure. */
static int parse_record(struct cursor *cur, size_t i, const char *file, struct ckpt_record *r,
                        char *err)
{
    char where[FTL_ERRLEN];
    snprintf(where, sizeof where, "%s: record %zu", file, i + 1);
    const uint8_t *p = take(cur, 4);
    if (!p) return ftl_error(err, "%s: truncated", where);
    uint32_t name_len = get_le32(p);
    if (name_len < 1 || name_len > CKPT_MAX_NAME)
        return ftl_error(err, "%s: name length %u, expected 1 to %d", where, name_len,
                         CKPT_MAX_NAME);
    if (!(p = take(cur, name_len))) return ftl_error(err, "%s: truncated name", where);
    if (!name_ok((const char *)p, name_len))
        return ftl_error(err, "%s: name holds a byte outside printable ASCII", where);
    r->name = xmalloc(name_len + 1);
    memcpy(r->name, p, name_len);
    r->name[name_len] = '\0';
    snprintf(where, sizeof where, "%s: record '%s'", file, r->name);
    if (!(p = take(cur, 4))) return ftl_error(err, "%s: truncated", where);
    uint32_t type = get_le32(p);
    if (!type_known(type)) return ftl_error(err, "%s: unknown type tag %u", where, type);
    r->type = (enum ckpt_type)type;
    if (parse_shape(cur, r, where, err) != 0) return -1;
    size_t bytes = r->count * ckpt_type_size(r->type);
    p = take(cur, bytes);
    if (r->type == CKPT_STR && memchr(p, '\0', bytes))
        return ftl_error(err, "%s: string holds a NUL byte", where);
    r->data = xmalloc(bytes + 1);
    elements_from_file(r->data, p, r->count, ckpt_type_size(r->type));
    ((char *)r->data)[bytes] = '\0';
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    const struct ckpt_record *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* Sorting pointers keeps a file of many records from costing O(R²). */
static int check_unique(const struct ckpt *c, const char *file, char *err)
{
    if (c->count < 2) return 0;
    const struct ckpt_record **sorted = xmallocarray(c->count, sizeof *sorted);
    for (size_t i = 0; i < c->count; i++)
        sorted[i] = &c->records[i];
    qsort(sorted, c->count, sizeof *sorted, compare_names);
    int rc = 0;
    for (size_t i = 1; i < c->count && rc == 0; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
            rc = ftl_error(err, "%s: record '%s' appears twice", file, sorted[i]->name);
    free(sorted);
    return rc;
}

/* Magic, checksum, version: whether the rest may be parsed at all. */
static int check_envelope(const uint8_t *b, size_t len, const char *file, char *err)
{
    size_t head = len < 8 ? len : 8;
    if (memcmp(b, CKPT_MAGIC, head) != 0)
        return ftl_error(err, "%s: not an ftlab checkpoint (no \"%s\" magic)", file, CKPT_MAGIC);
    if (len < HEADER_BYTES + TRAILER_BYTES)
        return ftl_error(err, "%s: truncated (%zu bytes)", file, len);
    if (crc32_of(b, len - TRAILER_BYTES) != get_le32(b + len - TRAILER_BYTES))
        return ftl_error(err, "%s: checksum mismatch, the file is damaged", file);
    uint32_t version = get_le32(b + 8);
    if (version > CKPT_VERSION)
        return ftl_error(err, "%s: written by a newer ftlab (format %u); this one reads format %d",
                         file, version, CKPT_VERSION);
    if (version < 1) return ftl_error(err, "%s: invalid format version 0", file);
    return 0;
}

int ckpt_read_mem(const void *buf, size_t len, const char *name, struct ckpt *c, char *err)
{
    const uint8_t *b = buf;
    ckpt_init(c);
    if (check_envelope(b, len, name, err) != 0) return -1;
    struct cursor cur = {b + HEADER_BYTES, len - HEADER_BYTES - TRAILER_BYTES};
    uint32_t count = get_le32(b + 12);
    if (count > CKPT_MAX_RECORDS || count > cur.left / MIN_RECORD_BYTES)
        return ftl_error(err, "%s: record count %u does not fit in %zu bytes", name, count, len);
    c->records = xcalloc(count ? count : 1, sizeof *c->records);
    c->cap = count;
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        rc = parse_record(&cur, i, name, &c->records[i], err);
        c->count = i + 1;
    }
    if (rc == 0 && cur.left != 0)
        rc = ftl_error(err, "%s: %zu stray bytes after the last record", name, cur.left);
    if (rc == 0) rc = check_unique(c, name, err);
    if (rc != 0) {
        ckpt_free(c);
        return -1;
    }
    c->source = xstrdup(name);
    return 0;
}

int ckpt_read(const char *path, struct ckpt *c, char *err)
{
    char *buf;
    size_t len;
    ckpt_init(c);
    if (ftl_read_file(path, &buf, &len, err) != 0) return -1;
    int rc = ckpt_read_mem(buf, len, path, c, err);
    free(buf);
    return rc;
}
