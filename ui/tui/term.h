/*
 * term — owns the terminal, as htop's CRT.c does: start and restore curses,
 * hold stderr back while the screen is up, and give every colour a meaning.
 *
 * Widgets name what a cell means (TC_AXIS, TC_SERIES2, TC_HEAT5); this file
 * alone decides how each meaning looks, in one table per theme and scheme:
 *   dark, 256 colours   Okabe-Ito (colour-blind safe) series, a viridis-like heat
 *                       ramp, on the terminal's own background;
 *   dark, 8 colours     basic colours, the heat ramp ordered by luminance;
 *   light, 256 / 8      dark text on white, and every cell's background set (a
 *                       projector or a light terminal shows no black cell): the
 *                       series darkened to read on white, the heat ramp running
 *                       from light (few) to dark (many), so the cells that count
 *                       stand out from the page as the bright ones do on black;
 *   monochrome          attributes only (bold, dim, reverse, underline): the mono
 *                       theme, or when NO_COLOR is set to a non-empty value
 *                       (no-color.org) and no theme was chosen, or when the
 *                       terminal has no colours.
 * Nothing else calls init_pair.
 */
#ifndef FTLAB_TERM_H
#define FTLAB_TERM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <curses.h>
#include <stdbool.h>

#include "display.h"

enum term_color {
    TC_DEFAULT,
    TC_TITLE,      /* panel titles */
    TC_BORDER,     /* frames and separators */
    TC_AXIS,       /* chart axes and ticks */
    TC_LABEL,      /* axis values, row and column headers */
    TC_DIM,        /* secondary text: hints, "no data" */
    TC_STATUS,     /* the status line */
    TC_STATUS_KEY, /* key names in the status line */
    TC_GOOD,
    TC_WARN,
    TC_ERROR,
    TC_SERIES0, /* chart series, in drawing order */
    TC_SERIES1,
    TC_SERIES2,
    TC_SERIES3,
    TC_SERIES4,
    TC_SERIES5,
    TC_MARKER, /* vertical event lines on charts and their labels */
    TC_GHOST0, /* other runs and left lines, faint beneath the live curves */
    TC_GHOST1,
    TC_GHOST2,
    TC_GHOST3,
    TC_HEAT0, /* heatmap ramp, low to high: background colour with readable text */
    TC_HEAT1,
    TC_HEAT2,
    TC_HEAT3,
    TC_HEAT4,
    TC_HEAT5,
    TC_HEAT6,
    TC_HEAT7,
    TC_COUNT
};
#define TC_SERIES_N 6
#define TC_HEAT_N 8

enum term_scheme { TERM_MONO, TERM_COLOR8, TERM_COLOR256 };

/*
 * Sets the locale from the environment, starts curses on stdout (cbreak,
 * noecho, keypad, no cursor; input stays blocking: the caller polls), picks
 * the colour scheme for theme (the light theme falls back to mono on a
 * terminal without colours), remembers symbols for term_caps(), and sends
 * stderr to a temporary file until term_end().
 * Restores the terminal at exit() and on crash signals (SEGV, BUS, FPE, ILL,
 * ABRT); SIGINT/SIGTERM/SIGHUP are left to the caller. Returns 0, or -1 with
 * a message in err (FTL_ERRLEN bytes) when there is no usable terminal.
 */
int term_init(enum display_theme theme, enum display_symbols symbols, char *err);
/* term_init's checks alone, touching nothing: stdin and stdout are a terminal that curses
 * knows and can move the cursor on. 0, or -1 with the reason in err (FTL_ERRLEN bytes). */
int term_check(char *err);
/* Restores the terminal and replays the held-back stderr. Safe to call twice. */
void term_end(void);

/* The attributes (colour pair included) that show meaning c in this scheme. */
attr_t term_attr(enum term_color c);
/* '▀' cells: foreground heat step upper over background heat step lower (0..7). */
attr_t term_attr_halves(int upper, int lower);

enum term_scheme term_scheme(void);
/* Whether the locale's codeset is UTF-8 (braille and blocks allowed). */
bool term_utf8(void);

/*
 * How meaning c looks in a scheme, from the same tables curses is given:
 * colours (-1: the terminal's default; 0..7 in TERM_COLOR8, 0..255 in
 * TERM_COLOR256; always -1 in TERM_MONO) and attributes (A_BOLD, A_DIM,
 * A_REVERSE, A_UNDERLINE). Needs no terminal: a recording (cast.h) writes
 * these looks as SGR codes.
 */
struct term_look {
    short fg, bg;
    attr_t attrs;
};
struct term_look term_look(enum term_scheme scheme, enum term_color c);

/*
 * A screen without a terminal (`ftlab replay --render`): term_scheme(),
 * term_utf8() and term_caps() report this scheme and UTF-8 choice, with '▀'
 * pairs for every heat step, and curses is never started. Not after term_init.
 */
void term_headless(enum term_scheme scheme, bool utf8);
/* CANVAS_* flags for canvases that will be blitted to this terminal: what it can
 * show, narrowed by the symbols term_init was given (ascii: no CANVAS_UTF8;
 * block: CANVAS_QUADS). */
unsigned term_caps(void);

#endif
