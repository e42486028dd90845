/* gnuplot — the child process, the terminals and the files of a figure. See gnuplot.h. */
#define _POSIX_C_SOURCE 200809L
#include "gnuplot.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

// ---- formats ----

static const char *const format_names[GP_FORMAT_COUNT] = {"png", "svg", "pdf", "tex"};

int gp_format_from_name(const char *s)
{
    for (int f = 0; f < GP_FORMAT_COUNT; f++)
        if (s && strcmp(s, format_names[f]) == 0) return f;
    return -1;
}

const char *gp_format_name(enum gp_format f)
{
    return format_names[f];
}

int gp_timeout_check(char *err)
{
    const char *s = getenv("FTLAB_GNUPLOT_TIMEOUT");
    char *end;
    double t = s && *s ? strtod(s, &end) : 0;
    if (!s || !*s || (!*end && t > 0 && t < 1e6)) return 0;
    return ftl_error(err,
                     "FTLAB_GNUPLOT_TIMEOUT=%s: needs a number of seconds above 0 (and below "
                     "1000000); unset it for the default, %g",
                     s, GP_TIMEOUT_DEFAULT);
}

double gp_timeout(void)
{
    const char *s = getenv("FTLAB_GNUPLOT_TIMEOUT");
    char *end;
    double t = s && *s ? strtod(s, &end) : 0;
    return s && *s && !*end && t > 0 && t < 1e6 ? t : GP_TIMEOUT_DEFAULT;
}

char *gp_output_path(const char *out_dir, const char *name, enum gp_format fmt)
{
    size_t n = strlen(name) + 5;
    char *file = xmalloc(n);
    snprintf(file, n, "%s.%s", name, format_names[fmt]);
    char *path = ftl_path_join(out_dir, file);
    free(file);
    return path;
}

void gp_put_string(FILE *fp, const char *s)
{
    fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', fp);
        if (*s != '\n') fputc(*s, fp);
    }
    fputc('\'', fp);
}

// ---- finding the program ----

/* The program to run, resolved against PATH as execvp would; NULL if there is none. */
static char *find_program(const char *prog)
{
    if (strchr(prog, '/')) return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char *dir = n ? xmalloc(n + 1) : xstrdup(".");
        if (n) {
            memcpy(dir, path, n);
            dir[n] = '\0';
        }
        char *full = ftl_path_join(dir, prog);
        free(dir);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0) return full;
        free(full);
        path += n + (path[n] == ':');
    }
    return NULL;
}

/* "LABEL: " (or nothing without a label) and what is missing. */
static int not_found(const char *label, const char *prog, int from_env, char *err)
{
    const char *sep = label ? ": " : "";
    if (!label) label = "";
    if (from_env)
        return ftl_error(err, "%s%s%s (named by FTLAB_GNUPLOT) not found or not executable", label,
                         sep, prog);
    return ftl_error(err,
                     "%s%sgnuplot not found on PATH; install it "
                     "(Debian: apt-get install gnuplot-nox)",
                     label, sep);
}

/* $FTLAB_GNUPLOT, else "gnuplot"; *from_env tells which. */
static const char *program_name(int *from_env)
{
    const char *env = getenv("FTLAB_GNUPLOT");
    *from_env = env && *env;
    return *from_env ? env : "gnuplot";
}

int gp_available(char *err)
{
    if (gp_timeout_check(err) != 0) return -1;
    int from_env;
    const char *prog = program_name(&from_env);
    char *path = find_program(prog);
    free(path);
    return path ? 0 : not_found(NULL, prog, from_env, err);
}

// ---- the child ----

/*
 * gnuplot reads the script as the file /dev/stdin: as a script file it stops
 * at the first error and names the line ("/dev/stdin" line 12: ...), where
 * plain piped input would be taken as an interactive session that carries on
 * after errors and reports them as line 0.
 */
static const char stdin_name[] = "/dev/stdin";

static int spawn(const char *path, int in_fd, int err_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    posix_spawnattr_init(&at);
    /* Its own process group, so a timeout kills whatever gnuplot started; no
     * blocked signals and default dispositions, whatever thread spawns it. */
    sigset_t none, reset;
    sigemptyset(&none);
    sigemptyset(&reset);
    sigaddset(&reset, SIGPIPE);
    sigaddset(&reset, SIGINT);
    sigaddset(&reset, SIGTERM);
    sigaddset(&reset, SIGHUP);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &reset);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
    char *argv[] = {(char *)path, (char *)"-d", (char *)stdin_name, NULL};
    struct stat st;
    if (lstat(stdin_name, &st) != 0) argv[2] = NULL; /* no /dev: piped input still works */
    int rc = posix_spawn(pid, path, &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* What gnuplot said on stderr: the start is kept, the rest drained. */
enum { STDERR_KEEP = 8192 };

struct talk {
    const char *script;
    size_t len, sent;
    int in_fd, err_fd;
    char said[STDERR_KEEP + 1];
    size_t nsaid;
};

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

/* Writes what the pipe takes now; a reader gone (EPIPE) ends the feeding, not the run. */
static void feed(struct talk *t)
{
    size_t chunk = t->len - t->sent < 65536 ? t->len - t->sent : 65536;
    ssize_t w = write(t->in_fd, t->script + t->sent, chunk);
    if (w > 0) t->sent += (size_t)w;
    if ((w < 0 && errno != EAGAIN && errno != EINTR) || t->sent == t->len) close_fd(&t->in_fd);
}

static void listen_stderr(struct talk *t)
{
    char buf[4096];
    ssize_t r = read(t->err_fd, buf, sizeof buf);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (r <= 0) {
        close_fd(&t->err_fd);
        return;
    }
    size_t keep = STDERR_KEEP - t->nsaid < (size_t)r ? STDERR_KEEP - t->nsaid : (size_t)r;
    memcpy(t->said + t->nsaid, buf, keep);
    t->nsaid += keep;
    t->said[t->nsaid] = '\0';
}

/* Set by gp_cancel(): every running gp_run stops its gnuplot within 100 ms. */
static atomic_int cancelled;

void gp_cancel(void)
{
    atomic_store(&cancelled, 1);
}

/* Milliseconds to wait in one poll: until the deadline, but at most 100 so a cancel is seen. */
static int ms_left(double deadline)
{
    double left = deadline - ftl_now();
    if (left <= 0 || atomic_load(&cancelled)) return 0;
    return left > 0.1 ? 100 : (int)(left * 1000) + 1;
}

/* Feeds the script and reads stderr until both pipes are done; -1 at the deadline,
 * -2 (errno set) if poll fails. */
static int converse(struct talk *t, double deadline)
{
    while (t->in_fd >= 0 || t->err_fd >= 0) {
        struct pollfd p[2];
        int n = 0, in_at = -1, err_at = -1;
        if (t->in_fd >= 0) {
            p[n] = (struct pollfd){.fd = t->in_fd, .events = POLLOUT};
            in_at = n++;
        }
        if (t->err_fd >= 0) {
            p[n] = (struct pollfd){.fd = t->err_fd, .events = POLLIN};
            err_at = n++;
        }
        int ms = ms_left(deadline);
        if (ms == 0) return -1;
        int r = poll(p, (nfds_t)n, ms);
        if (r < 0 && errno != EINTR) return -2;
        if (r <= 0) continue;
        if (in_at >= 0 && p[in_at].revents) feed(t);
        if (err_at >= 0 && p[err_at].revents) listen_stderr(t);
    }
    return 0;
}

/* Waits for the exit; stderr is closed by now, so this is normally immediate. */
static int reap(pid_t pid, double deadline, int *status)
{
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid) return 0;
        if (w < 0 && errno != EINTR) return -1;
        if (ftl_now() >= deadline || atomic_load(&cancelled)) return -1;
        nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
    }
}

static void kill_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

// ---- reading what gnuplot said ----

/* Does line hold "line N:" (gnuplot's way of citing the script) and not a warning? */
static int is_error_line(const char *line, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, line, len);
    copy[len] = '\0';
    int found = 0;
    for (const char *p = strstr(copy, "line "); p && !found; p = strstr(p + 1, "line ")) {
        const char *q = p + 5;
        while (*q >= '0' && *q <= '9')
            q++;
        found = q > p + 5 && *q == ':';
    }
    if (found && strstr(copy, "warning:")) found = 0;
    free(copy);
    return found;
}

/*
 * The first error line in stderr (or else its last non-empty line) into
 * out, trimmed, with gnuplot's name for its input replaced by script_name.
 * 0 if stderr has no error line.
 */
static int first_error(const char *said, const char *script_name, char *out, size_t cap)
{
    const char *pick = NULL, *last = NULL;
    size_t pick_len = 0, last_len = 0;
    for (const char *s = said; *s && !pick;) {
        size_t n = strcspn(s, "\n");
        const char *b = s;
        size_t m = n;
        while (m && (*b == ' ' || *b == '\t'))
            b++, m--;
        while (m && (b[m - 1] == ' ' || b[m - 1] == '\r'))
            m--;
        if (m) last = b, last_len = m;
        if (m && is_error_line(b, m)) pick = b, pick_len = m;
        s += n + (s[n] == '\n');
    }
    int is_error = pick != NULL;
    if (!pick) pick = last, pick_len = last_len;
    out[0] = '\0';
    if (!pick) return 0;
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\" ", stdin_name);
    size_t ql = strlen(quoted);
    if (pick_len > ql && strncmp(pick, quoted, ql) == 0)
        snprintf(out, cap, "%s %.*s", script_name, (int)(pick_len - ql), pick + ql);
    else
        snprintf(out, cap, "%.*s", (int)pick_len, pick);
    return is_error;
}

// ---- running ----

/* Both ends of a pipe as descriptors above 2 (a dup2 onto itself would keep
 * FD_CLOEXEC) that no other child inherits. */
static int open_pipe(int fd[2])
{
    if (pipe(fd) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        if (fd[i] > 2) {
            fcntl(fd[i], F_SETFD, FD_CLOEXEC);
            continue;
        }
        int high = fcntl(fd[i], F_DUPFD_CLOEXEC, 3);
        if (high < 0) {
            close(fd[0]);
            close(fd[1]);
            return -1;
        }
        close(fd[i]);
        fd[i] = high;
    }
    return 0;
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* A closed pipe must be an EPIPE error, not a SIGPIPE that ends ftlab: the
 * signal is blocked in this thread only, and consumed if the writing raised it. */
struct sigpipe_guard {
    sigset_t old;
    int was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old);
}

static void sigpipe_restore(struct sigpipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    if (!g->was_pending && sigismember(&pending, SIGPIPE))
        sigtimedwait(&pipe_set, NULL, &(struct timespec){0});
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

static int explain_status(int status, const char *said, const char *label, const char *script_name,
                          char *err)
{
    char line[FTL_ERRLEN];
    int has_error = first_error(said, script_name, line, sizeof line);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !has_error) return 0;
    if (line[0]) return ftl_error(err, "%s: gnuplot: %s", label, line);
    if (WIFSIGNALED(status))
        return ftl_error(err, "%s: gnuplot was killed by signal %d", label, WTERMSIG(status));
    return ftl_error(err, "%s: gnuplot failed (exit status %d) without a message", label,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/*
 * Starts the program at path with its stdin and stderr on pipes; *in_fd is
 * the (non-blocking) end to write the script to, *err_fd the end to read
 * stderr from. 0, or an errno value.
 */
static int start(const char *path, pid_t *pid, int *in_fd, int *err_fd)
{
    int in[2], errp[2];
    if (open_pipe(in) != 0) return errno;
    if (open_pipe(errp) != 0) {
        int e = errno;
        close(in[0]);
        close(in[1]);
        return e;
    }
    int rc = spawn(path, in[0], errp[1], pid);
    close(in[0]);
    close(errp[1]);
    if (rc != 0) {
        close(in[1]);
        close(errp[0]);
        return rc;
    }
    set_nonblock(in[1]);
    set_nonblock(errp[0]);
    *in_fd = in[1];
    *err_fd = errp[0];
    return 0;
}

int gp_run(const char *script, size_t len, double timeout, const char *label,
           const char *script_name, char *err)
{
    int from_env, in_fd = -1, err_fd = -1;
    const char *prog = program_name(&from_env);
    char *path = find_program(prog);
    if (!path) return not_found(label, prog, from_env, err);
    pid_t pid;
    int rc = start(path, &pid, &in_fd, &err_fd);
    if (rc == ENOENT || rc == EACCES)
        rc = not_found(label, prog, from_env, err);
    else if (rc != 0)
        rc = ftl_error(err, "%s: cannot start %s: %s", label, path, strerror(rc));
    free(path);
    if (rc != 0) return -1;

    struct talk *t = xcalloc(1, sizeof *t);
    *t = (struct talk){.script = script, .len = len, .in_fd = in_fd, .err_fd = err_fd};
    double deadline = ftl_now() + timeout;
    struct sigpipe_guard guard;
    sigpipe_block(&guard);
    int status = 0, talked = converse(t, deadline), poll_errno = errno;
    int ok = talked == 0 && reap(pid, deadline, &status) == 0;
    sigpipe_restore(&guard);
    close_fd(&t->in_fd);
    close_fd(&t->err_fd);
    if (!ok) {
        kill_group(pid);
        if (talked == -2)
            rc = ftl_error(err, "%s: poll: %s", label, strerror(poll_errno));
        else
            rc = atomic_load(&cancelled)
                     ? ftl_error(err, "%s: gnuplot was stopped (ftlab is quitting)", label)
                     : ftl_error(err, "%s: gnuplot did not finish within %g s and was stopped",
                                 label, timeout);
    } else {
        rc = explain_status(status, t->said, label, script_name, err);
    }
    free(t);
    return rc;
}

// ---- figures as files ----

/*
 * The terminal of each format at print size. Cairo draws lines and points on
 * a 72-dpi canvas but text at 96 dpi, and pdfcairo halves its fonts by
 * default: the font scales below make the figure's points true points in
 * every format (PNG at 300 dpi: everything scaled by 300/72, text by 300/96).
 * Sizes carry four decimals of an inch, so a PDF's page box is what was asked
 * to a hundredth of a point.
 */
/*
 * gnuplot's cairo terminals make a PDF page a whole number of PostScript
 * points, dropping the fraction: an inch size is sent as the nearest whole
 * point plus a hundredth, so the page is within half a point (0.18 mm) of
 * what was asked, never a point short.
 */
static double whole_points(double inches)
{
    return (floor(inches * 72 + 0.5) + 0.01) / 72;
}

static void put_terminal(FILE *fp, const struct gp_figure *f, enum gp_format fmt)
{
    const double dpi = 300;
    const char *font = f->font && *f->font ? f->font : GP_FONT;
    double pt = f->font_pt > 0 ? f->font_pt : GP_FONT_PT;
    switch (fmt) {
    case GP_PNG:
        fprintf(fp,
                "set terminal pngcairo enhanced size %d,%d font '%s,%g' fontscale %.4f "
                "linewidth %.4f pointscale %.4f background '#ffffff'\n",
                (int)(f->width * dpi + 0.5), (int)(f->height * dpi + 0.5), font, pt, dpi / 96,
                dpi / 72, dpi / 72);
        break;
    case GP_SVG:
        fprintf(fp,
                "set terminal svg enhanced size %d,%d dynamic font '%s,%g' "
                "background '#ffffff'\n",
                (int)(f->width * 72 + 0.5), (int)(f->height * 72 + 0.5), font, pt);
        break;
    case GP_TEX:
        /* The text is LaTeX's, in the paper's font family, and gnuplot only guesses its size
         * to space the layout. fontscale 0.75 makes that guess the PDF's (the same character
         * cell as pdfcairo's below, whose text is pt points), and the header sets the text at
         * pt points: cairolatex's default 0.6 spaced for smaller text than LaTeX then set at
         * the document's size, and two-line titles and labels ran into each other. A family
         * here would become a \fontfamily LaTeX lacks, so only one asked for by name is passed
         * on. */
        fprintf(fp,
                "set terminal cairolatex pdf color colortext size %.4fin,%.4fin font '%s,%g' "
                "fontscale 0.75 header '\\fontsize{%g}{%g}\\selectfont'\n",
                whole_points(f->width), whole_points(f->height), f->font && *f->font ? f->font : "",
                pt, pt, pt * 1.2);
        break;
    case GP_PDF:
    case GP_FORMAT_COUNT:
        fprintf(fp,
                "set terminal pdfcairo enhanced size %.4fin,%.4fin font '%s,%g' "
                "fontscale 0.75\n",
                whole_points(f->width), whole_points(f->height), font, pt);
        break;
    }
}

static void put_block(FILE *fp, const struct gp_block *b)
{
    fprintf(fp, "# %s\n$%s << EOD\n%sEOD\n", b->comment, b->name, b->text);
}

/* The script's file stem: NAME for png, NAME-svg and NAME-pdf for the others, so that each
 * image keeps the script that redraws it exactly (NAME.dat is the same for every format). */
static void script_stem(const struct gp_figure *f, enum gp_format fmt, char *buf, size_t n)
{
    if (fmt == GP_PNG)
        snprintf(buf, n, "%s", f->name);
    else
        snprintf(buf, n, "%s-%s", f->name, format_names[fmt]);
}

/* The script, its output set to `output` (after "cd 'CD'; " when cd is not NULL: the
 * cairolatex pair names its .pdf after the .tex, so it is drawn under its final names in a
 * temporary folder). Saved and piped scripts differ in that line only, so gnuplot's line
 * numbers are the saved file's. */
static char *build_script(const struct gp_figure *f, enum gp_format fmt, const char *cd,
                          const char *output, size_t *len)
{
    char *buf = NULL, stem[256];
    FILE *fp = open_memstream(&buf, len);
    if (!fp) abort();
    script_stem(f, fmt, stem, sizeof stem);
    fprintf(fp,
            "# %s.%s -- drawn by ftlab. To redraw after editing: gnuplot %s.gp\n"
            "# (in this folder). The data are inline below and also in %s.dat.\n",
            f->name, format_names[fmt], stem, f->name);
    put_terminal(fp, f, fmt);
    if (cd) {
        fputs("cd ", fp);
        gp_put_string(fp, cd);
        fputs("; ", fp);
    }
    fputs("set output ", fp);
    gp_put_string(fp, output);
    fputs("\nset encoding utf8\n\n", fp);
    for (int i = 0; i < f->nblocks; i++)
        put_block(fp, &f->blocks[i]);
    fprintf(fp, "\n%s", f->body);
    if (fclose(fp) != 0) abort();
    return buf;
}

static char *build_data(const struct gp_figure *f, size_t *len)
{
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);
    if (!fp) abort();
    fprintf(fp,
            "# %s: the data of %s.gp; blocks are separated by two blank lines\n"
            "# (gnuplot: index 0, 1, ...).\n",
            f->name, f->name);
    for (int i = 0; i < f->nblocks; i++)
        fprintf(fp, "%s# index %d: $%s -- %s\n%s", i ? "\n\n" : "", i, f->blocks[i].name,
                f->blocks[i].comment, f->blocks[i].text);
    if (fclose(fp) != 0) abort();
    return buf;
}

static char *sibling(const char *out_dir, const char *name, const char *ext)
{
    size_t n = strlen(name) + strlen(ext) + 2;
    char *file = xmalloc(n);
    snprintf(file, n, "%s.%s", name, ext);
    char *path = ftl_path_join(out_dir, file);
    free(file);
    return path;
}

static int write_text(const char *out_dir, const char *name, const char *ext, const char *text,
                      size_t len, char *err)
{
    char *path = sibling(out_dir, name, ext);
    int rc = ftl_write_file(path, text, len, err);
    free(path);
    return rc;
}

/* fsync path, then rename it to final and fsync the folder: the image is whole or absent. */
static int commit_image(const char *tmp, const char *final, const char *out_dir, char *err)
{
    struct stat st;
    if (stat(tmp, &st) != 0 || st.st_size == 0)
        return ftl_error(err, "%s: gnuplot wrote no image", final);
    int fd = open(tmp, O_RDONLY);
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL)) {
        int e = errno;
        if (fd >= 0) close(fd);
        return ftl_error(err, "%s: %s", tmp, strerror(e));
    }
    close(fd);
    if (rename(tmp, final) != 0) return ftl_error(err, "%s: %s", final, strerror(errno));
    fd = open(out_dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    return 0;
}

/* A fresh, empty temporary file beside the image, for gnuplot to write into. */
static char *image_temp(const char *out_dir, const struct gp_figure *f, enum gp_format fmt,
                        char *err)
{
    size_t n = strlen(f->name) + 32;
    char *file = xmalloc(n);
    snprintf(file, n, ".%s.%s.XXXXXX", f->name, format_names[fmt]);
    char *tmp = ftl_path_join(out_dir, file);
    free(file);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        ftl_error(err, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return NULL;
    }
    fchmod(fd, 0644); /* mkstemp's 0600 would stay with the image */
    close(fd);
    return tmp;
}

/* The cairolatex pair: drawn in a fresh folder beside it, then NAME.pdf and NAME.tex moved in
 * (the .tex last: it is what a paper \inputs, and it names the .pdf). */
static int render_tex(const struct gp_figure *f, const char *out_dir, const char *final,
                      const char *gp_name, char *err)
{
    size_t n = strlen(f->name) + 32;
    char *file = xmalloc(n);
    snprintf(file, n, ".%s.tex.XXXXXX", f->name);
    char *tmp = ftl_path_join(out_dir, file);
    free(file);
    if (!mkdtemp(tmp)) {
        int rc = ftl_error(err, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    char tex[256], *pdf_tmp = sibling(tmp, f->name, "pdf"), *tex_tmp = sibling(tmp, f->name, "tex");
    char *pdf_final = sibling(out_dir, f->name, "pdf");
    snprintf(tex, sizeof tex, "%s.tex", f->name);
    size_t len;
    char *piped = build_script(f, GP_TEX, tmp, tex, &len);
    int rc = gp_run(piped, len, gp_timeout(), final, gp_name, err);
    if (rc == 0) rc = commit_image(pdf_tmp, pdf_final, out_dir, err);
    if (rc == 0) rc = commit_image(tex_tmp, final, out_dir, err);
    unlink(pdf_tmp);
    unlink(tex_tmp);
    rmdir(tmp);
    free(piped);
    free(pdf_tmp);
    free(tex_tmp);
    free(pdf_final);
    free(tmp);
    return rc;
}

int gp_render(const struct gp_figure *f, const char *out_dir, enum gp_format fmt, char *err)
{
    if (ftl_mkdir_p(out_dir, err) != 0) return -1;
    char *final = gp_output_path(out_dir, f->name, fmt);
    char file[256];
    snprintf(file, sizeof file, "%s.%s", f->name, format_names[fmt]);
    size_t len, dlen;
    char *saved = build_script(f, fmt, NULL, file, &len);
    char *data = build_data(f, &dlen), stem[256];
    script_stem(f, fmt, stem, sizeof stem);
    char gp_name[sizeof stem + 4];
    snprintf(gp_name, sizeof gp_name, "%s.gp", stem);
    int rc = gp_timeout_check(err);
    if (rc == 0) rc = write_text(out_dir, stem, "gp", saved, len, err);
    if (rc == 0) rc = write_text(out_dir, f->name, "dat", data, dlen, err);
    if (rc == 0 && fmt == GP_TEX) {
        rc = render_tex(f, out_dir, final, gp_name, err);
    } else if (rc == 0) {
        char *tmp = image_temp(out_dir, f, fmt, err);
        if (tmp) {
            char *piped = build_script(f, fmt, NULL, tmp, &len);
            rc = gp_run(piped, len, gp_timeout(), final, gp_name, err);
            if (rc == 0) rc = commit_image(tmp, final, out_dir, err);
            if (rc != 0) unlink(tmp);
            free(piped);
            free(tmp);
        } else {
            rc = -1;
        }
    }
    free(saved);
    free(data);
    free(final);
    return rc;
}
