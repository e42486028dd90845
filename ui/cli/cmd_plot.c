/* `ftlab plot` — a run's figures, or several runs compared, through gnuplot (plots/). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figures.h"
#include "run.h"
#include "util.h"

/* Draws each figure of one run; a figure whose input is missing is skipped with a note. */
static int draw_run(const char *run_dir, const char *out, enum gp_format fmt)
{
    int drawn = 0, failed = 0;
    char err[FTL_ERRLEN], said[FTL_ERRLEN] = "";
    for (const struct plot_run_figure *f = plot_run_figures; f->name; f++) {
        int rc = f->draw(run_dir, out, fmt, err);
        /* Figures read the same config: one unreadable file is reported once, not per figure. */
        if (rc != 0 && rc != PLOT_SKIPPED && strcmp(err, said) == 0) {
            failed++;
            continue;
        }
        if (rc != 0 && rc != PLOT_SKIPPED) snprintf(said, sizeof said, "%s", err);
        if (rc == 0) {
            char *path = gp_output_path(out, f->name, fmt);
            printf("%s\n", path);
            free(path);
            drawn++;
        } else if (rc == PLOT_SKIPPED) {
            fprintf(stderr, "ftlab plot: no %s figure: %s\n", f->name, err);
        } else {
            cli_fail("%s", err);
            failed++;
        }
    }
    if (failed) return EXIT_FAIL;
    if (!drawn) return cli_fail("%s: nothing to draw yet", run_dir);
    return EXIT_OK;
}

static int draw_compare(const char *const *runs, int n, const char *out, enum gp_format fmt)
{
    int (*const draw[])(const char *const *, int, const char *, enum gp_format,
                        char *) = {plot_compare_actmap, plot_compare_loss};
    const char *const names[] = {"compare-actmap", "compare-loss"};
    char err[FTL_ERRLEN];
    int failed = 0;
    for (int i = 0; i < 2; i++) {
        int rc = draw[i](runs, n, out, fmt, err);
        if (rc == 0) {
            char *path = gp_output_path(out, names[i], fmt);
            printf("%s\n", path);
            free(path);
        } else {
            cli_fail("%s", err);
            failed++;
        }
    }
    return failed ? EXIT_FAIL : EXIT_OK;
}

/* A run directory is a folder with a config file. */
static int check_run(const char *dir)
{
    char *config = run_path(dir, "config");
    int ok = ftl_is_dir(dir) && ftl_is_file(config);
    free(config);
    if (!ok) return cli_fail("%s: not a run directory (no config file)", dir);
    return EXIT_OK;
}

static int cmd_plot(int argc, char **argv);

const struct cli_cmd cmd_plot_entry = {
    "plot",
    "RUN_DIR [--format png|svg|pdf] [--out DIR] | --compare RUN_A RUN_B ... [--format F] [--out "
    "DIR]",
    "draw a run's figures through gnuplot (loss, Figure 2, clusters), or compare runs",
    "  Writes DIR/loss.EXT (every loss term over the steps, log scale, the journal's\n"
    "  loss, lambda, margin and lr changes marked), DIR/actmap.EXT (the paper's\n"
    "  Figure 2: the most active unit of each test sequence, counted per digit) and\n"
    "  DIR/clusters.EXT (KMeans clusters x digits of the last 'ftlab eval'). A figure\n"
    "  whose input is not there yet is skipped with a note. Beside each image:\n"
    "  the script that drew it, NAME.gp for png and NAME-svg.gp / NAME-pdf.gp for\n"
    "  svg / pdf (edit it, then run 'gnuplot NAME.gp' in DIR), and NAME.dat, its data.\n"
    "  --compare      draw RUN_A RUN_B ... (2 to 8 runs) side by side instead:\n"
    "                 compare-actmap (Figure 2 panels on one colour scale) and\n"
    "                 compare-loss (the task losses overlaid)\n"
    "  --format F     png (300 dpi, default), svg or pdf; sized for a paper's column\n"
    "  --out DIR      where the figures go (default RUN_DIR/figures, or\n"
    "                 ./figures-compare with --compare)\n"
    "  Environment: FTLAB_GNUPLOT, the gnuplot program (default: gnuplot on PATH);\n"
    "  FTLAB_GNUPLOT_TIMEOUT, seconds before gnuplot is stopped (default 30; a value\n"
    "  that is not a number of seconds above 0 is refused).\n",
    cmd_plot};

static int cmd_plot(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_plot_entry;
    static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"compare", no_argument, NULL, 'c'},
                                       {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int compare = 0, fmt = GP_PNG, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            if ((fmt = gp_format_from_name(optarg)) < 0)
                return cli_usage_error(self, "--format must be png, svg or pdf");
            break;
        case 'o':
            out = optarg;
            break;
        case 'c':
            compare = 1;
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    int nruns = argc - optind;
    if (compare && nruns < 2)
        return cli_usage_error(self, "--compare needs two or more run directories");
    if (compare && nruns > 8) return cli_usage_error(self, "--compare draws at most 8 runs");
    if (!compare && nruns != 1)
        return cli_usage_error(self, "needs one run directory (or --compare RUN_A RUN_B ...)");
    for (int i = optind; i < argc; i++)
        if (check_run(argv[i]) != EXIT_OK) return EXIT_FAIL;
    char err[FTL_ERRLEN];
    if (gp_available(err) != 0) return cli_fail("%s", err);
    if (compare)
        return draw_compare((const char *const *)argv + optind, nruns,
                            out ? out : "figures-compare", (enum gp_format)fmt);
    char *figures = out ? xstrdup(out) : run_path(argv[optind], "figures");
    int rc = draw_run(argv[optind], figures, (enum gp_format)fmt);
    free(figures);
    return rc;
}
