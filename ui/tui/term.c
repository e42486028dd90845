/* term — the terminal: curses start/stop, colour meanings, stderr hold. See term.h. */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include "term.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canvas.h"
#include "util.h"

/* One meaning in one scheme (struct term_look, term.h): colours (-1 = the terminal's default)
 * and attributes. */

/*
 * 256 colours. Series: Okabe & Ito's colour-blind-safe set, nearest xterm
 * cube entries (sky blue, orange, bluish green, vermillion, reddish purple,
 * yellow; their dark blue is left out, it vanishes on dark backgrounds).
 * Heat: a viridis-like ramp whose CIELAB lightness rises at every step
 * (21 28 40 52 64 77 81 97), so it still reads in order in greyscale; text
 * on it is white on the dark half and black on the light half.
 */
// clang-format off
static const struct term_look looks256[TC_COUNT] = {
    [TC_DEFAULT] = {-1, -1, A_NORMAL},
    [TC_TITLE] = {-1, -1, A_BOLD},
    [TC_BORDER] = {240, -1, A_NORMAL},
    [TC_AXIS] = {244, -1, A_NORMAL},
    [TC_LABEL] = {250, -1, A_NORMAL},
    [TC_DIM] = {243, -1, A_NORMAL},
    [TC_STATUS] = {16, 250, A_NORMAL},
    [TC_STATUS_KEY] = {16, 74, A_BOLD},
    [TC_GOOD] = {35, -1, A_BOLD},
    [TC_WARN] = {178, -1, A_BOLD},
    [TC_ERROR] = {231, 160, A_BOLD},
    [TC_SERIES0] = {74, -1, A_NORMAL},
    [TC_SERIES1] = {178, -1, A_NORMAL},
    [TC_SERIES2] = {35, -1, A_NORMAL},
    [TC_SERIES3] = {166, -1, A_NORMAL},
    [TC_SERIES4] = {175, -1, A_NORMAL},
    [TC_SERIES5] = {221, -1, A_NORMAL},
    [TC_MARKER] = {246, -1, A_NORMAL},
    [TC_GHOST0] = {103, -1, A_NORMAL},
    [TC_GHOST1] = {137, -1, A_NORMAL},
    [TC_GHOST2] = {66, -1, A_NORMAL},
    [TC_GHOST3] = {96, -1, A_NORMAL},
    [TC_HEAT0] = {231, 53, A_NORMAL},
    [TC_HEAT1] = {231, 55, A_NORMAL},
    [TC_HEAT2] = {231, 25, A_NORMAL},
    [TC_HEAT3] = {231, 31, A_NORMAL},
    [TC_HEAT4] = {16, 36, A_NORMAL},
    [TC_HEAT5] = {16, 77, A_NORMAL},
    [TC_HEAT6] = {16, 148, A_NORMAL},
    [TC_HEAT7] = {16, 226, A_NORMAL},
};

/* 8 colours. Heat: the eight basic colours in order of luminance. */
static const struct term_look looks8[TC_COUNT] = {
    [TC_DEFAULT] = {-1, -1, A_NORMAL},
    [TC_TITLE] = {-1, -1, A_BOLD},
    [TC_BORDER] = {COLOR_BLUE, -1, A_NORMAL},
    [TC_AXIS] = {-1, -1, A_DIM},
    [TC_LABEL] = {-1, -1, A_NORMAL},
    [TC_DIM] = {-1, -1, A_DIM},
    [TC_STATUS] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
    [TC_STATUS_KEY] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [TC_GOOD] = {COLOR_GREEN, -1, A_BOLD},
    [TC_WARN] = {COLOR_YELLOW, -1, A_BOLD},
    [TC_ERROR] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TC_SERIES0] = {COLOR_CYAN, -1, A_BOLD},
    [TC_SERIES1] = {COLOR_YELLOW, -1, A_NORMAL},
    [TC_SERIES2] = {COLOR_GREEN, -1, A_NORMAL},
    [TC_SERIES3] = {COLOR_RED, -1, A_NORMAL},
    [TC_SERIES4] = {COLOR_MAGENTA, -1, A_NORMAL},
    [TC_SERIES5] = {COLOR_BLUE, -1, A_BOLD},
    [TC_MARKER] = {COLOR_WHITE, -1, A_DIM},
    [TC_GHOST0] = {COLOR_BLUE, -1, A_DIM},
    [TC_GHOST1] = {COLOR_YELLOW, -1, A_DIM},
    [TC_GHOST2] = {COLOR_GREEN, -1, A_DIM},
    [TC_GHOST3] = {COLOR_MAGENTA, -1, A_DIM},
    [TC_HEAT0] = {COLOR_WHITE, COLOR_BLACK, A_NORMAL},
    [TC_HEAT1] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [TC_HEAT2] = {COLOR_WHITE, COLOR_RED, A_NORMAL},
    [TC_HEAT3] = {COLOR_WHITE, COLOR_MAGENTA, A_NORMAL},
    [TC_HEAT4] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL},
    [TC_HEAT5] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [TC_HEAT6] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL},
    [TC_HEAT7] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
};

/*
 * Light, 256 colours: black on white (231), every pair with its background,
 * pair 0 included (assume_default_colors), so no cell keeps the terminal's
 * own. Series: Okabe-Ito hues in shades that hold on white (blue, orange,
 * bluish green, a red for their vermillion, which is too near the orange on
 * white, reddish purple; black for their yellow, invisible on white).
 * Heat: zero a light grey of its own, then a viridis-like ramp from light
 * to dark whose CIELAB lightness falls at every step (91 84 79 64 52 40 28
 * 21), so it reads in order in greyscale too; text is black where black has
 * the better contrast (to step 4), white beyond. Ghosts: muted mid tones
 * (contrast 2.5-3.5 on white), fainter than every series.
 */
static const struct term_look looks256_light[TC_COUNT] = {
    [TC_DEFAULT] = {16, 231, A_NORMAL},
    [TC_TITLE] = {16, 231, A_BOLD},
    [TC_BORDER] = {247, 231, A_NORMAL},
    [TC_AXIS] = {242, 231, A_NORMAL},
    [TC_LABEL] = {237, 231, A_NORMAL},
    [TC_DIM] = {242, 231, A_NORMAL},
    [TC_STATUS] = {16, 252, A_NORMAL},
    [TC_STATUS_KEY] = {231, 25, A_BOLD},
    [TC_GOOD] = {28, 231, A_BOLD},
    [TC_WARN] = {130, 231, A_BOLD},
    [TC_ERROR] = {231, 160, A_BOLD},
    [TC_SERIES0] = {25, 231, A_NORMAL},
    [TC_SERIES1] = {172, 231, A_NORMAL},
    [TC_SERIES2] = {29, 231, A_NORMAL},
    [TC_SERIES3] = {160, 231, A_NORMAL},
    [TC_SERIES4] = {126, 231, A_NORMAL},
    [TC_SERIES5] = {16, 231, A_NORMAL},
    [TC_MARKER] = {244, 231, A_NORMAL},
    [TC_GHOST0] = {103, 231, A_NORMAL},
    [TC_GHOST1] = {137, 231, A_NORMAL},
    [TC_GHOST2] = {108, 231, A_NORMAL},
    [TC_GHOST3] = {139, 231, A_NORMAL},
    [TC_HEAT0] = {16, 254, A_NORMAL},
    [TC_HEAT1] = {16, 186, A_NORMAL},
    [TC_HEAT2] = {16, 113, A_NORMAL},
    [TC_HEAT3] = {16, 36, A_NORMAL},
    [TC_HEAT4] = {16, 31, A_NORMAL},
    [TC_HEAT5] = {231, 25, A_NORMAL},
    [TC_HEAT6] = {231, 55, A_NORMAL},
    [TC_HEAT7] = {231, 53, A_NORMAL},
};

/* Light, 8 colours: black on white; heat from white to black in order of luminance. */
static const struct term_look looks8_light[TC_COUNT] = {
    [TC_DEFAULT] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
    [TC_TITLE] = {COLOR_BLACK, COLOR_WHITE, A_BOLD},
    [TC_BORDER] = {COLOR_BLUE, COLOR_WHITE, A_NORMAL},
    [TC_AXIS] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
    [TC_LABEL] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
    [TC_DIM] = {COLOR_BLUE, COLOR_WHITE, A_NORMAL},
    [TC_STATUS] = {COLOR_WHITE, COLOR_BLACK, A_NORMAL},
    [TC_STATUS_KEY] = {COLOR_WHITE, COLOR_BLUE, A_BOLD},
    [TC_GOOD] = {COLOR_GREEN, COLOR_WHITE, A_BOLD},
    [TC_WARN] = {COLOR_RED, COLOR_WHITE, A_BOLD},
    [TC_ERROR] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TC_SERIES0] = {COLOR_BLUE, COLOR_WHITE, A_BOLD},
    [TC_SERIES1] = {COLOR_RED, COLOR_WHITE, A_NORMAL},
    [TC_SERIES2] = {COLOR_GREEN, COLOR_WHITE, A_NORMAL},
    [TC_SERIES3] = {COLOR_MAGENTA, COLOR_WHITE, A_NORMAL},
    [TC_SERIES4] = {COLOR_BLACK, COLOR_WHITE, A_BOLD},
    [TC_SERIES5] = {COLOR_CYAN, COLOR_WHITE, A_NORMAL},
    [TC_MARKER] = {COLOR_BLACK, COLOR_WHITE, A_DIM},
    [TC_GHOST0] = {COLOR_CYAN, COLOR_WHITE, A_NORMAL},
    [TC_GHOST1] = {COLOR_YELLOW, COLOR_WHITE, A_NORMAL},
    [TC_GHOST2] = {COLOR_GREEN, COLOR_WHITE, A_DIM},
    [TC_GHOST3] = {COLOR_MAGENTA, COLOR_WHITE, A_DIM},
    [TC_HEAT0] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
    [TC_HEAT1] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL},
    [TC_HEAT2] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [TC_HEAT3] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL},
    [TC_HEAT4] = {COLOR_WHITE, COLOR_MAGENTA, A_NORMAL},
    [TC_HEAT5] = {COLOR_WHITE, COLOR_RED, A_NORMAL},
    [TC_HEAT6] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [TC_HEAT7] = {COLOR_WHITE, COLOR_BLACK, A_NORMAL},
};

/* Monochrome: attributes only (the heatmap switches to shade characters). */
static const struct term_look looks_mono[TC_COUNT] = {
    [TC_TITLE] = {-1, -1, A_BOLD},
    [TC_DIM] = {-1, -1, A_DIM},
    [TC_AXIS] = {-1, -1, A_DIM},
    [TC_STATUS] = {-1, -1, A_REVERSE},
    [TC_STATUS_KEY] = {-1, -1, A_REVERSE | A_BOLD},
    [TC_GOOD] = {-1, -1, A_BOLD},
    [TC_WARN] = {-1, -1, A_BOLD | A_UNDERLINE},
    [TC_ERROR] = {-1, -1, A_REVERSE | A_BOLD},
    [TC_SERIES0] = {-1, -1, A_BOLD},
    [TC_MARKER] = {-1, -1, A_DIM},
    [TC_GHOST0] = {-1, -1, A_DIM},
    [TC_GHOST1] = {-1, -1, A_DIM},
    [TC_GHOST2] = {-1, -1, A_DIM},
    [TC_GHOST3] = {-1, -1, A_DIM},
};

// clang-format on

/* The one terminal this process owns (htop's CRT globals). */
static struct {
    bool active;
    enum term_scheme scheme;
    bool light; /* the light theme: every pair, pair 0 too, has a background */
    enum display_symbols symbols;
    bool utf8;
    bool halves;
    bool headless;    /* term_headless: no curses, the scheme and UTF-8 as given */
    int saved_stderr; /* the real stderr while the screen is up, else -1 */
    FILE *held;       /* what was written to stderr meanwhile */
} term = {.saved_stderr = -1};

/*
 * Pair numbers: meaning c uses pair c, but TC_DEFAULT, which is pair 0 in the
 * dark theme (the terminal's own colours) and DEFAULT_PAIR in the light one:
 * pair 0 cannot be given colours that curses will actually send. The halves
 * come after.
 */
#define DEFAULT_PAIR TC_COUNT
static short halves_pair(int upper, int lower)
{
    return (short)(DEFAULT_PAIR + 1 + upper * TC_HEAT_N + lower);
}

static bool locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static bool no_color_requested(void)
{
    const char *v = getenv("NO_COLOR");
    return v && v[0] != '\0'; /* no-color.org: present and not empty */
}

static const struct term_look *looks_of(enum term_scheme scheme)
{
    switch (scheme) {
    case TERM_COLOR256:
        return term.light ? looks256_light : looks256;
    case TERM_COLOR8:
        return term.light ? looks8_light : looks8;
    default:
        return looks_mono;
    }
}

/* Whether theme asks for colours at all: NO_COLOR counts only when no theme was chosen. */
static bool wants_colors(enum display_theme theme)
{
    if (theme == DISPLAY_THEME_MONO) return false; /* start_color never runs: no colour SGR */
    return theme != DISPLAY_THEME_AUTO || !no_color_requested();
}

static const struct term_look *looks(void)
{
    return looks_of(term.scheme);
}

static void init_colors(enum display_theme theme)
{
    term.scheme = TERM_MONO;
    term.light = false;
    if (!wants_colors(theme) || !has_colors() || start_color() == ERR) return;
    bool default_colors = use_default_colors() == OK;
    term.scheme = COLORS >= 256 ? TERM_COLOR256 : TERM_COLOR8;
    if (COLOR_PAIRS <= TC_COUNT) {
        term.scheme = TERM_MONO;
        return;
    }
    term.light = theme == DISPLAY_THEME_LIGHT;
    const struct term_look *l = looks();
    /* The light theme paints the background of every cell, blanks and erased lines too. */
    if (term.light) {
        init_pair(DEFAULT_PAIR, l[TC_DEFAULT].fg, l[TC_DEFAULT].bg);
        /* Erased cells too: curses erases in this colour where terminfo says the terminal
         * fills erased cells with it (bce), and writes blanks where it does not (tmux). */
        bkgdset(' ' | COLOR_PAIR(DEFAULT_PAIR));
        clear();
    }
    for (int c = 1; c < TC_COUNT; c++) {
        short fg = l[c].fg, bg = l[c].bg;
        if (!default_colors) { /* -1 means nothing without use_default_colors */
            if (fg < 0) fg = COLOR_WHITE;
            if (bg < 0) bg = COLOR_BLACK;
        }
        init_pair((short)c, fg, bg);
    }
    term.halves = COLOR_PAIRS > halves_pair(TC_HEAT_N - 1, TC_HEAT_N - 1);
    for (int u = 0; term.halves && u < TC_HEAT_N; u++)
        for (int d = 0; d < TC_HEAT_N; d++)
            init_pair(halves_pair(u, d), l[TC_HEAT0 + u].bg, l[TC_HEAT0 + d].bg);
}

/* stderr goes to a temporary file while curses owns the screen. */
static void hold_stderr(void)
{
    fflush(stderr);
    term.held = tmpfile();
    if (!term.held) return;
    term.saved_stderr = dup(STDERR_FILENO);
    if (term.saved_stderr < 0 || dup2(fileno(term.held), STDERR_FILENO) < 0) {
        if (term.saved_stderr >= 0) close(term.saved_stderr);
        term.saved_stderr = -1;
        fclose(term.held);
        term.held = NULL;
    }
}

/* Async-signal-safe: only dup2, lseek, read and write. */
static void release_stderr(void)
{
    if (term.saved_stderr < 0) return;
    dup2(term.saved_stderr, STDERR_FILENO);
    close(term.saved_stderr);
    term.saved_stderr = -1;
    int fd = fileno(term.held);
    char buf[4096];
    ssize_t n;
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(STDERR_FILENO, buf, (size_t)n) < 0) break;
}

static void end_at_exit(void)
{
    term_end();
}

/* A crash: give the user their terminal and the messages back, then die as intended. */
static void on_fatal_signal(int sig)
{
    if (term.active) endwin();
    term.active = false;
    release_stderr();
    signal(sig, SIG_DFL);
    raise(sig);
}

/*
 * Whether TERM can be drawn on at all: the workbench moves the cursor to any
 * cell, and a terminal without cursor addressing (TERM=dumb, an emacs shell
 * buffer) shows a blank screen under curses. Asked of curses on a screen of
 * its own whose input and output are /dev/null, before the real one touches
 * the terminal. 1 usable, 0 not, -1 when TERM is not known at all.
 */
static int term_can_address(void)
{
    static int known = -2; /* asked once: term_check before the run, term_init after it */
    if (known != -2) return known;
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    int usable = -1;
    if (out && in) {
        SCREEN *probe = newterm(NULL, out, in);
        if (probe) {
            const char *cup = tigetstr("cup");
            usable = cup != NULL && cup != (char *)-1;
            delscreen(probe);
        }
    }
    if (out) fclose(out);
    if (in) fclose(in);
    return known = usable;
}

int term_check(char *err)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return ftl_error(err,
                         "the workbench needs a terminal; use 'ftlab train' for headless runs");
    const char *name = getenv("TERM");
    name = name ? name : "unset";
    int usable = term_can_address();
    if (usable == 0)
        return ftl_error(err, "TERM=%s cannot move the cursor; use 'ftlab train' for headless runs",
                         name);
    if (usable < 0)
        return ftl_error(
            err, "cannot start the terminal (TERM=%s); use 'ftlab train' for headless runs", name);
    return 0;
}

int term_init(enum display_theme theme, enum display_symbols symbols, char *err)
{
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    static bool registered;

    setlocale(LC_ALL, "");
    term.utf8 = locale_is_utf8();
    if (term_check(err) != 0) return -1;
    const char *name = getenv("TERM");
    SCREEN *s = newterm(NULL, stdout, stdin);
    if (!s)
        return ftl_error(err,
                         "cannot start the terminal (TERM=%s); use 'ftlab train' for headless runs",
                         name ? name : "unset");
    set_term(s);
    term.active = true;
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    curs_set(0);
#ifdef NCURSES_VERSION
    set_escdelay(25); /* Esc answers at once; escape sequences arrive faster than this */
#endif
    init_colors(theme);
    term.symbols = symbols;
    hold_stderr();
    if (!registered) {
        atexit(end_at_exit);
        registered = true;
    }
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], on_fatal_signal);
    return 0;
}

void term_end(void)
{
    if (term.active) {
        curs_set(1);
        endwin();
        term.active = false;
    }
    release_stderr();
    if (term.held) {
        fclose(term.held);
        term.held = NULL;
    }
}

attr_t term_attr(enum term_color c)
{
    if ((int)c < 0 || (int)c >= TC_COUNT) c = TC_DEFAULT;
    const struct term_look *l = looks();
    if (term.scheme == TERM_MONO) return l[c].attrs;
    if (c == TC_DEFAULT) return l[c].attrs | (term.light ? (attr_t)COLOR_PAIR(DEFAULT_PAIR) : 0);
    return l[c].attrs | (attr_t)COLOR_PAIR(c);
}

attr_t term_attr_halves(int upper, int lower)
{
    if (!term.halves || upper < 0 || upper >= TC_HEAT_N || lower < 0 || lower >= TC_HEAT_N)
        return term_attr((enum term_color)(TC_HEAT0 + (upper < 0 ? 0 : upper % TC_HEAT_N)));
    return (attr_t)COLOR_PAIR(halves_pair(upper, lower));
}

enum term_scheme term_scheme(void)
{
    return term.scheme;
}

bool term_utf8(void)
{
    return term.active || term.headless ? term.utf8 : locale_is_utf8();
}

struct term_look term_look(enum term_scheme scheme, enum term_color c)
{
    if ((int)c < 0 || (int)c >= TC_COUNT) c = TC_DEFAULT;
    struct term_look l = looks_of(scheme)[c];
    /* Mono has attributes only; TC_DEFAULT is drawn without a pair (term_attr). */
    if (scheme == TERM_MONO || c == TC_DEFAULT) l.fg = l.bg = -1;
    return l;
}

void term_headless(enum term_scheme scheme, bool utf8)
{
    term.headless = true;
    term.scheme = scheme;
    term.utf8 = utf8;
    term.halves = scheme != TERM_MONO;
}

unsigned term_caps(void)
{
    unsigned caps = 0;
    if (term_utf8() && term.symbols != DISPLAY_SYMBOLS_ASCII) caps |= CANVAS_UTF8;
    if (term.symbols == DISPLAY_SYMBOLS_BLOCK) caps |= CANVAS_QUADS;
    if (term.scheme != TERM_MONO) caps |= CANVAS_COLOR;
    if (term.halves && term.scheme != TERM_MONO) caps |= CANVAS_HALVES;
    return caps;
}
