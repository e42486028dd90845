/* npz — .npz archives through libzip. See npz.h. */
#include "npz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "util.h"

struct npz {
    zip_t *zip;
    char *name;
};

/* The largest member ftlab reads: far above any dataset it trains on in memory. */
#define NPZ_MAX_MEMBER ((zip_uint64_t)1 << 36)

static int zip_fail(char *err, const char *name, zip_error_t *ze)
{
    ftl_error(err, "%s: not a readable .npz archive (%s)", name, zip_error_strerror(ze));
    zip_error_fini(ze);
    return -1;
}

int npz_open(const char *path, struct npz **out, char *err)
{
    int code = 0;
    *out = NULL;
    zip_t *z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        return zip_fail(err, path, &ze);
    }
    struct npz *n = xcalloc(1, sizeof *n);
    n->zip = z;
    n->name = xstrdup(path);
    *out = n;
    return 0;
}

int npz_open_mem(const void *buf, size_t len, const char *name, struct npz **out, char *err)
{
    zip_error_t ze;
    zip_error_init(&ze);
    *out = NULL;
    zip_source_t *src = zip_source_buffer_create(buf, len, 0, &ze);
    if (!src) return zip_fail(err, name, &ze);
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z) {
        zip_source_free(src);
        return zip_fail(err, name, &ze);
    }
    zip_error_fini(&ze);
    struct npz *n = xcalloc(1, sizeof *n);
    n->zip = z;
    n->name = xstrdup(name);
    *out = n;
    return 0;
}

static zip_int64_t locate(struct npz *z, const char *name)
{
    char member[256];
    if ((size_t)snprintf(member, sizeof member, "%s.npy", name) >= sizeof member) return -1;
    return zip_name_locate(z->zip, member, 0);
}

int npz_has(struct npz *z, const char *name)
{
    return locate(z, name) >= 0;
}

int npz_read(struct npz *z, const char *name, struct npy *out, char *err)
{
    memset(out, 0, sizeof *out);
    zip_int64_t i = locate(z, name);
    if (i < 0) return ftl_error(err, "%s: no array '%s' (member %s.npy)", z->name, name, name);
    zip_stat_t st;
    if (zip_stat_index(z->zip, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return ftl_error(err, "%s: %s: %s", z->name, name, zip_strerror(z->zip));
    if (st.size > NPZ_MAX_MEMBER)
        return ftl_error(err, "%s: %s: member of %llu bytes is larger than ftlab reads", z->name,
                         name, (unsigned long long)st.size);
    zip_file_t *f = zip_fopen_index(z->zip, (zip_uint64_t)i, 0);
    if (!f)
        return ftl_error(err, "%s: %s: cannot open the member (%s)", z->name, name,
                         zip_strerror(z->zip));
    /* Grow with the bytes that arrive, not with the size the directory claims. */
    size_t cap = st.size < 65536 ? (size_t)st.size + 1 : 65536, len = 0;
    unsigned char *buf = xmalloc(cap);
    int rc = 0;
    for (;;) {
        if (len == cap) {
            if (len > (size_t)st.size) break;
            cap = cap * 2 > (size_t)st.size + 1 ? (size_t)st.size + 1 : cap * 2;
            buf = xrealloc(buf, cap);
        }
        zip_int64_t got = zip_fread(f, buf + len, cap - len);
        if (got < 0) {
            rc = ftl_error(err, "%s: %s: damaged member (%s)", z->name, name, zip_file_strerror(f));
            break;
        }
        if (got == 0) break;
        len += (size_t)got;
    }
    zip_fclose(f);
    if (rc == 0 && len != st.size)
        rc = ftl_error(err, "%s: %s: member holds %zu bytes, the directory says %llu", z->name,
                       name, len, (unsigned long long)st.size);
    if (rc == 0) {
        char label[1024];
        snprintf(label, sizeof label, "%s: %s", z->name, name);
        rc = npy_read_mem(buf, len, label, out, err);
    }
    free(buf);
    return rc;
}

void npz_close(struct npz *z)
{
    if (!z) return;
    zip_discard(z->zip);
    free(z->name);
    free(z);
}
