/*
 * npy — NumPy .npy files (format versions 1.0, 2.0 and 3.0; C order only).
 *
 * Dtypes: f4 f8 i1 u1 i2 i4 i8, little- or big-endian ('<', '>', '|', '=').
 * Reading checks the magic, the version, the header dictionary, every shape
 * product for overflow and the data size against the file size *before*
 * anything is allocated, so a malformed or hostile file gives an error, never
 * a crash or a huge allocation. Data handed back is in native byte order.
 */
#ifndef FTLAB_NPY_H
#define FTLAB_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum npy_dtype { NPY_F4, NPY_F8, NPY_I1, NPY_U1, NPY_I2, NPY_I4, NPY_I8 };

#define NPY_MAXDIM 8

/* A header as parsed: what the array is and where its data start. */
struct npy_header {
    enum npy_dtype dtype;
    int big_endian; /* the file's byte order for multi-byte dtypes */
    int ndim;       /* 0 for a scalar */
    size_t shape[NPY_MAXDIM];
    size_t count;       /* product of shape (1 for a scalar) */
    size_t data_offset; /* bytes from the start of the file */
};

/* A whole array in memory, native byte order. */
struct npy {
    enum npy_dtype dtype;
    int ndim;
    size_t shape[NPY_MAXDIM];
    size_t count;
    void *data; /* count * npy_dtype_size(dtype) bytes; npy_free() frees */
};

/* Streaming access for large files (the 224 MB training sequences). */
struct npy_file {
    FILE *fp;
    char *path;
    struct npy_header h;
};

size_t npy_dtype_size(enum npy_dtype t);
const char *npy_dtype_name(enum npy_dtype t); /* "f4", "i8", ... */
int npy_dtype_is_integer(enum npy_dtype t);

/* Parses a header from the first `len` bytes of a file of `file_size` bytes. */
int npy_parse_header(const void *buf, size_t len, size_t file_size, const char *name,
                     struct npy_header *h, char *err);

/* Reads a whole file. On failure *out is left empty (data NULL). */
int npy_read(const char *path, struct npy *out, char *err);
/* The same from a buffer (tar members, fuzzing); `name` is used in messages. */
int npy_read_mem(const void *buf, size_t len, const char *name, struct npy *out, char *err);
void npy_free(struct npy *a);

/* Element i as a double / as an int64 (floats truncated, saturating; NaN -> 0). */
double npy_get_f64(const struct npy *a, size_t i);
int64_t npy_get_i64(const struct npy *a, size_t i);

/*
 * Streaming: open + validate the header (f->h), then read elements
 * [first, first+n) as doubles into out[n] (any dtype; one fread, no buffer).
 * Reading past h.count is an error. npy_close is safe after a failed open.
 */
int npy_open(const char *path, struct npy_file *f, char *err);
int npy_read_f64(struct npy_file *f, size_t first, size_t n, double *out, char *err);
void npy_close(struct npy_file *f);

/*
 * Writes a little-endian, C-order, version 1.0 file (2.0 if the header would
 * not fit), atomically (temp name, then rename). `data` is in native order.
 */
int npy_write(const char *path, enum npy_dtype dtype, int ndim, const size_t *shape,
              const void *data, char *err);

#endif
