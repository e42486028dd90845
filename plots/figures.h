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

// ---- how a figure is drawn: format, size, fonts, Figure 2's order ----

/* The order of Figure 2's rows. */
enum plot_order {
    PLOT_ORDER_UNIT,  /* unit 0 first */
    PLOT_ORDER_DIGIT, /* by the digit each unit wins most often, then by that count (most
                       * first): a disentangled layer reads as a block diagonal */
};

struct plot_opts {
    enum gp_format fmt;
    double width;     /* inches; 0: the figure's own (a paper's column, 3.5 in, for most) */
    double height;    /* inches; 0: width / aspect when aspect > 0, else the figure's own */
    double aspect;    /* width / height; 0: none */
    double font_pt;   /* text size in points; 0: GP_FONT_PT (8) */
    const char *font; /* family; NULL: GP_FONT */
    /* Figure 2 (actmap, compare-actmap, evolution) */
    enum plot_order order;
    int hide_dead; /* drop the units no test sequence picks */
    int normalize; /* each digit's column as fractions of that digit's sequences */
    const char
        *order_from; /* a run whose Figure 2 orders the units (compare); NULL: each its own */
    /* FTL_ERRLEN bytes, or NULL: where a figure says, in one line, what of it does not fit
     * the size asked (words or numbers that run together); left as it is when all fits */
    char *cramped;
};

/* PNG at the figure's own size and font, units in order: what `ftlab plot` draws by default. */
struct plot_opts plot_opts_default(enum gp_format fmt);
/* When the figure `name` just drawn into out said what of it does not fit (o->cramped), says
 * so on stderr, "WHO: note: PATH: ...". The caller empties the note before each figure. */
void plot_say_cramped(const char *who, const char *out, const char *name,
                      const struct plot_opts *o);

/*
 * A width or height: a number with a unit, "3.5in", "8.9cm", "85mm", "252pt"
 * (TeX points, 72.27 to the inch, as \columnwidth prints them), "252bp"
 * (PostScript points); a bare number is inches; or, for a width only
 * (presets non-zero), a preset of plot_width_presets: "column", "page",
 * "icml-column", .... In (0.5, 40) inches. 0 and *inches, or -1 and err
 * ("--width: 'x' is not a length: ...").
 */
int plot_parse_length(const char *s, int presets, double *inches, char *err);
/* An aspect ratio "W:H" or "W/H" or one number (width / height), in (0.05, 20). */
int plot_parse_aspect(const char *s, double *aspect, char *err);

/* The named widths, from the venues' style files (ends with a NULL name). */
struct plot_width_preset {
    const char *name;
    double inches;
    const char *what; /* "ICML \columnwidth (icml2025.sty: 234.8775pt)" */
};
extern const struct plot_width_preset plot_width_presets[];

// ---- one run ----

/* "loss": every loss term over the steps (metrics.csv), log y, the journal's changes marked. */
int plot_loss(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err);
/* "actmap": the paper's Figure 2 (actmap.csv): units x digits, counts annotated. */
int plot_actmap(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err);
/* "clusters": clusters x digits of the last evaluation (clusters.csv, eval.csv). */
int plot_clusters(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err);

/* The figures of one run, for `ftlab plot` and the workbench's export key. */
struct plot_run_figure {
    const char *name; /* file stem, as gp_output_path() wants it */
    int (*draw)(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err);
};
extern const struct plot_run_figure plot_run_figures[]; /* ends with a NULL name */

// ---- one run: each unit's activation per digit (acthist.csv, actmean.csv) ----

/*
 * "histograms": a small panel per active unit, its ten digits' activation
 * histograms stacked as ridges (digit 0 at the top, each scaled to its own
 * peak) on the range all units share; the dead (constant) units listed
 * under the panels instead. Reads acthist.csv and actmean.csv.
 */
int plot_histograms(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err);
/* "actmean": units x digits, each unit's mean activation per digit over its largest (actmean.csv):
 * the companion of Figure 2. */
int plot_actmean(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err);
/* histograms and actmean: what `ftlab plot --histograms` draws (ends with a NULL name). */
extern const struct plot_run_figure plot_hist_figures[];

// ---- several runs ----

/* "compare-actmap": the runs' Figure 2 panels side by side on one colour scale, each in its
 * own order (o->order), or every one in o->order_from's. */
int plot_compare_actmap(const char *const *run_dirs, int n, const char *out_dir,
                        const struct plot_opts *o, char *err);
/* "figure2": the paper's Figure 2 from four runs, in this order: binary task baseline and
 * proposed, autoencoder baseline and proposed (table1 draws it). */
int plot_figure2(const char *const run_dirs[4], const char *out_dir, const struct plot_opts *o,
                 char *err);

// ---- one run over time ----

/* A checkpoint of a run whose Figure 2 table has been made (ftlab eval). */
struct plot_evolution_point {
    const char *label; /* the panel's title: "epoch 3", "step 500" */
    const char *dir;   /* where its actmap.csv and eval.csv are */
};
/*
 * "evolution": Figure 2 of each point (1 to 8, in training order), small
 * multiples on one colour scale, AMI_max of eval.csv's first k under each;
 * the units in the last point's order, and hidden when idle in every panel.
 */
int plot_evolution(const char *run_dir, const struct plot_evolution_point *pts, int n,
                   const char *out_dir, const struct plot_opts *o, char *err);
/* "compare-loss": the runs' task losses overlaid. */
int plot_compare_loss(const char *const *run_dirs, int n, const char *out_dir,
                      const struct plot_opts *o, char *err);

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
int plot_table1(const struct plot_table1 *t, const char *out_dir, const struct plot_opts *o,
                char *err);

// ---- sweeps ----

#define PLOT_SWEEP_MAX_X 32
#define PLOT_SWEEP_MAX_LINES 16

/* One line of a sweep figure: AMI_max at each x, over the seeds of its point. */
struct plot_sweep_line {
    char title[128];
    int loss;                                             /* enum reg_kind: the line's colour */
    double mean[PLOT_SWEEP_MAX_X], std[PLOT_SWEEP_MAX_X]; /* NAN: nothing at that x */
    int runs[PLOT_SWEEP_MAX_X];                           /* seeds measured; > 1 draws a bar */
};

/* AMI_max against a swept option: a line per loss (and per value of the other swept options). */
struct plot_sweep {
    const char *name; /* file stem: "sweep" */
    char title[96];   /* "AMI_{max} at k = 10" (enhanced text) */
    char xlabel[64];  /* the option: "lambda" */
    int categorical;  /* x are names (the loss), drawn in order, unjoined */
    int nx;
    double x[PLOT_SWEEP_MAX_X];      /* the option's values, in the grid's order */
    char xtic[PLOT_SWEEP_MAX_X][32]; /* each as the option takes it */
    int nlines;
    struct plot_sweep_line line[PLOT_SWEEP_MAX_LINES];
};

/* No x, no lines, name "sweep", every mean and std NAN. */
void plot_sweep_init(struct plot_sweep *s);
/*
 * name: a line per plot_sweep_line, its mean at each x, error bars (the sample
 * std) where a point has two seeds or more; x on a log scale when every x is
 * positive and they span a factor of 10 or more (λ, the learning rate).
 */
int plot_sweep(const struct plot_sweep *s, const char *out_dir, const struct plot_opts *o,
               char *err);

#endif
