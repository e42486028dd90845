/* labels — reading integer label files. See labels.h. */
#include "labels.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "util.h"

static int read_npy(const char *path, int64_t **out, size_t *n, char *err)
{
    struct npy a;
    if (npy_read(path, &a, err) != 0) return -1;
    int rc = 0;
    if (!npy_dtype_is_integer(a.dtype))
        rc = ftl_error(err, "%s: labels have dtype %s; integers are needed", path,
                       npy_dtype_name(a.dtype));
    else if (!(a.ndim == 1 || (a.ndim == 2 && a.shape[1] == 1)))
        rc = ftl_error(err, "%s: labels must be one-dimensional (%d dimensions found)", path,
                       a.ndim);
    if (rc == 0) {
        *n = a.count;
        *out = xmallocarray(a.count ? a.count : 1, sizeof **out);
        for (size_t i = 0; i < a.count; i++)
            (*out)[i] = npy_get_i64(&a, i);
    }
    npy_free(&a);
    return rc;
}

static int read_text(const char *path, const char *text, size_t len, int64_t **out, size_t *n,
                     char *err)
{
    size_t cap = 1024, count = 0;
    int64_t *v = xmallocarray(cap, sizeof *v);
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;
        while (p < eol && isspace((unsigned char)*p))
            p++;
        if (p < eol && *p != '#') {
            char *stop;
            errno = 0;
            long long x = strtoll(p, &stop, 10);
            while (stop < eol && isspace((unsigned char)*stop))
                stop++;
            if (stop == p || errno || stop != eol) {
                free(v);
                return ftl_error(err, "%s:%d: expected one integer per line", path, line);
            }
            if (count == cap) v = xrealloc(v, (cap *= 2) * sizeof *v);
            v[count++] = (int64_t)x;
        }
        p = eol + 1;
    }
    *out = v;
    *n = count;
    return 0;
}

int labels_read(const char *path, int64_t **out, size_t *n, char *err)
{
    *out = NULL;
    *n = 0;
    char *text;
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) return -1;
    int rc;
    if (len >= 6 && memcmp(text, "\x93NUMPY", 6) == 0)
        rc = read_npy(path, out, n, err);
    else if (memchr(text, '\0', len))
        rc = ftl_error(err, "%s: neither a .npy file nor text", path);
    else
        rc = read_text(path, text, len, out, n, err);
    free(text);
    return rc;
}
