/*
 * figures — one function per figure. Each reads what it needs from run
 * directories (plotdata.h), and draws OUT_DIR/NAME.EXT through gnuplot with
 * NAME.gp and NAME.dat beside it (gnuplot.h), in the house style: sized for
 * a paper's column at print font sizes, Okabe-Ito line colours, a
 * colour-blind-safe sequential palette (ColorBrewer YlGnBu) for counts.
 *
 * Every function returns 0 when the figure was drawn, -1 on failure (err,
 * as in util.h), and the run figures PLOT_SKIPPED when their input does not
 * exist yet (err then says which file and the command that makes it).
 */
#ifndef FTLAB_FIGURES_H
#define FTLAB_FIGURES_H

#include "gnuplot.h"
#include "loss.h"

#define PLOT_SKIPPED 1

// ---- one run ----

/* "loss": every loss term over the steps (metrics.csv), log y, the journal's changes marked. */
int plot_loss(const char *run_dir, const char *out_dir, enum gp_format fmt, char *err);
/* "actmap": the paper's Figure 2 (actmap.csv): units x digits, counts annotated. */
int plot_actmap(const char *run_dir, const char *out_dir, enum gp_format fmt, char *err);
/* "clusters": clusters x digits of the last evaluation (clusters.csv, eval.csv). */
int plot_clusters(const char *run_dir, const char *out_dir, enum gp_format fmt, char *err);

/* The figures of one run, for `ftlab plot` and the workbench's export key. */
struct plot_run_figure {
    const char *name; /* file stem, as gp_output_path() wants it */
    int (*draw)(const char *run_dir, const char *out_dir, enum gp_format fmt, char *err);
};
extern const struct plot_run_figure plot_run_figures[]; /* ends with a NULL name */

// ---- several runs ----

/* "compare-actmap": the runs' Figure 2 panels side by side on one colour scale. */
int plot_compare_actmap(const char *const *run_dirs, int n, const char *out_dir, enum gp_format fmt,
                        char *err);
/* "compare-loss": the runs' task losses overlaid. */
int plot_compare_loss(const char *const *run_dirs, int n, const char *out_dir, enum gp_format fmt,
                      char *err);

// ---- Table 1 ----

#define PLOT_TABLE1_NK 3

/* AMI_max per loss and cluster count, measured and as the paper reports it. */
struct plot_table1 {
    const char *name;                        /* file stem */
    const char *title;                       /* e.g. "Binary task (classifier)" */
    int k[PLOT_TABLE1_NK];                   /* cluster counts: 9, 10, 11 */
    int runs[REG_COUNT];                     /* runs measured per loss; 0 draws no bar */
    double mean[REG_COUNT][PLOT_TABLE1_NK];  /* AMI_max, mean over the runs */
    double std[REG_COUNT][PLOT_TABLE1_NK];   /* its spread: an error bar when runs > 1 */
    double paper[REG_COUNT][PLOT_TABLE1_NK]; /* the arXiv paper's Table 1; NAN for none */
};

/* k = 9, 10, 11, the paper's values (SPEC.md §1.2b) for the classifier or the
 * autoencoder, no runs; name "table1" or "table1-autoencoder". */
void plot_table1_init(struct plot_table1 *t, int autoencoder);
/* name: grouped bars per cluster count, one per loss, error bars, the paper's values as markers. */
int plot_table1(const struct plot_table1 *t, const char *out_dir, enum gp_format fmt, char *err);

#endif
