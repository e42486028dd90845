/*
 * `ftlab sweep` — a grid over training options: every point (one value of
 * each option) at every seed trained and evaluated as table1 does, then
 * sweep.md, sweep.csv and figures/sweep.png (sweep.h). Locally (--jobs,
 * --shard), or as a Slurm job array (--slurm); --collect merges shards.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "figures.h"
#include "gnuplot.h"
#include "sweep.h"
#include "util.h"

static int cmd_sweep(int argc, char **argv);

const struct cli_cmd cmd_sweep_entry = {
    "sweep", "[GRID OPTIONS] [--out DIR] [--slurm [--dry-run]] | --collect [DIR]",
    "train and evaluate a grid of runs: AMI_max per point, mean +- std over seeds",
    "  Every option below that takes a LIST is an axis of the grid: a comma list\n"
    "  (--lambda 0.03,0.1,0.3,1), integers also as ranges (--hidden 64-66). Each\n"
    "  point (one value of every axis) trains at every seed as child processes\n"
    "  (train, then eval: KMeans, 10 restarts, on the test split), each into\n"
    "  DIR/runs/TASK-LOSS[-OPTIONvalue...]-runSEED, an option named there when it has\n"
    "  more than one value. Then DIR/sweep.md and DIR/sweep.csv (AMI_max and the\n"
    "  test metric per point and k, mean +- sample std over the seeds, the best\n"
    "  of each k in bold) and DIR/figures/sweep.png (AMI_max at the middle k\n"
    "  against the first swept option after the loss, a line per loss, error\n"
    "  bars over seeds). A re-run skips finished runs and resumes cut-off ones.\n"
    "  An axis a loss ignores (lambda for the baseline, the margin for all but\n"
    "  proposed) is not swept for it: the point trains once, shown with a dash.\n"
    "  --task LIST     classify,autoencode (default classify)\n"
    "  --loss LIST     baseline,decov,xcov,proposed (default baseline)\n"
    "  --lambda LIST   (default: each loss's own); or loss=X pairs, not swept:\n"
    "                  --lambda decov=1,proposed=0.1\n"
    "  --margin LIST   (default 5)       --lr LIST        (default 0.001)\n"
    "  --hidden LIST   (default 128)     --units LIST     (default 32)\n"
    "  --batch-size LIST (default 256)   --epochs LIST    (default 10)\n"
    "  --seeds LIST    seeds, e.g. 1-3 or 1,5,9 (default 1-3)\n"
    "  --k LIST        cluster counts (default 9,10,11)\n"
    "  --data DIR | --sample   the data (default: as 'train'); --limit N as 'train'\n"
    "  --quick         3 KMeans restarts; unless given: 1 seed, 2 epochs, 5000\n"
    "                  sequences, H=64\n"
    "  --jobs N        runs at once; BLAS threads are split between them\n"
    "  --shard I/N     only the runs numbered I-1 modulo N (point by point, seed\n"
    "                  by seed), for job arrays or GNU parallel\n"
    "  --out DIR       (default ./sweep)\n"
    "  --format F, --width W, --height H | --aspect W:H, --font-size P, --font NAME\n"
    "                  the figures' format (png, svg, pdf, tex) and size, as for\n"
    "                  'ftlab plot' (default png, a column 3.5 in wide, 8 pt)\n"
    "  --collect [DIR] merge DIR (default --out) and DIR/shards/*: write the\n"
    "                  tables of what finished; exit 1 naming the missing runs\n"
    "                  and the shards to run again\n"
    "  --slurm         write DIR/slurm/sweep.sbatch, a job array with a task per\n"
    "                  shard, each into DIR/shards/I, and submit it (sbatch)\n"
    "  --shards N      array tasks (default: one per run, at most 1000)\n"
    "  --slurm-opt KEY=VALUE  an sbatch option (repeatable): partition=, time=,\n"
    "                  account=, cpus-per-task= (default 2), mem=, ...\n"
    "  --dry-run       with --slurm: write the script, do not submit\n",
    cmd_sweep};

enum {
    O_SEEDS = 256,
    O_K,
    O_DATA,
    O_SAMPLE,
    O_LIMIT,
    O_QUICK,
    O_JOBS,
    O_SHARD,
    O_OUT,
    O_COLLECT,
    O_AXIS = 512 /* + enum sweep_axis */
};

/* The options: one per axis of sweep_axes (the table), then the rest; at most OPTIONS_CAP. */
#define OPTIONS_CAP (SWEEP_AXES + 40)
static void build_options(struct option *lo)
{
    static const struct option rest[] = {{"seeds", required_argument, NULL, O_SEEDS},
                                         {"k", required_argument, NULL, O_K},
                                         {"data", required_argument, NULL, O_DATA},
                                         {"sample", no_argument, NULL, O_SAMPLE},
                                         {"limit", required_argument, NULL, O_LIMIT},
                                         {"quick", no_argument, NULL, O_QUICK},
                                         {"jobs", required_argument, NULL, O_JOBS},
                                         {"shard", required_argument, NULL, O_SHARD},
                                         {"out", required_argument, NULL, O_OUT},
                                         {"collect", no_argument, NULL, O_COLLECT},
                                         SWEEP_SLURM_OPTIONS,
                                         CLI_FIGURE_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    int n = 0;
    for (int a = 0; a < SWEEP_AXES; a++)
        lo[n++] = (struct option){sweep_axes[a].option, required_argument, NULL, O_AXIS + a};
    _Static_assert(SWEEP_AXES + sizeof rest / sizeof rest[0] <= OPTIONS_CAP, "option table");
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        lo[n++] = rest[i];
}

static int cmd_sweep(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_sweep_entry;
    struct option lo[OPTIONS_CAP];
    build_options(lo);
    struct sweep_spec s;
    char err[FTL_ERRLEN];
    sweep_spec_default(&s);
    sweep_parse_seeds(&s, "1-3", err);
    struct sweep_run_opts ro = {
        .out = "sweep", .shard_i = 1, .shard_n = 1, .jobs = 1, .name = "sweep"};
    struct sweep_slurm sl = {0};
    struct plot_opts fig = plot_opts_default(GP_PNG);
    int given[SWEEP_AXES] = {0}, seeds_given = 0, collect = 0, slurm = 0, sample = 0;
    const char *data = NULL;
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        const char *a = optarg;
        int figopt = cli_figure_option(self, c, a, &fig);
        if (figopt != -1) {
            if (figopt != EXIT_OK) return figopt;
            continue;
        }
        if (c >= O_AXIS && c < O_AXIS + SWEEP_AXES) {
            if (sweep_parse_axis(&s, (enum sweep_axis)(c - O_AXIS), a, err) != 0)
                return cli_usage_error(self, "%s", err);
            given[c - O_AXIS] = 1;
            continue;
        }
        switch (c) {
        case O_SEEDS:
            if (sweep_parse_seeds(&s, a, err) != 0) return cli_usage_error(self, "%s", err);
            seeds_given = 1;
            break;
        case O_K:
            if (cli_parse_ks(a, s.k, SWEEP_MAX_K, &s.nk))
                return cli_usage_error(
                    self, "--k needs distinct cluster counts of 2 or more, like 9,10,11");
            break;
        case O_DATA:
            data = a;
            break;
        case O_SAMPLE:
            sample = 1;
            break;
        case O_LIMIT:
            if (cli_parse_long(a, 1, 1L << 40, &s.limit))
                return cli_usage_error(self, "--limit needs a positive integer, not '%s'", a);
            break;
        case O_QUICK:
            s.quick = 1;
            break;
        case O_JOBS:
            if (cli_parse_long(a, 1, 256, &v))
                return cli_usage_error(self, "--jobs needs an integer in 1..256, not '%s'", a);
            ro.jobs = (int)v;
            break;
        case O_SHARD:
            if (sscanf(a, "%d/%d", &ro.shard_i, &ro.shard_n) != 2 || ro.shard_n < 1 ||
                ro.shard_i < 1 || ro.shard_i > ro.shard_n)
                return cli_usage_error(self, "--shard takes I/N with 1 <= I <= N, not '%s'", a);
            break;
        case O_OUT:
            ro.out = a;
            break;
        case O_COLLECT:
            collect = 1;
            break;
        default: {
            int got = sweep_slurm_option(c, a, &slurm, &sl, err);
            if (got < 0) return cli_usage_error(self, "%s", err);
            if (got == 0) return cli_option_error(self, argv, lo);
        }
        }
    }
    if (cli_figure_check(self, &fig) != EXIT_OK) return EXIT_USAGE;
    if (collect) {
        if (optind + 1 < argc)
            return cli_usage_error(self, "--collect takes one sweep folder, not '%s'",
                                   argv[optind + 1]);
        const char *dir = optind < argc ? argv[optind] : ro.out;
        return sweep_collect(dir, 1, 1, &fig, err) == 0 ? EXIT_OK : cli_fail("%s", err);
    }
    if (optind != argc) return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    if (sample && data) return cli_usage_error(self, "--data and --sample exclude each other");
    if (!slurm && (sl.nopts || sl.dry_run || sl.shards))
        return cli_usage_error(self, "--slurm-opt, --shards and --dry-run are for --slurm");
    if (slurm && (ro.shard_n > 1))
        return cli_usage_error(self, "--slurm makes the shards itself; drop --shard");
    if (s.quick) {
        /* A smoke test of the whole pipeline, as table1 --quick. */
        if (!seeds_given) sweep_parse_seeds(&s, "1", err);
        if (!given[SWEEP_EPOCHS]) s.v[SWEEP_EPOCHS][0] = 2;
        if (!given[SWEEP_HIDDEN]) s.v[SWEEP_HIDDEN][0] = 64;
        if (!s.limit) s.limit = 5000;
    }
    if (sweep_runs(&s) > SWEEP_MAX_RUNS)
        return cli_usage_error(self, "the grid holds %ld runs; at most %d", sweep_runs(&s),
                               SWEEP_MAX_RUNS);
    if (sweep_set_data(&s, data, sample, err) != 0) return cli_fail("%s", err);
    if (ftl_mkdir_p(ro.out, err) != 0) return cli_fail("%s", err);
    if (slurm) {
        /* The folder as the job sees it: absolute, whatever the directory collect runs in. */
        char hint[4200], *abs = realpath(ro.out, NULL);
        snprintf(hint, sizeof hint, "ftlab sweep --collect %s", abs ? abs : ro.out);
        free(abs);
        return sweep_slurm_submit(&s, &sl, ro.out, "sweep", hint, err) == 0 ? EXIT_OK
                                                                            : cli_fail("%s", err);
    }
    int failed = sweep_run(&s, &ro, err);
    if (failed < 0) return cli_fail("%s", err);
    if (sweep_collect(ro.out, ro.shard_i, ro.shard_n, &fig, err) != 0)
        return failed ? cli_fail("%d run%s failed, their log.txt says why (re-run to retry): %s",
                                 failed, failed > 1 ? "s" : "", err)
                      : cli_fail("%s", err);
    return EXIT_OK;
}
