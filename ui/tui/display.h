/*
 * display — how the terminal views look, as a person prefers them: the
 * theme, the chart symbols, the workbench's opening smoothing and y scale.
 * Read from $XDG_CONFIG_HOME/ftlab/config (default ~/.config/ftlab/config),
 * then overridden by --theme and --symbols; the workbench and `tui --follow`
 * both take the result. No curses here: the parser is fuzzed on its own.
 *
 * The file: one "key value" a line; '#' starts a comment (a whole line or
 * the rest of one); blank lines are fine. Keys:
 *   theme      dark (default), light or mono
 *   symbols    braille (default), block or ascii: how charts draw their dots
 *   smoothing  one of the workbench's levels: 0 0.6 0.8 (default) 0.9 0.95 0.98
 *   log_scale  on (default) or off: the loss chart's y axis
 *   mouse      on or off (default): clicks on Figure 2 pin "what the network sees" to
 *              that digit and unit; the wheel zooms the curves' x window
 * An unknown key is an error (a typo would otherwise be ignored in silence),
 * and so is a key given twice. A missing file is no error: the defaults hold.
 */
#ifndef FTLAB_DISPLAY_H
#define FTLAB_DISPLAY_H

#include <stddef.h>

enum display_theme {
    DISPLAY_THEME_AUTO,  /* dark, or mono when NO_COLOR is set: nothing was chosen */
    DISPLAY_THEME_DARK,  /* light text on the terminal's own (dark) background */
    DISPLAY_THEME_LIGHT, /* dark text on a white background painted on every cell */
    DISPLAY_THEME_MONO,  /* attributes only: bold, dim, reverse, underline */
};

enum display_symbols {
    DISPLAY_SYMBOLS_BRAILLE, /* braille dots, 2 x 4 a cell */
    DISPLAY_SYMBOLS_BLOCK,   /* quadrant blocks, 2 x 2 a cell */
    DISPLAY_SYMBOLS_ASCII,   /* ASCII only: a mark per series, '|' axes, ASCII shades */
};

struct display_settings {
    enum display_theme theme;
    enum display_symbols symbols;
    int smooth; /* index into display_smoothing[] */
    int log_y;  /* the loss chart opens on a log10 y axis */
    int mouse;  /* the workbench takes mouse events (opt-in: it keeps the terminal's selection) */
};

/* The smoothing levels the workbench's { } keys step through (EMA weight of the past). */
extern const double display_smoothing[];
#define DISPLAY_NSMOOTH 6

/* The defaults: auto theme, braille, smoothing 0.8, log scale on, mouse off. */
void display_defaults(struct display_settings *d);

/* "dark" -> DISPLAY_THEME_DARK ...; -1 for any other name (auto has no name). */
int display_theme_from_name(const char *s);
int display_symbols_from_name(const char *s);
const char *display_theme_name(enum display_theme t);
const char *display_symbols_name(enum display_symbols s);

/*
 * Parses a config file's text (size bytes, not NUL-terminated; NUL bytes are
 * an error) named name in messages, into *d, which holds the values to start
 * from: only keys the text gives change. 0, or -1 with "NAME:LINE: problem"
 * in err (FTL_ERRLEN bytes) and *d unchanged.
 */
int display_parse(const char *text, size_t size, const char *name, struct display_settings *d,
                  char *err);

/*
 * The config file's path (a new string): $XDG_CONFIG_HOME/ftlab/config, or
 * $HOME/.config/ftlab/config when XDG_CONFIG_HOME is unset, empty or relative
 * (as the XDG spec asks); NULL when neither gives an absolute folder.
 */
char *display_config_path(void);

/*
 * Reads path (NULL: display_config_path()) into *d. A file that does not
 * exist leaves *d alone and is no error. 0, or -1 with "PATH:LINE: problem"
 * or "PATH: why it cannot be read" in err.
 */
int display_load(const char *path, struct display_settings *d, char *err);

#endif
