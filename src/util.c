/* util — allocation, error messages, atomic files. See util.h. */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <pmmintrin.h>
#endif

static void oom(size_t n)
{
    fprintf(stderr, "ftlab: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

void *xmallocarray(size_t count, size_t size)
{
    size_t n;
    if (ftl_mul_overflow(count, size, &n)) oom(SIZE_MAX);
    return xmalloc(n);
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

int ftl_error(char *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, FTL_ERRLEN, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int ftl_mul_overflow(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return -1;
    *out = a * b;
    return 0;
}

int ftl_mkdir_p(const char *dir, char *err)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0') continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            rc = ftl_error(err, "%s: cannot create directory: %s", p, strerror(errno));
            break;
        }
        *s = c;
        if (c == '\0') break;
    }
    if (rc == 0 && !ftl_is_dir(dir)) rc = ftl_error(err, "%s: exists and is not a directory", dir);
    free(p);
    return rc;
}

void ftl_sync_parent(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

int ftl_atomic_open(struct ftl_atomic *a, const char *path, char *err)
{
    /* PID and a per-process count: two threads writing one file (the evaluator
     * and an export, say) each get their own temporary, and the last rename wins
     * whole instead of one truncating the other's half-written file. */
    static atomic_uint serial;
    size_t n = strlen(path) + 48;
    a->path = xstrdup(path);
    a->tmp = xmalloc(n);
    snprintf(a->tmp, n, "%s.tmp.%ld.%u", path, (long)getpid(), atomic_fetch_add(&serial, 1));
    a->fp = fopen(a->tmp, "wb");
    if (!a->fp) {
        int e = errno;
        free(a->path);
        free(a->tmp);
        a->path = a->tmp = NULL;
        return ftl_error(err, "%s: cannot write: %s", path, strerror(e));
    }
    return 0;
}

int ftl_atomic_commit(struct ftl_atomic *a, char *err)
{
    int rc = 0;
    if (fflush(a->fp) != 0 || ferror(a->fp))
        rc = ftl_error(err, "%s: write failed: %s", a->path, strerror(errno));
    else if (fsync(fileno(a->fp)) != 0 && errno != EINVAL)
        rc = ftl_error(err, "%s: fsync failed: %s", a->path, strerror(errno));
    if (fclose(a->fp) != 0 && rc == 0)
        rc = ftl_error(err, "%s: write failed: %s", a->path, strerror(errno));
    a->fp = NULL;
    if (rc == 0 && rename(a->tmp, a->path) != 0)
        rc = ftl_error(err, "%s: cannot rename into place: %s", a->path, strerror(errno));
    if (rc != 0)
        unlink(a->tmp);
    else
        ftl_sync_parent(a->path);
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    return rc;
}

void ftl_atomic_abort(struct ftl_atomic *a)
{
    if (a->fp) fclose(a->fp);
    if (a->tmp) unlink(a->tmp);
    free(a->path);
    free(a->tmp);
    a->fp = NULL;
    a->path = a->tmp = NULL;
}

int ftl_atomic_commit_both(struct ftl_atomic *a, struct ftl_atomic *b, char *err)
{
    if (ftl_atomic_commit(a, err) != 0) {
        ftl_atomic_abort(b);
        return -1;
    }
    return ftl_atomic_commit(b, err);
}

int ftl_write_file(const char *path, const void *buf, size_t len, char *err)
{
    struct ftl_atomic a;
    if (ftl_atomic_open(&a, path, err) != 0) return -1;
    if (len && fwrite(buf, 1, len, a.fp) != len) {
        int e = errno;
        ftl_atomic_abort(&a);
        return ftl_error(err, "%s: write failed: %s", path, strerror(e));
    }
    return ftl_atomic_commit(&a, err);
}

int ftl_read_file(const char *path, char **buf, size_t *len, char *err)
{
    *buf = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return ftl_error(err, "%s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *b = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) b = xrealloc(b, cap *= 2);
        size_t got = fread(b + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0) break;
    }
    if (ferror(fp)) {
        int e = errno;
        fclose(fp);
        free(b);
        return ftl_error(err, "%s: read failed: %s", path, strerror(e));
    }
    fclose(fp);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

char *ftl_path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && a[la - 1] != '/';
    char *p = xmalloc(la + slash + lb + 1);
    memcpy(p, a, la);
    if (slash) p[la] = '/';
    memcpy(p + la + slash, b, lb + 1);
    return p;
}

int ftl_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ftl_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

double ftl_pairwise_sum(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (i = 0; i < 8; i++)
            r[i] = a[i];
        for (i = 8; i < n - (n % 8); i += 8)
            for (size_t k = 0; k < 8; k++)
                r[k] += a[i + k];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return ftl_pairwise_sum(a, n2) + ftl_pairwise_sum(a + n2, n - n2);
}

int ftl_flush_subnormals(void)
{
#if defined(__SSE2__)
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
    return 1;
#else
    return 0;
#endif
}

int ftl_vector_bits(const char *cap_env)
{
    const char *cap = getenv(cap_env);
    int most = cap ? atoi(cap) : 512;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (most >= 512 && __builtin_cpu_supports("avx512f")) return 512;
    if (most >= 256 && __builtin_cpu_supports("avx2")) return 256;
#endif
    return 128;
}

double ftl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
