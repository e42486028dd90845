/* cast — asciicast v2 recordings of the canvas. See cast.h. */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include "cast.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "term.h"
#include "util.h"

/* A run of unchanged cells shorter than this is written again rather than jumped over:
 * a cursor move ("\e[12;34H") costs about as much. */
#define GAP_REWRITE 6

struct buf {
    char *p;
    size_t n, cap;
};

struct cast {
    enum cast_mode mode;
    char *path;
    int fd;               /* CAST_LIVE */
    off_t whole;          /* CAST_LIVE: bytes of whole lines in the file */
    struct ftl_atomic a;  /* CAST_WHOLE */
    char *term, *title;   /* for the header */
    long long timestamp;  /* Unix seconds at cast_open */
    double min_interval;  /* between two frames written */
    double t0, last;      /* the first frame's clock; the last event's time (from t0) */
    long frames;          /* events of output written (the header is written with the first) */
    int h, w;             /* the last frame's size */
    struct cell *prev;    /* what the last frame left on the screen [h x w] */
    int failed;           /* a write failed: nothing more is written */
    char err[FTL_ERRLEN]; /* why */
    struct buf ansi, line;
};

// ---- buffers ----

static void buf_add(struct buf *b, const void *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = b->cap ? b->cap : 4096;
        while (b->n + n + 1 > b->cap)
            b->cap *= 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Bytes of the well-formed UTF-8 sequence at s (at most n bytes), or 0 for a malformed one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80                   ? 1
                 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2
                 : s[0] >= 0xE0 && s[0] < 0xF0 ? 3
                 : s[0] >= 0xF0 && s[0] < 0xF5 ? 4
                                               : 0;
    if (len == 0 || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    /* overlong forms, surrogates and code points past U+10FFFF */
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

/*
 * s as the inside of a JSON string: '"' and '\' escaped, control characters
 * (ESC among them) as \u00XX, UTF-8 as it is; a byte that is not well-formed
 * UTF-8 becomes '?', so the file stays valid UTF-8 whatever a name holds.
 */
static void json_escape(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_len(p + i, n - i);
        if (len == 0) {
            buf_add(b, "?", 1);
            i++;
        } else if (p[i] == '"' || p[i] == '\\') {
            char e[2] = {'\\', (char)p[i]};
            buf_add(b, e, 2);
            i++;
        } else if (p[i] < 0x20) {
            buf_printf(b, "\\u%04x", p[i]);
            i++;
        } else {
            buf_add(b, p + i, len);
            i += len;
        }
    }
}

static void json_string(struct buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    json_escape(b, s, strlen(s));
    buf_add(b, "\"", 1);
}

// ---- frames as ANSI text ----

/* The look of one cell, as canvas_blit gives it (term_attr, term_attr_halves, bold). */
static struct term_look cell_look(enum term_scheme scheme, const struct cell *p)
{
    struct term_look l;
    int upper = p->color - TC_HEAT0, lower = p->lower - 1;
    if (p->lower && scheme != TERM_MONO && upper >= 0 && upper < TC_HEAT_N && lower >= 0 &&
        lower < TC_HEAT_N) {
        /* '▀': the upper step's colour over the lower step's */
        l.fg = term_look(scheme, (enum term_color)(TC_HEAT0 + upper)).bg;
        l.bg = term_look(scheme, (enum term_color)(TC_HEAT0 + lower)).bg;
        l.attrs = A_NORMAL;
    } else if (p->lower) {
        l = term_look(scheme, (enum term_color)(TC_HEAT0 + (upper < 0 ? 0 : upper % TC_HEAT_N)));
    } else {
        l = term_look(scheme, (enum term_color)p->color);
    }
    if (p->bold) l.attrs |= A_BOLD;
    return l;
}

static int same_look(const struct term_look *a, const struct term_look *b)
{
    return a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs;
}

/* SGR from a reset: attributes, then colours (38;5;N / 48;5;N in 256 colours, 3N / 4N in 8). */
static void put_sgr(struct buf *b, enum term_scheme scheme, const struct term_look *l)
{
    buf_add(b, "\033[0", 3);
    if (l->attrs & A_BOLD) buf_add(b, ";1", 2);
    if (l->attrs & A_DIM) buf_add(b, ";2", 2);
    if (l->attrs & A_UNDERLINE) buf_add(b, ";4", 2);
    if (l->attrs & A_REVERSE) buf_add(b, ";7", 2);
    if (l->fg >= 0) {
        if (scheme == TERM_COLOR256)
            buf_printf(b, ";38;5;%d", l->fg);
        else
            buf_printf(b, ";3%d", l->fg & 7);
    }
    if (l->bg >= 0) {
        if (scheme == TERM_COLOR256)
            buf_printf(b, ";48;5;%d", l->bg);
        else
            buf_printf(b, ";4%d", l->bg & 7);
    }
    buf_add(b, "m", 1);
}

/* One character in UTF-8; what a terminal would not show as one printable cell becomes '?'. */
static void put_char(struct buf *b, wchar_t ch, int utf8)
{
    unsigned long c = (unsigned long)ch;
    char s[4];
    if (c < 0x20 || (c >= 0x7F && c < 0xA0) || (c >= 0xD800 && c < 0xE000) || c > 0x10FFFF ||
        (!utf8 && c > 0x7E))
        c = '?';
    if (c < 0x80) {
        s[0] = (char)c;
        buf_add(b, s, 1);
    } else if (c < 0x800) {
        s[0] = (char)(0xC0 | c >> 6), s[1] = (char)(0x80 | (c & 0x3F));
        buf_add(b, s, 2);
    } else if (c < 0x10000) {
        s[0] = (char)(0xE0 | c >> 12), s[1] = (char)(0x80 | (c >> 6 & 0x3F));
        s[2] = (char)(0x80 | (c & 0x3F));
        buf_add(b, s, 3);
    } else {
        s[0] = (char)(0xF0 | c >> 18), s[1] = (char)(0x80 | (c >> 12 & 0x3F));
        s[2] = (char)(0x80 | (c >> 6 & 0x3F)), s[3] = (char)(0x80 | (c & 0x3F));
        buf_add(b, s, 4);
    }
}

static int same_cell(const struct cell *a, const struct cell *b)
{
    return a->ch == b->ch && a->color == b->color && a->lower == b->lower && a->bold == b->bold;
}

/*
 * The ANSI text that turns the screen prev left into cv: for each row, the
 * runs of changed cells (short unchanged gaps within a run written again),
 * each after a cursor move, with an SGR wherever the look changes.
 */
static void frame_ansi(struct buf *b, const struct canvas *cv, const struct cell *prev)
{
    enum term_scheme scheme = term_scheme();
    int utf8 = term_utf8();
    struct term_look cur = {0};
    int have_look = 0, cy = -1, cx = -1;
    for (int y = 0; y < cv->h; y++) {
        const struct cell *row = &cv->cells[(size_t)y * (size_t)cv->w];
        const struct cell *old = &prev[(size_t)y * (size_t)cv->w];
        for (int x = 0; x < cv->w;) {
            if (same_cell(&row[x], &old[x])) {
                x++;
                continue;
            }
            int last = x; /* the run: up to its last changed cell before a long gap */
            for (int i = x + 1; i < cv->w && i - last <= GAP_REWRITE; i++)
                if (!same_cell(&row[i], &old[i])) last = i;
            if (cy != y || cx != x) buf_printf(b, "\033[%d;%dH", y + 1, x + 1);
            for (int i = x; i <= last; i++) {
                struct term_look l = cell_look(scheme, &row[i]);
                if (!have_look || !same_look(&l, &cur)) put_sgr(b, scheme, &l);
                cur = l, have_look = 1;
                put_char(b, row[i].ch, utf8);
            }
            cy = y, cx = last + 1;
            x = last + 1;
        }
    }
}

// ---- writing whole lines ----

static int fail(struct cast *c, char *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct cast *c, char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    c->failed = 1;
    if (err) snprintf(err, FTL_ERRLEN, "%s", c->err);
    return -1;
}

/* c->line, whole lines, to the file: one write() live; a failed one is cut back to the last
 * whole line, so the recording still plays. */
static int emit(struct cast *c, char *err)
{
    const struct buf *l = &c->line;
    if (c->mode == CAST_WHOLE) {
        if (fwrite(l->p, 1, l->n, c->a.fp) != l->n)
            return fail(c, err, "%s: write failed: %s", c->path, strerror(errno));
        return 0;
    }
    size_t done = 0;
    while (done < l->n) {
        ssize_t r = write(c->fd, l->p + done, l->n - done);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            int e = r < 0 ? errno : ENOSPC;
            /* Back to the last whole line; if even that fails, the first error is the news. */
            int cut = ftruncate(c->fd, c->whole);
            (void)cut;
            return fail(c, err, "%s: recording stopped: %s", c->path, strerror(e));
        }
        done += (size_t)r;
    }
    c->whole += (off_t)l->n;
    return 0;
}

static void add_header(struct cast *c, int w, int h)
{
    struct buf *b = &c->line;
    const char *shell = getenv("SHELL");
    buf_printf(b, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld, ", w, h,
               c->timestamp);
    buf_add(b, "\"env\": {\"TERM\": ", 16);
    json_string(b, c->term);
    buf_add(b, ", \"SHELL\": ", 11);
    if (shell)
        json_string(b, shell);
    else
        buf_add(b, "null", 4);
    buf_add(b, "}, \"title\": ", 12);
    json_string(b, c->title);
    buf_add(b, "}\n", 2);
}

static void add_event(struct cast *c, double t, const char *type, const char *data, size_t n)
{
    buf_printf(&c->line, "[%.6f, \"%s\", \"", t, type);
    json_escape(&c->line, data, n);
    buf_add(&c->line, "\"]\n", 3);
}

// ---- the interface ----

static const char *scheme_term(void)
{
    return term_scheme() == TERM_COLOR256 ? "xterm-256color" : "xterm";
}

struct cast *cast_open(const char *path, enum cast_mode mode, const char *term, const char *title,
                       double min_interval, char *err)
{
    struct cast *c = xcalloc(1, sizeof *c);
    c->mode = mode;
    c->fd = -1;
    if (mode == CAST_LIVE) {
        c->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (c->fd < 0) {
            int e = errno;
            free(c);
            if (e == EEXIST)
                ftl_error(err, "%s: exists; a recording is never overwritten (remove it first)",
                          path);
            else
                ftl_error(err, "%s: cannot write: %s", path, strerror(e));
            return NULL;
        }
    } else if (ftl_atomic_open(&c->a, path, err) != 0) {
        free(c);
        return NULL;
    }
    c->path = xstrdup(path);
    c->term = term ? xstrdup(term) : NULL;
    c->title = xstrdup(title ? title : "ftlab");
    c->timestamp = (long long)time(NULL);
    c->min_interval = min_interval;
    return c;
}

void cast_title(struct cast *c, const char *title)
{
    free(c->title);
    c->title = xstrdup(title);
}

int cast_frame(struct cast *c, double now, const struct canvas *cv, int force, char *err)
{
    if (c->failed) return 0;
    double t = c->frames ? now - c->t0 : 0;
    if (t < c->last) t = c->last; /* times never go down, whatever the clock did */
    if (c->frames && !force && t - c->last < c->min_interval) return 0;
    c->line.n = c->ansi.n = 0;
    int whole = !c->frames || cv->h != c->h || cv->w != c->w;
    if (whole) { /* from a blank screen: the first frame, or a new size */
        if (!c->frames) {
            c->t0 = now;
            if (!c->term)
                c->term = xstrdup(getenv("TERM") && c->mode == CAST_LIVE ? getenv("TERM")
                                                                         : scheme_term());
            add_header(c, cv->w, cv->h);
        } else {
            char size[32];
            snprintf(size, sizeof size, "%dx%d", cv->w, cv->h);
            add_event(c, t, "r", size, strlen(size));
        }
        free(c->prev);
        c->h = cv->h, c->w = cv->w;
        c->prev = xmallocarray((size_t)c->h * (size_t)c->w + 1, sizeof *c->prev);
        struct canvas blank;
        canvas_init(&blank, c->h, c->w, 0);
        memcpy(c->prev, blank.cells, (size_t)c->h * (size_t)c->w * sizeof *c->prev);
        canvas_free(&blank);
        /* cursor hidden (a player draws it), attributes reset, screen cleared */
        buf_add(&c->ansi, "\033[?25l\033[0m\033[H\033[2J", 17);
    }
    frame_ansi(&c->ansi, cv, c->prev);
    if (c->ansi.n == 0) return 0; /* nothing changed */
    add_event(c, t, "o", c->ansi.p, c->ansi.n);
    if (emit(c, err) != 0) return -1;
    memcpy(c->prev, cv->cells, (size_t)c->h * (size_t)c->w * sizeof *c->prev);
    c->last = t;
    c->frames++;
    return 0;
}

long cast_frames(const struct cast *c)
{
    return c->frames;
}

static void cast_free(struct cast *c)
{
    free(c->path);
    free(c->term);
    free(c->title);
    free(c->prev);
    free(c->ansi.p);
    free(c->line.p);
    free(c);
}

void cast_abort(struct cast *c)
{
    if (!c) return;
    if (c->mode == CAST_WHOLE) {
        ftl_atomic_abort(&c->a);
    } else {
        close(c->fd);
        unlink(c->path);
    }
    cast_free(c);
}

int cast_close(struct cast *c, double end, char *err)
{
    if (!c->frames) { /* nothing recorded: no file */
        int failed = c->failed;
        if (failed && err) snprintf(err, FTL_ERRLEN, "%s", c->err);
        cast_abort(c);
        return failed ? -1 : 0;
    }
    double t = end - c->t0;
    if (!c->failed && t > c->last) { /* the last frame stays up until end */
        c->line.n = 0;
        add_event(c, t, "o", "\033[0m", 4);
        emit(c, NULL);
    }
    int rc = 0;
    if (c->mode == CAST_WHOLE) {
        if (c->failed) {
            ftl_atomic_abort(&c->a);
            rc = -1;
        } else {
            rc = ftl_atomic_commit(&c->a, err);
        }
    } else {
        if (fsync(c->fd) != 0 && errno != EINVAL && !c->failed)
            fail(c, NULL, "%s: fsync failed: %s", c->path, strerror(errno));
        if (close(c->fd) != 0 && !c->failed)
            fail(c, NULL, "%s: write failed: %s", c->path, strerror(errno));
        rc = c->failed ? -1 : 0;
    }
    if (c->failed && err) snprintf(err, FTL_ERRLEN, "%s", c->err);
    cast_free(c);
    return rc;
}
