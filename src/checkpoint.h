/*
 * checkpoint — a versioned, checksummed file of named records, written
 * atomically. The trainer decides what goes in (parameters, Adam moments,
 * step counters, the RNG state, the controls); this module knows nothing
 * about models.
 *
 * FILE FORMAT (version 1). Every integer is little-endian, whatever the host,
 * so a checkpoint moves between machines. Offsets are in bytes.
 *
 *     header   8  magic "FTLABCKP" (ASCII, no terminator)
 *              4  u32 format version = 1
 *              4  u32 record count R (at most CKPT_MAX_RECORDS)
 *     R records, back to back, no padding; each record is
 *              4  u32 name length L, 1 <= L <= CKPT_MAX_NAME
 *              L  name: printable ASCII 0x21-0x7e (no spaces), unique in the file
 *              4  u32 type tag: 1 f32, 2 f64, 3 u32, 4 u64, 5 i64 (numeric
 *                 arrays, element size 4, 8, 4, 8, 8), 6 str, 7 bytes
 *                 (element size 1; str holds no NUL byte and no terminator)
 *              4  u32 ndim D, 0 <= D <= CKPT_MAX_NDIM (0 = a scalar);
 *                 str and bytes always have D = 1
 *            8·D  u64 shape[D], row-major (C order) like PyTorch's state_dict
 *              8  u64 byte length B = product(shape) · element size
 *              B  the elements, little-endian (floats as their IEEE-754 bits)
 *     trailer  4  u32 CRC-32 (zlib's crc32, the gzip/PNG polynomial) of every
 *                 byte before it
 *
 * Every version of the format will start with the magic and the version and
 * end with the CRC-32 of everything before it; only what lies between may
 * change. So a reader checks, in this order: the magic, the checksum (any
 * damage, truncation included, is reported as damage), the version (a newer
 * file is reported as such), then every length against the bytes that remain,
 * every shape product for overflow, B against the shape, the name rules, and
 * that nothing follows the last record. A file that passes is canonical:
 * encoding what was read gives back the same bytes. Nothing is allocated on a
 * length the file claims before the bytes backing it have been seen to exist.
 *
 * Errors follow util.h: -1 and one line "FILE: problem" in err.
 */
#ifndef FTLAB_CHECKPOINT_H
#define FTLAB_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#define CKPT_MAGIC "FTLABCKP"
#define CKPT_VERSION 1
#define CKPT_MAX_NAME 255
#define CKPT_MAX_NDIM 8
#define CKPT_MAX_RECORDS 65536

enum ckpt_type {
    CKPT_F32 = 1,
    CKPT_F64 = 2,
    CKPT_U32 = 3,
    CKPT_U64 = 4,
    CKPT_I64 = 5,
    CKPT_STR = 6,
    CKPT_BYTES = 7,
};

struct ckpt_record {
    char *name; /* NUL-terminated */
    enum ckpt_type type;
    int ndim;
    size_t shape[CKPT_MAX_NDIM];
    size_t count; /* product of shape (1 for a scalar) */
    void *data;   /* count elements in host byte order; a str also
                     has a NUL after its count bytes */
};

/* An in-memory checkpoint: records in the order they were put or read. */
struct ckpt {
    struct ckpt_record *records;
    size_t count, cap;
    char *source; /* file the records came from, for messages; NULL if built */
};

void ckpt_init(struct ckpt *c);
/* Frees every record; the ckpt may be reused after ckpt_init. */
void ckpt_free(struct ckpt *c);

const char *ckpt_type_name(enum ckpt_type t); /* "f32", "str", ... */
size_t ckpt_type_size(enum ckpt_type t);      /* bytes per element; 0 for an unknown tag */

/*
 * Adding records: the data are copied. A name that breaks the rules above,
 * a name already present, ndim > CKPT_MAX_NDIM, a shape whose size
 * overflows or more than CKPT_MAX_RECORDS records are bugs in the caller and
 * abort with a message.
 * shape has ndim entries (NULL when ndim is 0).
 */
void ckpt_put_f32(struct ckpt *c, const char *name, const float *data, int ndim,
                  const size_t *shape);
void ckpt_put_f64_array(struct ckpt *c, const char *name, const double *data, int ndim,
                        const size_t *shape);
void ckpt_put_u32_array(struct ckpt *c, const char *name, const uint32_t *data, int ndim,
                        const size_t *shape);
void ckpt_put_u64_array(struct ckpt *c, const char *name, const uint64_t *data, int ndim,
                        const size_t *shape);
void ckpt_put_f64(struct ckpt *c, const char *name, double value); /* scalars */
void ckpt_put_u64(struct ckpt *c, const char *name, uint64_t value);
void ckpt_put_i64(struct ckpt *c, const char *name, int64_t value);
void ckpt_put_str(struct ckpt *c, const char *name, const char *value);
void ckpt_put_bytes(struct ckpt *c, const char *name, const void *data, size_t len);

/* The record called name, or NULL (to inspect shapes, or for optional records). */
const struct ckpt_record *ckpt_find(const struct ckpt *c, const char *name);

/*
 * Getters: -1 with err naming the file and the record when it is missing, of
 * another type, or (arrays) of another shape than the ndim/shape expected:
 * "run/x.ckpt: record 'fc1.weight' has shape 32x128, expected 16x128".
 * Arrays are copied into out (product(shape) elements).
 */
int ckpt_get_f32(const struct ckpt *c, const char *name, int ndim, const size_t *shape, float *out,
                 char *err);
int ckpt_get_f64_array(const struct ckpt *c, const char *name, int ndim, const size_t *shape,
                       double *out, char *err);
int ckpt_get_u32_array(const struct ckpt *c, const char *name, int ndim, const size_t *shape,
                       uint32_t *out, char *err);
int ckpt_get_u64_array(const struct ckpt *c, const char *name, int ndim, const size_t *shape,
                       uint64_t *out, char *err);
int ckpt_get_f64(const struct ckpt *c, const char *name, double *out, char *err);
int ckpt_get_u64(const struct ckpt *c, const char *name, uint64_t *out, char *err);
int ckpt_get_i64(const struct ckpt *c, const char *name, int64_t *out, char *err);
/* *out points into c (NUL-terminated), valid until ckpt_free. */
int ckpt_get_str(const struct ckpt *c, const char *name, const char **out, char *err);
int ckpt_get_bytes(const struct ckpt *c, const char *name, const void **data, size_t *len,
                   char *err);

/* The file's bytes in a new buffer (*buf, *len; caller frees *buf). */
void ckpt_encode(const struct ckpt *c, uint8_t **buf, size_t *len);
/* Encodes and writes atomically (util.h ftl_atomic): a crash leaves the old file. */
int ckpt_write(const struct ckpt *c, const char *path, char *err);

/*
 * Reads and validates a whole file into c (initialised here; ckpt_free it
 * after success; on failure c is left empty). ckpt_read_mem does the same
 * from a buffer, using `name` in messages.
 */
int ckpt_read(const char *path, struct ckpt *c, char *err);
int ckpt_read_mem(const void *buf, size_t len, const char *name, struct ckpt *c, char *err);

#endif
