/*
 * gnuplot — the one place that talks to gnuplot: the terminal settings of
 * each output format, a child process fed a script through a pipe, and
 * figures written as NAME.gp + NAME.dat + NAME.EXT side by side (NAME-svg.gp,
 * NAME-pdf.gp: the scripts of the svg and pdf images).
 *
 * gnuplot is found on PATH; $FTLAB_GNUPLOT names another program (tests use
 * fakes). Nothing here installs signal handlers or touches global state, so
 * the workbench may draw from a background thread -- one figure of a given
 * name at a time, since NAME.gp and NAME.dat go through util.h's atomic
 * files, whose temporary name is per process. The child is waited for by
 * its pid, so SIGCHLD must not be set to SIG_IGN (which reaps it early).
 *
 * Errors follow util.h: -1 and one line in err, starting with the image's
 * path: "figs/loss.png: gnuplot: loss.gp line 12: undefined variable: foo".
 */
#ifndef FTLAB_GNUPLOT_H
#define FTLAB_GNUPLOT_H

#include <stddef.h>
#include <stdio.h>

/* GP_TEX: gnuplot's cairolatex pair, NAME.tex (the text, typeset by the paper's LaTeX) over
 * NAME.pdf (the graphics); \input{NAME.tex} places both. */
enum gp_format { GP_PNG, GP_SVG, GP_PDF, GP_TEX, GP_FORMAT_COUNT };

/* "png", "svg", "pdf", "tex" (also the file extensions) -> the format, or -1. */
int gp_format_from_name(const char *s);
const char *gp_format_name(enum gp_format f);

/*
 * 0 when the gnuplot program (gnuplot on PATH, or $FTLAB_GNUPLOT) exists and
 * is executable and $FTLAB_GNUPLOT_TIMEOUT is valid (gp_timeout_check); else
 * -1 and why, with how to install it. A check worth
 * making before drawing several figures, so the reason is said once.
 */
int gp_available(char *err);

#define GP_TIMEOUT_DEFAULT 30.0 /* seconds */

/* Stops every gnuplot this process runs now or later (the workbench quitting mid-export). */
void gp_cancel(void);

/* 0 when $FTLAB_GNUPLOT_TIMEOUT is unset, empty or a number of seconds in (0, 1e6); else -1
 * and why (gp_available and gp_render refuse such a value rather than ignore it). */
int gp_timeout_check(char *err);
/* $FTLAB_GNUPLOT_TIMEOUT (seconds, > 0) when set and valid, else GP_TIMEOUT_DEFAULT. */
double gp_timeout(void);

/*
 * Runs gnuplot on script (len bytes, fed through its stdin; its stdout goes
 * to /dev/null) and waits at most timeout seconds, after which gnuplot and
 * anything it started are killed. `label` begins every message (the image
 * path) and `script_name` replaces gnuplot's name for its input in error
 * lines. 0 when gnuplot exited 0 without reporting an error; -1 otherwise,
 * with gnuplot's first error line in err, or why it could not run.
 */
int gp_run(const char *script, size_t len, double timeout, const char *label,
           const char *script_name, char *err);

/* One inline data block: "$name << EOD" ... "EOD" in the script. */
struct gp_block {
    const char *name;    /* without the '$' */
    const char *comment; /* a line saying what the columns are */
    const char *text;    /* whitespace-separated rows, each ending in '\n' */
};

/* A figure: its print size, its data and the commands that draw it. */
struct gp_figure {
    const char *name;              /* file stem: "loss" -> loss.gp, loss.dat, loss.png */
    double width, height;          /* inches, at print size: the PDF's page box exactly */
    const struct gp_block *blocks; /* defined before body runs */
    int nblocks;
    const char *body; /* everything after the terminal, output and data */
    const char *font; /* the text's family; NULL: GP_FONT */
    double font_pt;   /* its size in points; 0: GP_FONT_PT */
};

#define GP_FONT "Helvetica"
#define GP_FONT_PT 8.0

/*
 * Writes OUT_DIR/NAME.gp for png, NAME-svg.gp / NAME-pdf.gp / NAME-tex.gp for the others (a
 * complete script: terminal, output, data inline, body -- "gnuplot NAME.gp" in
 * OUT_DIR redraws that very image, so a png's script survives drawing the svg)
 * and NAME.dat (the
 * same data blocks, for other tools), creating OUT_DIR if needed; then feeds
 * the same script to gnuplot with a temporary output name and renames the
 * image to OUT_DIR/NAME.EXT once gnuplot succeeded. On failure no image is
 * left (an older image of that name stays as it was); the .gp and .dat stay.
 * GP_TEX draws its pair in a temporary folder inside OUT_DIR and moves
 * NAME.pdf, then NAME.tex, into place.
 */
int gp_render(const struct gp_figure *f, const char *out_dir, enum gp_format fmt, char *err);

/* OUT_DIR/NAME.EXT as a new string. */
char *gp_output_path(const char *out_dir, const char *name, enum gp_format fmt);

/* Writes s as a gnuplot single-quoted string ('' stands for a quote). */
void gp_put_string(FILE *fp, const char *s);

#endif
