/* fetch — install the MNIST pen-stroke data. See fetch.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "fetch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "sha256.h"
#include "util.h"

/* Sums of the tarballs at upstream commit 7724f8e (the local mirror's SHA256SUMS). */
const struct fetch_file fetch_table[] = {
    {"train-padded-trailing", "d6b8cf425c64ffef35ccf3ea6c0ee1b9dc82b93f4c5d897e2e8cc9c470d03a36",
     FETCH_ONE_OF},
    {"train-padded-leading", "7ad3a368e3608d9adf3e7bd6105ff609f760c5d8a60a6cc74bcf79d84db28250",
     FETCH_ONE_OF},
    {"test-padded-leading", "0beaf9be441f4efa5497f0accd0c0423eaad9f6ad353f991a28ec99f5c71b404",
     FETCH_REQUIRED},
    {"train-labels", "7f9d2c4c69dcb98ce0cdbc9b7255e8e660ad005ef3fe286efae8315c593e3b61",
     FETCH_REQUIRED},
    {"test-labels", "2fe59743940ee6dc3c69c847504d380f603666a621bb81235b900f8c4f4dba86",
     FETCH_REQUIRED},
};
const size_t fetch_table_len = sizeof fetch_table / sizeof fetch_table[0];

#define CHUNK ((size_t)1 << 20)
#define TAR_BLOCK 512

static void say(const struct fetch_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(const struct fetch_opts *o, const char *fmt, ...)
{
    if (!o->progress) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->progress, fmt, ap);
    va_end(ap);
    fputc('\n', o->progress);
    fflush(o->progress);
}

/* nonnull: without it GCC 12 at -O1 with -fsanitize=undefined warns about a "null format string".
 */
static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2), nonnull(1)));

static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* ---- files and folders ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 ? -1 : 0;
}

/* rm -rf without following symbolic links. */
static int remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static char *parent_of(const char *path)
{
    char *p = xstrdup(path);
    char *slash = strrchr(p, '/');
    if (!slash)
        strcpy(p, ".");
    else if (slash == p)
        p[1] = '\0';
    else
        *slash = '\0';
    return p;
}

/* Replacing a folder deletes it, so only an earlier install (it holds SOURCE) or an empty folder
 * qualifies. */
static int check_replaceable(const char *dest, char *err)
{
    struct stat st;
    if (stat(dest, &st) != 0)
        return errno == ENOENT ? 0 : ftl_error(err, "%s: %s", dest, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return ftl_error(err, "%s: exists and is not a folder", dest);
    char *source = ftl_path_join(dest, "SOURCE");
    int ok = ftl_is_file(source);
    free(source);
    if (ok) return 0;
    DIR *d = opendir(dest);
    if (!d) return ftl_error(err, "%s: %s", dest, strerror(errno));
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    if (!empty)
        return ftl_error(err,
                         "%s: exists, is not empty and holds no SOURCE file (not an ftlab "
                         "data folder); move it away or choose another folder",
                         dest);
    return 0;
}

/* Copies src to dst (created) and hashes the bytes on the way. */
static int copy_hashing(const char *src, const char *dst, uint8_t digest[SHA256_DIGEST_LEN],
                        char *err)
{
    FILE *in = fopen(src, "rb");
    if (!in) return ftl_error(err, "%s: %s", src, strerror(errno));
    FILE *out = fopen(dst, "wbx");
    if (!out) {
        int e = errno;
        fclose(in);
        return ftl_error(err, "%s: cannot create: %s", dst, strerror(e));
    }
    struct sha256 s;
    sha256_init(&s);
    unsigned char *buf = xmalloc(CHUNK);
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, CHUNK, in)) > 0) {
        sha256_update(&s, buf, n);
        if (fwrite(buf, 1, n, out) != n) {
            rc = ftl_error(err, "%s: write failed: %s", dst, strerror(errno));
            break;
        }
    }
    if (rc == 0 && ferror(in)) rc = ftl_error(err, "%s: read failed: %s", src, strerror(errno));
    if (fclose(out) != 0 && rc == 0)
        rc = ftl_error(err, "%s: write failed: %s", dst, strerror(errno));
    fclose(in);
    free(buf);
    sha256_final(&s, digest);
    return rc;
}

/* ---- download ---- */

/* Runs `curl -fsSL --retry 3 --connect-timeout 20 -o out url` and waits for it. A
 * close-on-exec pipe carries execvp's errno back, so a missing curl is told
 * apart from a failed download. */
static int run_curl(const char *curl, const char *url, const char *out, char *err)
{
    int pfd[2];
    if (pipe(pfd) != 0) return ftl_error(err, "%s: pipe: %s", curl, strerror(errno));
    fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
    char *argv[] = {(char *)curl, "-fsSL", "--retry",   "3",         "--connect-timeout",
                    "20",         "-o",    (char *)out, (char *)url, NULL};
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pfd[0]);
        close(pfd[1]);
        return ftl_error(err, "%s: fork: %s", curl, strerror(e));
    }
    if (pid == 0) {
        close(pfd[0]);
        execvp(curl, argv);
        int e = errno;
        ssize_t w = write(pfd[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(pfd[1]);
    int exec_errno = 0;
    ssize_t n;
    while ((n = read(pfd[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR)
        ;
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return ftl_error(err, "%s: waitpid: %s", curl, strerror(errno));
    }
    if (n == (ssize_t)sizeof exec_errno)
        return ftl_error(err,
                         "%s: cannot run: %s (it is needed to download %s; install curl, "
                         "or use --from DIR with a local copy)",
                         curl, strerror(exec_errno), url);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFEXITED(status))
        return ftl_error(err, "%s: download failed (%s exited with status %d)", url, curl,
                         WEXITSTATUS(status));
    return ftl_error(err, "%s: download failed (%s killed by signal %d)", url, curl,
                     WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ---- ustar member extraction ---- */

/* Reads up to len bytes; returns the count, or -1 when zlib reports an error. */
static long gz_read_full(gzFile gz, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        size_t want = len - got < CHUNK ? len - got : CHUNK;
        int n = gzread(gz, (char *)buf + got, (unsigned)want);
        if (n < 0) return -1;
        if (n == 0) break;
        got += (size_t)n;
    }
    int errnum = Z_OK;
    gzerror(gz, &errnum);
    return errnum == Z_OK ? (long)got : -1;
}

static int gz_fail(gzFile gz, const char *tarball, char *err)
{
    int errnum = Z_OK;
    const char *msg = gzerror(gz, &errnum);
    if (errnum == Z_ERRNO) msg = strerror(errno);
    return ftl_error(err, "%s: corrupt or truncated gzip stream (%s)", tarball, msg);
}

/* Octal number field of a tar header: optional leading spaces, digits, then NUL/space or the end.
 */
static int tar_octal(const unsigned char *f, size_t width, unsigned long long *out)
{
    size_t i = 0;
    unsigned long long v = 0;
    while (i < width && f[i] == ' ')
        i++;
    size_t start = i;
    for (; i < width && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v > (ULLONG_MAX >> 3)) return -1;
        v = v << 3 | (unsigned long long)(f[i] - '0');
    }
    if (i == start || (i < width && f[i] != '\0' && f[i] != ' ')) return -1;
    *out = v;
    return 0;
}

/* Checks a ustar header (POSIX.1-1988 layout) and returns the member size. */
static int tar_check_header(const unsigned char *h, const char *tarball, const char *member,
                            size_t *size, char *err)
{
    if (memcmp(h + 257, "ustar", 5) != 0)
        return ftl_error(err, "%s: not a ustar archive (no magic at byte 257)", tarball);
    unsigned long long stored, usum = 0;
    long long ssum = 0;
    for (int i = 0; i < TAR_BLOCK; i++) {
        unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];
        usum += c;
        ssum += (signed char)c; /* some old tars summed signed chars */
    }
    if (tar_octal(h + 148, 8, &stored) != 0)
        return ftl_error(err, "%s: tar header checksum field is not an octal number", tarball);
    if (stored != usum && (long long)stored != ssum)
        return ftl_error(err, "%s: tar header checksum mismatch (stored %llo, computed %llo)",
                         tarball, stored, usum);
    char name[256 + 2];
    const char *prefix = (const char *)h + 345;
    size_t nlen = strnlen((const char *)h, 100), plen = strnlen(prefix, 155);
    snprintf(name, sizeof name, "%.*s%s%.*s", (int)plen, prefix, plen ? "/" : "", (int)nlen,
             (const char *)h);
    if (strcmp(name, member) != 0)
        return ftl_error(err, "%s: archive member is \"%s\", expected \"%s\"", tarball, name,
                         member);
    if (h[156] != '0' && h[156] != '\0')
        return ftl_error(err, "%s: member %s is not a regular file (type '%c')", tarball, member,
                         h[156] >= 32 && h[156] < 127 ? h[156] : '?');
    unsigned long long sz;
    if (tar_octal(h + 124, 12, &sz) != 0)
        return ftl_error(err, "%s: member %s has an invalid size field", tarball, member);
    if (sz > FETCH_MAX_MEMBER)
        return ftl_error(err, "%s: member %s claims %llu bytes (limit %zu)", tarball, member, sz,
                         FETCH_MAX_MEMBER);
    *size = (size_t)sz;
    return 0;
}

/* Copies exactly size bytes from gz to out. */
static int copy_member(gzFile gz, FILE *out, size_t size, unsigned char *buf, const char *tarball,
                       const char *member, const char *out_path, char *err)
{
    size_t done = 0;
    while (done < size) {
        size_t want = size - done < CHUNK ? size - done : CHUNK;
        long n = gz_read_full(gz, buf, want);
        if (n < 0) return gz_fail(gz, tarball, err);
        if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
            return ftl_error(err, "%s: write failed: %s", out_path, strerror(errno));
        done += (size_t)n;
        if ((size_t)n < want)
            return ftl_error(err,
                             "%s: truncated: member %s should hold %zu bytes, the archive "
                             "ends after %zu",
                             tarball, member, size, done);
    }
    return 0;
}

/* After the member only zeros may follow (block padding, end-of-archive blocks). */
static int check_rest_zero(gzFile gz, unsigned char *buf, const char *tarball, const char *member,
                           char *err)
{
    for (;;) {
        long n = gz_read_full(gz, buf, CHUNK);
        if (n < 0) return gz_fail(gz, tarball, err);
        for (long i = 0; i < n; i++)
            if (buf[i] != 0)
                return ftl_error(err,
                                 "%s: holds more than the one member %s (or trailing "
                                 "data)",
                                 tarball, member);
        if (n == 0) return 0;
    }
}

static int unpack_stream(gzFile gz, FILE *out, const char *tarball, const char *member,
                         const char *out_path, size_t *size, char *err)
{
    unsigned char *buf = xmalloc(CHUNK);
    int rc;
    long n = gz_read_full(gz, buf, TAR_BLOCK);
    if (gzdirect(gz))
        rc = ftl_error(err, "%s: not a gzip file", tarball);
    else if (n < 0)
        rc = gz_fail(gz, tarball, err);
    else if (n < TAR_BLOCK)
        rc = ftl_error(err, "%s: too short to hold a tar header", tarball);
    else
        rc = tar_check_header(buf, tarball, member, size, err);
    if (rc == 0) rc = copy_member(gz, out, *size, buf, tarball, member, out_path, err);
    if (rc == 0) rc = check_rest_zero(gz, buf, tarball, member, err);
    free(buf);
    return rc;
}

int fetch_unpack(const char *tarball, const char *member, const char *out_path, size_t *size,
                 char *err)
{
    size_t member_size = 0;
    gzFile gz = gzopen(tarball, "rb");
    if (!gz) return ftl_error(err, "%s: %s", tarball, errno ? strerror(errno) : "cannot open");
    gzbuffer(gz, 1 << 17);
    FILE *out = fopen(out_path, "wbx");
    if (!out) {
        int e = errno;
        gzclose(gz);
        return ftl_error(err, "%s: cannot create: %s", out_path, strerror(e));
    }
    int rc = unpack_stream(gz, out, tarball, member, out_path, &member_size, err);
    if (gzclose(gz) != Z_OK && rc == 0)
        rc = ftl_error(err, "%s: corrupt or truncated gzip stream", tarball);
    if (rc == 0 && (fflush(out) != 0 || fsync(fileno(out)) != 0))
        rc = ftl_error(err, "%s: write failed: %s", out_path, strerror(errno));
    if (fclose(out) != 0 && rc == 0)
        rc = ftl_error(err, "%s: write failed: %s", out_path, strerror(errno));
    if (rc != 0)
        unlink(out_path);
    else if (size)
        *size = member_size;
    return rc;
}

/* ---- choosing, obtaining, recording ---- */

/* Marks in take[] the rows to install; from_dir NULL = the download set. */
static int choose_files(const struct fetch_file *t, size_t len, const char *from_dir, int *take,
                        char *err)
{
    int have_one_of = 0, first_one_of = 1;
    char names[FTL_ERRLEN / 2] = "";
    for (size_t i = 0; i < len; i++) {
        if (from_dir) {
            char *file = str_printf("%s.tar.gz", t[i].name);
            char *path = ftl_path_join(from_dir, file);
            take[i] = ftl_is_file(path);
            if (!take[i] && t[i].need == FETCH_REQUIRED) {
                ftl_error(err, "%s: missing (needed to install the data)", path);
                free(file);
                free(path);
                return -1;
            }
            if (t[i].need == FETCH_ONE_OF && strlen(names) + strlen(file) + 8 < sizeof names)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                         names[0] ? " or " : "", file);
            free(file);
            free(path);
        } else {
            take[i] = t[i].need == FETCH_REQUIRED || (t[i].need == FETCH_ONE_OF && first_one_of);
            if (t[i].need == FETCH_ONE_OF) first_one_of = 0;
        }
        if (take[i] && t[i].need == FETCH_ONE_OF) have_one_of = 1;
    }
    if (from_dir && names[0] && !have_one_of)
        return ftl_error(err, "%s: holds neither %s", from_dir, names);
    return 0;
}

/* Puts tmp/NAME.tar.gz in place and checks its sum; then unpacks NAME.npy. */
static int install_one(const struct fetch_file *f, const char *from_dir, const char *base_url,
                       const char *curl, const char *tmp, const struct fetch_opts *o, char *err)
{
    char *file = str_printf("%s.tar.gz", f->name);
    char *member = str_printf("%s.npy", f->name);
    char *tarball = ftl_path_join(tmp, file);
    char *npy = ftl_path_join(tmp, member);
    char *origin = from_dir ? ftl_path_join(from_dir, file) : str_printf("%s/%s", base_url, file);
    uint8_t digest[SHA256_DIGEST_LEN];
    char hex[SHA256_HEX_LEN + 1];
    size_t size = 0;
    int rc;
    double t0 = ftl_now();
    say(o, "%s: %s %s", f->name, from_dir ? "copying" : "downloading", origin);
    if (from_dir)
        rc = copy_hashing(origin, tarball, digest, err);
    else if ((rc = run_curl(curl, origin, tarball, err)) == 0)
        rc = sha256_file(tarball, digest, err);
    if (rc == 0) {
        sha256_hex(digest, hex);
        if (strcmp(hex, f->sha256) != 0)
            rc =
                ftl_error(err, "%s: SHA-256 mismatch: expected %s, got %s", origin, f->sha256, hex);
    }
    if (rc == 0) rc = fetch_unpack(tarball, member, npy, &size, err);
    if (rc == 0)
        say(o, "%s: sha256 ok, %s %zu bytes (%.1f s)", f->name, member, size, ftl_now() - t0);
    unlink(tarball);
    free(file);
    free(member);
    free(tarball);
    free(npy);
    free(origin);
    return rc;
}

static int write_source(const char *tmp, const char *origin, const struct fetch_file *t, size_t len,
                        const int *take, char *err)
{
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char *text = str_printf("# installed by ftlab data fetch; each NAME.npy is the one member "
                            "of NAME.tar.gz\norigin: %s\ndate: %s\n",
                            origin, date);
    for (size_t i = 0; i < len; i++) {
        if (!take[i]) continue;
        char *more = str_printf("%s%s  %s.tar.gz\n", text, t[i].sha256, t[i].name);
        free(text);
        text = more;
    }
    char *path = ftl_path_join(tmp, "SOURCE");
    int rc = ftl_write_file(path, text, strlen(text), err);
    free(path);
    free(text);
    return rc;
}

/* dest -> dest.old.PID, tmp -> dest, then delete the old one; rolls back if the second rename
 * fails. */
static int swap_into_place(const char *tmp, const char *dest, const struct fetch_opts *o, char *err)
{
    char *old = str_printf("%s.old.%ld", dest, (long)getpid());
    struct stat st;
    int had = lstat(dest, &st) == 0;
    int rc = 0;
    if (had && rename(dest, old) != 0) {
        rc = ftl_error(err, "%s: cannot move aside: %s", dest, strerror(errno));
    } else if (rename(tmp, dest) != 0) {
        rc = ftl_error(err, "%s: cannot rename %s into place: %s", dest, tmp, strerror(errno));
        if (had) rename(old, dest);
    } else {
        char *parent = parent_of(dest);
        sync_dir(parent);
        free(parent);
        if (had && remove_tree(old) != 0)
            say(o, "warning: %s: could not remove the previous data: %s", old, strerror(errno));
    }
    free(old);
    return rc;
}

/* ---- the whole installation ---- */

static int install_all(const char *from_dir, const char *dest, const struct fetch_opts *o,
                       const struct fetch_file *t, size_t len, char *err)
{
    const char *base_url = o->base_url ? o->base_url : FETCH_BASE_URL;
    const char *curl = o->curl ? o->curl : getenv("FTLAB_CURL");
    if (!curl || !*curl) curl = "curl";
    int *take = xcalloc(len ? len : 1, sizeof *take);
    char *tmp = str_printf("%s.tmp.%ld", dest, (long)getpid());
    char *parent = parent_of(dest);
    char *origin = NULL;
    int made_tmp = 0;
    int rc = choose_files(t, len, from_dir, take, err);
    if (rc == 0) rc = ftl_mkdir_p(parent, err);
    if (rc == 0 && mkdir(tmp, 0755) != 0)
        rc = ftl_error(err, "%s: cannot create: %s", tmp, strerror(errno));
    made_tmp = rc == 0;
    for (size_t i = 0; rc == 0 && i < len; i++)
        if (take[i]) rc = install_one(&t[i], from_dir, base_url, curl, tmp, o, err);
    if (rc == 0) {
        char *real = from_dir ? realpath(from_dir, NULL) : NULL;
        origin = from_dir ? xstrdup(real ? real : from_dir) : xstrdup(base_url);
        free(real);
        rc = write_source(tmp, origin, t, len, take, err);
    }
    if (rc == 0) {
        sync_dir(tmp);
        rc = swap_into_place(tmp, dest, o, err);
    }
    /* The result is the caller's to announce (`ftlab data fetch` prints it once). */
    if (rc != 0 && made_tmp) remove_tree(tmp);
    free(take);
    free(tmp);
    free(parent);
    free(origin);
    return rc;
}

/* dest without trailing slashes, and with a symbolic link resolved so the link itself survives. */
static char *normalise_dest(const char *dest_dir)
{
    char *dest = xstrdup(dest_dir);
    size_t n = strlen(dest);
    while (n > 1 && dest[n - 1] == '/')
        dest[--n] = '\0';
    struct stat st;
    if (lstat(dest, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(dest, NULL);
        if (real) {
            free(dest);
            dest = real;
        }
    }
    return dest;
}

static int same_folder(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int fetch_install(const char *from_dir, const char *dest_dir, const struct fetch_opts *opts,
                  char *err)
{
    static const struct fetch_opts defaults;
    const struct fetch_opts *o = opts ? opts : &defaults;
    const struct fetch_file *t = o->table ? o->table : fetch_table;
    size_t len = o->table ? o->table_len : fetch_table_len;
    if (!dest_dir || !*dest_dir) return ftl_error(err, "fetch: no destination folder given");
    if (from_dir && !ftl_is_dir(from_dir)) return ftl_error(err, "%s: not a folder", from_dir);
    char *dest = normalise_dest(dest_dir);
    int rc = 0;
    if (strcmp(dest, "/") == 0)
        rc = ftl_error(err, "/: refusing to install the data over the root folder");
    else if (from_dir && same_folder(from_dir, dest))
        rc = ftl_error(err, "%s: the --from folder is the destination itself", dest);
    if (rc == 0) rc = check_replaceable(dest, err);
    if (rc == 0 && from_dir) {
        char *defect = ftl_path_join(from_dir, "test-padded-trailing.tar.gz");
        if (ftl_is_file(defect))
            say(o, "%s: skipped (upstream's file is a copy of the training data)", defect);
        free(defect);
    }
    if (rc == 0) rc = install_all(from_dir, dest, o, t, len, err);
    free(dest);
    return rc;
}

/* ---- where the data live ---- */

char *fetch_default_dir(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && xdg[0] == '/') /* the XDG spec says: ignore a relative value */
        return ftl_path_join(xdg, "ftlab/mnist-strokes");
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home) return NULL;
    return ftl_path_join(home, ".local/share/ftlab/mnist-strokes");
}

char *fetch_resolve_data_dir(const char *opt_data)
{
    if (opt_data && *opt_data) return xstrdup(opt_data);
    const char *env = getenv("FTLAB_DATA");
    if (env && *env) return xstrdup(env);
    return fetch_default_dir();
}
