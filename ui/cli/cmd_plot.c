/* `ftlab plot` — a run's figures, or several runs compared, through gnuplot (plots/). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "evolution.h"
#include "figures.h"
#include "run.h"
#include "util.h"

/* The files a figure made, one per line: the image, or the .tex and its .pdf; on stderr,
 * what of it did not fit o's size (the draw loops empty the note before each figure). */
static void print_output(const char *out, const char *name, const struct plot_opts *o)
{
    char *path = gp_output_path(out, name, o->fmt);
    printf("%s\n", path);
    free(path);
    plot_say_cramped("ftlab plot", out, name, o);
    if (o->fmt == GP_TEX) {
        path = gp_output_path(out, name, GP_PDF);
        printf("%s\n", path);
        free(path);
    }
}

/* Draws each figure of one run in figures (plot_run_figures, or plot_hist_figures for
 * --histograms); a figure whose input is missing is skipped with a note. */
static int draw_run(const char *run_dir, const char *out, const struct plot_opts *o,
                    const struct plot_run_figure *figures)
{
    int drawn = 0, failed = 0;
    char err[FTL_ERRLEN], said[FTL_ERRLEN] = "";
    for (const struct plot_run_figure *f = figures; f->name; f++) {
        if (o->cramped) o->cramped[0] = '\0'; /* a figure that was not drawn says nothing */
        int rc = f->draw(run_dir, out, o, err);
        /* Figures read the same config: one unreadable file is reported once, not per figure. */
        if (rc != 0 && rc != PLOT_SKIPPED && strcmp(err, said) == 0) {
            failed++;
            continue;
        }
        if (rc != 0 && rc != PLOT_SKIPPED) snprintf(said, sizeof said, "%s", err);
        if (rc == 0) {
            print_output(out, f->name, o);
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

static int draw_compare(const char *const *runs, int n, const char *out, const struct plot_opts *o)
{
    int (*const draw[])(const char *const *, int, const char *, const struct plot_opts *,
                        char *) = {plot_compare_actmap, plot_compare_loss};
    const char *const names[] = {"compare-actmap", "compare-loss"};
    char err[FTL_ERRLEN];
    int failed = 0;
    for (int i = 0; i < 2; i++) {
        if (o->cramped) o->cramped[0] = '\0';
        int rc = draw[i](runs, n, out, o, err);
        if (rc == 0) {
            print_output(out, names[i], o);
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

/* The Figure 2 options that only make sense together: one line saying which is amiss. */
static int check_figure2_options(const struct cli_cmd *self, const struct plot_opts *o, int compare,
                                 int evolution, int at, const struct evolution_opts *ev)
{
    if (o->order_from && !compare)
        return cli_usage_error(self, "--order-from RUN needs --compare (it orders their panels)");
    if (o->order_from && o->order != PLOT_ORDER_DIGIT)
        return cli_usage_error(self, "--order-from RUN needs --order digit (whose order to take)");
    if (evolution && compare)
        return cli_usage_error(self, "--evolution draws one run: not with --compare");
    if (!evolution && (at || ev->data.dir || ev->data.sample))
        return cli_usage_error(self, "--at, --at-unit, --data and --sample need --evolution");
    if (ev->data.dir && ev->data.sample)
        return cli_usage_error(self, "--data and --sample both name the data: give one");
    return EXIT_OK;
}

static int cmd_plot(int argc, char **argv);

const struct cli_cmd cmd_plot_entry = {
    "plot",
    "RUN_DIR [--format png|svg|pdf|tex] [--out DIR] [SIZE] [FIGURE 2] | RUN_DIR --histograms "
    "[--format F] [--out DIR] [SIZE] | --compare RUN_A RUN_B ... [--format F] [--out DIR] [SIZE] "
    "[FIGURE 2] | RUN_DIR --evolution [--at LIST] [--at-unit epoch|step] [--data DIR | --sample]",
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
    "  FIGURE 2 (actmap, compare-actmap, evolution):\n"
    "  --order digit  units sorted by the digit they win most often, then by that\n"
    "                 count, most first (a tie between digits: the lower); idle units\n"
    "                 last. A disentangled layer reads as a block diagonal; the y\n"
    "                 labels keep the unit numbers. --order unit: the default\n"
    "  --hide-dead    leave out the units that win no test sequence (the subtitle\n"
    "                 says how many)\n"
    "  --normalize digit  each digit's column as fractions of its test sequences\n"
    "                 (colour scale 0..1)\n"
    "  --order-from RUN   with --compare and --order digit: every panel in RUN's\n"
    "                 order (a compared run or another, as many units; with\n"
    "                 --hide-dead, the units idle in every panel go); without it\n"
    "                 each panel has its own\n"
    "  --evolution    draw DIR/evolution.EXT instead: Figure 2 at several\n"
    "                 checkpoints, one colour scale, AMI_max (the first k) under\n"
    "                 each, units in the last panel's order. A checkpoint without a\n"
    "                 Figure 2 table is evaluated first, as 'ftlab eval CKPT' does\n"
    "  --at LIST      epochs to draw, 0,1,3,10 (0: initial.ckpt); default: every\n"
    "                 epoch checkpoint, at most 8 evenly chosen\n"
    "  --at-unit U    epoch (default) or step: LIST as steps of any checkpoints\n"
    "  --data DIR | --sample  evaluate on these, not the run's own data\n"
    "  --format F     png (300 dpi, default), svg, pdf (fonts embedded) or tex:\n"
    "                 gnuplot's cairolatex pair, NAME.tex over NAME.pdf, so the\n"
    "                 labels are set by the paper's LaTeX in its font family, at\n"
    "                 --font-size (\\input{NAME.tex}; it writes NAME.pdf, so keep\n"
    "                 it apart from --format pdf's)\n"
    "  --histograms   draw each unit's activations per digit instead (from the\n"
    "                 acthist.csv and actmean.csv of 'ftlab eval'): histograms\n"
    "                 (a panel per unit that is not dead: its ten digits'\n"
    "                 histograms as ridges, digit 0 on top, on one x range for\n"
    "                 all; a ridge's height is the share of the digit's sequences\n"
    "                 per bin, one scale per unit, the bin holding 0 clipped; the\n"
    "                 dead units, constant over the test split, listed under\n"
    "                 them) and actmean (units x digits, each unit's mean per\n"
    "                 digit over its largest: Figure 2's companion)\n"
    "  --out DIR      where the figures go (default RUN_DIR/figures, or\n"
    "                 ./figures-compare with --compare)\n"
    "  SIZE: a figure is a paper's column wide (3.5 in) at 8 pt unless asked\n"
    "  (Figure 2's panels are 1.85 in each, in rows of up to four):\n"
    "  --width W      a length (3.5in, 8.9cm, 85mm, 252pt in TeX points, 252bp;\n"
    "                 a bare number is inches) or a preset: column, page,\n"
    "                 icml-column, icml-text, neurips-text, iclr-text, acl-column,\n"
    "                 acl-text, ieee-column, ieee-text (the venues' \\columnwidth\n"
    "                 and \\textwidth; NeurIPS and ICLR have -column too, = text)\n"
    "  --height H     a length; or --aspect W:H (or one number, width/height).\n"
    "                 Neither: the figure's own height. The PDF's page is W x H\n"
    "                 exactly, so \\includegraphics needs no scaling\n"
    "  --font-size P  text size in points (default 8)\n"
    "  --font NAME    the font family (default Helvetica; fontconfig picks the\n"
    "                 nearest installed one)\n"
    "  Panels of Figure 2 (compare-actmap, evolution) go as many a row as the\n"
    "  width leaves about 0.75 in per 8 pt for (a column at 10 pt: one), and\n"
    "  titles that do not fit wrap: the figure grows taller. For a column,\n"
    "  draw fewer points (--at) or --hide-dead. A size too small for what a\n"
    "  figure holds still draws it, with a note on stderr of what runs together\n"
    "  Environment: FTLAB_GNUPLOT, the gnuplot program (default: gnuplot on PATH);\n"
    "  FTLAB_GNUPLOT_TIMEOUT, seconds before gnuplot is stopped (default 30; a value\n"
    "  that is not a number of seconds above 0 is refused).\n",
    cmd_plot};

static int cmd_plot(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_plot_entry;
    static const struct option lo[] = {{"out", required_argument, NULL, 'o'},
                                       {"compare", no_argument, NULL, 'c'},
                                       /* Figure 2: order, idle units, shares, over time */
                                       {"order", required_argument, NULL, 'O'},
                                       {"hide-dead", no_argument, NULL, 'D'},
                                       {"normalize", required_argument, NULL, 'N'},
                                       {"order-from", required_argument, NULL, 'R'},
                                       {"evolution", no_argument, NULL, 'E'},
                                       {"at", required_argument, NULL, 'A'},
                                       {"at-unit", required_argument, NULL, 'U'},
                                       {"data", required_argument, NULL, 'd'},
                                       {"sample", no_argument, NULL, 'S'},
                                       {"histograms", no_argument, NULL, 'G'},
                                       CLI_FIGURE_OPTIONS,
                                       {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int compare = 0, histograms = 0, c;
    struct evolution_opts ev = {0};
    const char *at = NULL;
    int evolution = 0, at_unit = 0;
    struct plot_opts o = plot_opts_default(GP_PNG);
    char cramped[FTL_ERRLEN] = "";
    o.cramped = cramped;
    char err[FTL_ERRLEN];
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        int fig = cli_figure_option(self, c, optarg, &o);
        if (fig != -1) {
            if (fig != EXIT_OK) return fig;
            continue;
        }
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'c':
            compare = 1;
            break;
        case 'O':
            if (strcmp(optarg, "digit") != 0 && strcmp(optarg, "unit") != 0)
                return cli_usage_error(self, "--order must be digit or unit, not '%s'", optarg);
            o.order = strcmp(optarg, "digit") == 0 ? PLOT_ORDER_DIGIT : PLOT_ORDER_UNIT;
            break;
        case 'D':
            o.hide_dead = 1;
            break;
        case 'N':
            if (strcmp(optarg, "digit") != 0)
                return cli_usage_error(self, "--normalize must be digit, not '%s'", optarg);
            o.normalize = 1;
            break;
        case 'R':
            o.order_from = optarg;
            break;
        case 'E':
            evolution = 1;
            break;
        case 'A':
            at = optarg;
            if (evolution_parse_at(optarg, &ev) != 0)
                return cli_usage_error(self,
                                       "--at needs 1 to %d increasing numbers like 0,1,3,10, "
                                       "not '%s'",
                                       EVOLUTION_MAX_AT, optarg);
            break;
        case 'U':
            if (strcmp(optarg, "epoch") != 0 && strcmp(optarg, "step") != 0)
                return cli_usage_error(self, "--at-unit must be epoch or step, not '%s'", optarg);
            ev.steps = strcmp(optarg, "step") == 0;
            at_unit = 1;
            break;
        case 'd':
            ev.data.dir = optarg;
            break;
        case 'S':
            ev.data.sample = 1;
            break;
        case 'G':
            histograms = 1;
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    if (cli_figure_check(self, &o) != EXIT_OK) return EXIT_USAGE;
    if (check_figure2_options(self, &o, compare, evolution, at || at_unit, &ev) != EXIT_OK)
        return EXIT_USAGE;
    int nruns = argc - optind;
    if (compare && histograms)
        return cli_usage_error(self, "--histograms draws one run: not with --compare");
    if (evolution && histograms)
        return cli_usage_error(self, "--histograms and --evolution are two figures: give one");
    if (compare && nruns < 2)
        return cli_usage_error(self, "--compare needs two or more run directories");
    if (compare && nruns > 8) return cli_usage_error(self, "--compare draws at most 8 runs");
    if (!compare && nruns != 1)
        return cli_usage_error(self, "needs one run directory (or --compare RUN_A RUN_B ...)");
    for (int i = optind; i < argc; i++)
        if (check_run(argv[i]) != EXIT_OK) return EXIT_FAIL;
    if (gp_available(err) != 0) return cli_fail("%s", err);
    if (o.order_from && check_run(o.order_from) != EXIT_OK) return EXIT_FAIL;
    if (compare)
        return draw_compare((const char *const *)argv + optind, nruns,
                            out ? out : "figures-compare", &o);
    char *figures = out ? xstrdup(out) : run_path(argv[optind], "figures");
    int rc = evolution ? evolution_plot(argv[optind], &ev, figures, &o)
                       : draw_run(argv[optind], figures, &o,
                                  histograms ? plot_hist_figures : plot_run_figures);
    if (evolution && rc == EXIT_OK) print_output(figures, "evolution", &o);
    free(figures);
    return rc;
}
