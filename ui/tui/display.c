/* display — display settings and their config file. See display.h. */
#include "display.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_FILE (64 * 1024) /* a config file is a few lines; more is the wrong file */
#define SHOW 40              /* at most this many bytes of a bad word in a message */

const double display_smoothing[DISPLAY_NSMOOTH] = {0, 0.6, 0.8, 0.9, 0.95, 0.98};

static const char *const theme_names[] = {
    [DISPLAY_THEME_DARK] = "dark", [DISPLAY_THEME_LIGHT] = "light", [DISPLAY_THEME_MONO] = "mono"};
static const char *const symbols_names[] = {[DISPLAY_SYMBOLS_BRAILLE] = "braille",
                                            [DISPLAY_SYMBOLS_BLOCK] = "block",
                                            [DISPLAY_SYMBOLS_ASCII] = "ascii"};
#define NTHEMES (int)(sizeof theme_names / sizeof *theme_names)
#define NSYMBOLS (int)(sizeof symbols_names / sizeof *symbols_names)

void display_defaults(struct display_settings *d)
{
    *d = (struct display_settings){.theme = DISPLAY_THEME_AUTO,
                                   .symbols = DISPLAY_SYMBOLS_BRAILLE,
                                   .smooth = 2,
                                   .log_y = 1,
                                   .mouse = 0};
}

static int index_of(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0) return i;
    return -1;
}

int display_theme_from_name(const char *s)
{
    return index_of(theme_names, NTHEMES, s);
}

int display_symbols_from_name(const char *s)
{
    return index_of(symbols_names, NSYMBOLS, s);
}

const char *display_theme_name(enum display_theme t)
{
    return (int)t > 0 && (int)t < NTHEMES ? theme_names[t] : "auto";
}

const char *display_symbols_name(enum display_symbols s)
{
    return (int)s >= 0 && (int)s < NSYMBOLS ? symbols_names[s] : "braille";
}

// ---- the keys: each turns its value into a setting, or says why it cannot ----

static int set_theme(struct display_settings *d, const char *v, char *why, size_t n)
{
    int t = display_theme_from_name(v);
    if (t < 0) return snprintf(why, n, "theme must be dark, light or mono, not '%.*s'", SHOW, v);
    d->theme = (enum display_theme)t;
    return 0;
}

static int set_symbols(struct display_settings *d, const char *v, char *why, size_t n)
{
    int s = display_symbols_from_name(v);
    if (s < 0)
        return snprintf(why, n, "symbols must be braille, block or ascii, not '%.*s'", SHOW, v);
    d->symbols = (enum display_symbols)s;
    return 0;
}

/* A level given as a number (0.8), so the file reads as the workbench's title does. */
static int set_smoothing(struct display_settings *d, const char *v, char *why, size_t n)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    for (int i = 0; errno == 0 && end != v && *end == '\0' && i < DISPLAY_NSMOOTH; i++)
        if (fabs(x - display_smoothing[i]) < 1e-9) {
            d->smooth = i;
            return 0;
        }
    return snprintf(why, n, "smoothing must be one of 0 0.6 0.8 0.9 0.95 0.98, not '%.*s'", SHOW,
                    v);
}

static int on_off(const char *key, const char *v, int *out, char *why, size_t n)
{
    if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0) {
        *out = v[1] == 'n';
        return 0;
    }
    return snprintf(why, n, "%s must be on or off, not '%.*s'", key, SHOW, v);
}

static int set_log_scale(struct display_settings *d, const char *v, char *why, size_t n)
{
    return on_off("log_scale", v, &d->log_y, why, n);
}

static int set_mouse(struct display_settings *d, const char *v, char *why, size_t n)
{
    return on_off("mouse", v, &d->mouse, why, n);
}

static const struct {
    const char *name;
    int (*set)(struct display_settings *d, const char *v, char *why, size_t n);
} keys[] = {
    {"theme", set_theme},         {"symbols", set_symbols}, {"smoothing", set_smoothing},
    {"log_scale", set_log_scale}, {"mouse", set_mouse},
};
#define NKEYS (int)(sizeof keys / sizeof *keys)
#define KNOWN "theme, symbols, smoothing, log_scale, mouse"

// ---- the file ----

/* One line split into words (at most three: a third is always an error). */
struct words {
    int n;
    char w[3][SHOW + 2]; /* truncated copies: longer words are wrong anyway */
    int len[3];          /* their real lengths */
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void split(const char *s, size_t len, struct words *out)
{
    out->n = 0;
    size_t i = 0;
    while (i < len && s[i] != '#') {
        while (i < len && is_blank(s[i]))
            i++;
        if (i >= len || s[i] == '#') break;
        size_t start = i;
        while (i < len && !is_blank(s[i]) && s[i] != '#')
            i++;
        if (out->n == 3) continue;
        size_t wl = i - start, keep = wl < SHOW + 1 ? wl : SHOW + 1;
        memcpy(out->w[out->n], s + start, keep);
        out->w[out->n][keep] = '\0';
        out->len[out->n++] = (int)wl;
    }
}

/* One non-blank line: 0, or the problem in why. seen[k]: the line key k was set on. */
static int parse_line(const struct words *l, struct display_settings *d, int *seen, int line,
                      char *why, size_t n)
{
    const char *key = l->w[0];
    int k = 0;
    while (k < NKEYS && strcmp(keys[k].name, key) != 0)
        k++;
    if (k == NKEYS && strchr(key, '='))
        return snprintf(why, n, "write 'key value', not '%.*s' (known keys: " KNOWN ")", SHOW, key);
    if (k == NKEYS || l->len[0] > SHOW)
        return snprintf(why, n, "unknown key '%.*s' (known keys: " KNOWN ")", SHOW, key);
    if (seen[k]) return snprintf(why, n, "%s given twice (first on line %d)", key, seen[k]);
    if (l->n == 1) return snprintf(why, n, "%s needs a value", key);
    if (l->n > 2) return snprintf(why, n, "%s takes one value, not several", key);
    if (l->len[1] > SHOW) return snprintf(why, n, "%s: the value is too long", key);
    seen[k] = line;
    return keys[k].set(d, l->w[1], why, n);
}

int display_parse(const char *text, size_t size, const char *name, struct display_settings *d,
                  char *err)
{
    struct display_settings out = *d;
    int seen[NKEYS] = {0};
    char why[FTL_ERRLEN / 2];
    size_t at = 0;
    for (int line = 1; at < size; line++) {
        const char *s = text + at, *nl = memchr(s, '\n', size - at);
        size_t len = nl ? (size_t)(nl - s) : size - at;
        at += len + (nl != NULL);
        if (memchr(s, '\0', len))
            return ftl_error(err, "%s:%d: a NUL byte: this is not a text file", name, line);
        struct words l;
        split(s, len, &l);
        if (l.n == 0) continue;
        if (parse_line(&l, &out, seen, line, why, sizeof why) != 0)
            return ftl_error(err, "%s:%d: %s", name, line, why);
    }
    *d = out;
    return 0;
}

char *display_config_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char *dir;
    if (xdg && xdg[0] == '/')
        dir = ftl_path_join(xdg, "ftlab");
    else if (home && home[0] == '/')
        dir = ftl_path_join(home, ".config/ftlab");
    else
        return NULL;
    char *path = ftl_path_join(dir, "config");
    free(dir);
    return path;
}

int display_load(const char *path, struct display_settings *d, char *err)
{
    char *own = path ? NULL : display_config_path();
    const char *p = path ? path : own;
    int rc = 0;
    if (!p) return 0;
    FILE *f = fopen(p, "rb");
    if (!f) {
        if (errno != ENOENT && errno != ENOTDIR) rc = ftl_error(err, "%s: %s", p, strerror(errno));
        free(own);
        return rc;
    }
    char *buf = xmallocarray(MAX_FILE + 1, 1);
    size_t n = fread(buf, 1, MAX_FILE + 1, f);
    if (ferror(f))
        rc = ftl_error(err, "%s: %s", p, strerror(errno));
    else if (n > MAX_FILE)
        rc = ftl_error(err, "%s: larger than %d KiB: not a config file", p, MAX_FILE / 1024);
    else
        rc = display_parse(buf, n, p, d, err);
    fclose(f);
    free(buf);
    free(own);
    return rc;
}
