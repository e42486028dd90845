/* run — run directories and "key value" files. See run.h. */
#include "run.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

int run_create(const char *dir, char *err)
{
    char *ck = run_path(dir, "checkpoints");
    int rc = ftl_mkdir_p(ck, err);
    free(ck);
    return rc;
}

int run_lock(const char *dir, char *err)
{
    char *path = run_path(dir, "lock");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        ftl_error(err, "%s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (errno == EWOULDBLOCK || errno == EAGAIN)
            ftl_error(err, "%s: in use by process %s; wait for it to end, or use another folder",
                      dir, pid[0] ? pid : "(unknown)");
        else
            ftl_error(err, "%s: cannot lock: %s", path, strerror(errno));
        close(fd);
        free(path);
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        /* The lock holds without the pid; only another process's message loses it. */
    }
    free(path);
    return fd;
}

char *run_path(const char *dir, const char *name)
{
    return ftl_path_join(dir, name);
}

void run_kv_set(struct run_kv *kv, const char *key, const char *value)
{
    for (size_t i = 0; i < kv->n; i++) {
        if (strcmp(kv->key[i], key) == 0) {
            free(kv->value[i]);
            kv->value[i] = xstrdup(value);
            return;
        }
    }
    if (kv->n == kv->cap) {
        kv->cap = kv->cap ? 2 * kv->cap : 16;
        kv->key = xrealloc(kv->key, kv->cap * sizeof *kv->key);
        kv->value = xrealloc(kv->value, kv->cap * sizeof *kv->value);
    }
    kv->key[kv->n] = xstrdup(key);
    kv->value[kv->n] = xstrdup(value);
    kv->n++;
}

void run_kv_setf(struct run_kv *kv, const char *key, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    run_kv_set(kv, key, buf);
}

const char *run_kv_get(const struct run_kv *kv, const char *key)
{
    for (size_t i = 0; i < kv->n; i++)
        if (strcmp(kv->key[i], key) == 0) return kv->value[i];
    return NULL;
}

void run_kv_free(struct run_kv *kv)
{
    for (size_t i = 0; i < kv->n; i++) {
        free(kv->key[i]);
        free(kv->value[i]);
    }
    free(kv->key);
    free(kv->value);
    memset(kv, 0, sizeof *kv);
}

int run_kv_write(const struct run_kv *kv, const char *path, char *err)
{
    struct ftl_atomic a;
    if (ftl_atomic_open(&a, path, err) != 0) return -1;
    for (size_t i = 0; i < kv->n; i++)
        fprintf(a.fp, "%s %s\n", kv->key[i], kv->value[i]);
    return ftl_atomic_commit(&a, err);
}

int run_kv_read(const char *path, struct run_kv *kv, char *err)
{
    memset(kv, 0, sizeof *kv);
    char *text;
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) return -1;
    int rc = 0, line = 0;
    char *p = text, *end = text + len;
    while (p < end && rc == 0) {
        line++;
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        if (memchr(p, '\0', (size_t)(eol - p))) {
            rc = ftl_error(err, "%s:%d: NUL byte", path, line);
            break;
        }
        *eol = '\0';
        if (*p && *p != '#') {
            char *sp = strchr(p, ' ');
            int ok = sp && sp != p;
            for (char *c = p; ok && c < sp; c++)
                ok = isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == '.';
            if (!ok)
                rc = ftl_error(err, "%s:%d: expected 'key value'", path, line);
            else {
                *sp = '\0';
                run_kv_set(kv, p, sp + 1);
            }
        }
        p = eol + 1;
    }
    free(text);
    if (rc != 0) run_kv_free(kv);
    return rc;
}
