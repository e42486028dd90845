/*
 * `ftlab table1` — reproduce the paper's Table 1: train every (task, loss,
 * run) combination, evaluate each on the test split, and tabulate AMI_max
 * (mean ± std over runs) beside the paper's values.
 *
 * Table 1 is a sweep over a fixed grid (sweep.h: tasks x losses x seeds
 * 1..runs). Each combination runs as child processes of this very binary (`train`,
 * then `eval`), so --jobs N runs N at once with the BLAS threads split
 * between them, a crash stays in its own run folder, and every run is an
 * ordinary run directory that `ftlab eval/plot/export` understand. A run
 * whose eval.csv exists is finished: re-running skips it, and a run cut off
 * mid-training resumes from its newest checkpoint.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "figures.h"
#include "gnuplot.h"
#include "loss.h"
#include "model.h"
#include "sweep.h"
#include "table1.h"
#include "util.h"

struct table1_opts {
    const char *data;
    int sample, quick, runs, jobs, shard_i, shard_n;
    long epochs, limit;
    int hidden, units;
    double lambda[REG_COUNT];
    double margin;
    const char *k;
    const char *out;
    int tasks[TASK_COUNT], losses[REG_COUNT];
};

/* "a,b,c" of names into flags; -1 when a name is unknown. */
static int parse_names(const char *s, int *flags, int n, int (*from)(const char *))
{
    memset(flags, 0, (size_t)n * sizeof *flags);
    char *copy = xstrdup(s), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int i = from(tok);
        if (i < 0) {
            rc = -1;
            break;
        }
        flags[i] = 1;
    }
    free(copy);
    return rc;
}

/* --lambda 0.5, or per loss: --lambda decov=0.1,xcov=1,proposed=1 */
static int parse_lambda(const char *s, double *lambda)
{
    double v;
    if (cli_parse_double(s, 0, 1e6, &v) == 0) {
        for (int i = 0; i < REG_COUNT; i++)
            lambda[i] = v;
        return 0;
    }
    char *copy = xstrdup(s), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        int r;
        if (!eq || (*eq = '\0', (r = reg_from_name(tok)) < 0) ||
            cli_parse_double(eq + 1, 0, 1e6, &v))
            rc = -1;
        else
            lambda[r] = v;
    }
    free(copy);
    return rc;
}

/*
 * Table 1 as a grid: tasks x losses x seeds 1..runs, λ per loss, every other
 * option one value. Its runs are numbered and named as table1 always has
 * (TASK-LOSS-runR, run R with seed R), so old folders resume and shard alike.
 */
static int table1_grid(const struct table1_opts *o, struct sweep_spec *s, char *err)
{
    sweep_spec_default(s);
    s->n[SWEEP_TASK] = s->n[SWEEP_LOSS] = 0;
    for (int t = 0; t < TASK_COUNT; t++)
        if (o->tasks[t]) s->v[SWEEP_TASK][s->n[SWEEP_TASK]++] = t;
    for (int l = 0; l < REG_COUNT; l++)
        if (o->losses[l]) s->v[SWEEP_LOSS][s->n[SWEEP_LOSS]++] = l;
    memcpy(s->loss_lambda, o->lambda, sizeof s->loss_lambda);
    s->n[SWEEP_LAMBDA] = 0;
    s->v[SWEEP_MARGIN][0] = o->margin;
    s->v[SWEEP_HIDDEN][0] = o->hidden;
    s->v[SWEEP_UNITS][0] = o->units;
    s->v[SWEEP_EPOCHS][0] = (double)o->epochs;
    s->nseeds = o->runs;
    for (int r = 0; r < o->runs; r++)
        s->seeds[r] = r + 1;
    cli_parse_ks(o->k, s->k, SWEEP_MAX_K, &s->nk);
    s->limit = o->limit;
    s->quick = o->quick;
    return sweep_set_data(s, o->data, o->sample, err);
}

// ---- the command ----

static int cmd_table1(int argc, char **argv);

const struct cli_cmd cmd_table1_entry = {
    "table1",
    "[OPTIONS] [--out DIR] [--slurm [--dry-run]] | --collect DIR... [--partial] [--out DIR]",
    "reproduce the paper's Table 1: every task x loss x run, trained and evaluated",
    "  Trains every (task, loss, run) combination (run r uses seed r) as child\n"
    "  processes, evaluates each (KMeans, 10 restarts, on the test split) and writes\n"
    "  DIR/table1.md and DIR/table1.csv (AMI_max mean +- std over runs, the paper's\n"
    "  value beside each, the best of each column in bold; a single run shows its\n"
    "  mean alone, and table1.csv leaves ami_max_std as nan below two runs),\n"
    "  DIR/runs/TASK-LOSS-runR/,\n"
    "  the Table 1 figures and the Figure 2 comparison of baseline and proposed.\n"
    "  Finished runs are skipped on a re-run; interrupted ones resume.\n"
    "  --data DIR | --sample   the data (default: as 'train')\n"
    "  --tasks LIST   classify,autoencode (default both)\n"
    "  --losses LIST  baseline,decov,xcov,proposed (default all)\n"
    "  --runs N       runs per combination (default 3)\n"
    "  --epochs E     (default 10)     --k LIST     (default 9,10,11)\n"
    "  --lambda X | --lambda decov=X,xcov=Y,proposed=Z  (default 1, proposed 0.1)\n"
    "  --margin M     (default 5)\n"
    "  --hidden H --units K --limit N   as for 'train'\n"
    "  --jobs N       combinations at once; BLAS threads are split between them\n"
    "  --shard I/N    only every N-th combination from the I-th (job arrays)\n"
    "  --collect DIR...  merge the shards' folders (and a --slurm folder's shards/*)\n"
    "                 into --out; refuses, naming them,\n"
    "                 when runs of --tasks x --losses x --runs (default: the highest\n"
    "                 run number found) are missing or lack a k the others have\n"
    "  --partial      with --collect: write the table anyway, missing cells as '–',\n"
    "                 a 'missing: ...' note under it, no bold in their columns\n"
    "  --quick        a smoke test: 1 run, 2 epochs of 5000 sequences, H=64 (< 1 minute)\n"
    "  --out DIR      (default ./table1)\n"
    "  --format F, --width W, --height H | --aspect W:H, --font-size P, --font NAME\n"
    "                 the figures' format (png, svg, pdf, tex) and size, as for\n"
    "                 'ftlab plot' (default png, a column 3.5 in wide, 8 pt);\n"
    "                 a figure too small for its panels is drawn, with a note\n"
    "  --slurm        write DIR/slurm/sweep.sbatch, a Slurm job array with a task per\n"
    "                 shard (each into DIR/shards/I), and submit it with sbatch; then\n"
    "                 --collect DIR merges DIR/shards/* (ftlab sweep --help)\n"
    "  --shards N     array tasks (default: one per run, at most 1000)\n"
    "  --slurm-opt KEY=VALUE  an sbatch option (repeatable): partition=, time=,\n"
    "                 account=, cpus-per-task= (default 2), mem=, ...\n"
    "  --dry-run      with --slurm: write the script, do not submit\n",
    cmd_table1};

static int cmd_table1(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_table1_entry;
    enum {
        O_DATA = 256,
        O_SAMPLE,
        O_TASKS,
        O_LOSSES,
        O_RUNS,
        O_EPOCHS,
        O_K,
        O_JOBS,
        O_SHARD,
        O_OUT,
        O_QUICK,
        O_COLLECT,
        O_LAMBDA,
        O_MARGIN,
        O_HIDDEN,
        O_UNITS,
        O_LIMIT,
        O_PARTIAL,
    };
    static const struct option lo[] = {{"data", required_argument, NULL, O_DATA},
                                       {"sample", no_argument, NULL, O_SAMPLE},
                                       {"tasks", required_argument, NULL, O_TASKS},
                                       {"losses", required_argument, NULL, O_LOSSES},
                                       {"runs", required_argument, NULL, O_RUNS},
                                       {"epochs", required_argument, NULL, O_EPOCHS},
                                       {"k", required_argument, NULL, O_K},
                                       {"jobs", required_argument, NULL, O_JOBS},
                                       {"shard", required_argument, NULL, O_SHARD},
                                       {"out", required_argument, NULL, O_OUT},
                                       {"quick", no_argument, NULL, O_QUICK},
                                       {"collect", no_argument, NULL, O_COLLECT},
                                       {"lambda", required_argument, NULL, O_LAMBDA},
                                       {"margin", required_argument, NULL, O_MARGIN},
                                       {"hidden", required_argument, NULL, O_HIDDEN},
                                       {"units", required_argument, NULL, O_UNITS},
                                       {"limit", required_argument, NULL, O_LIMIT},
                                       {"partial", no_argument, NULL, O_PARTIAL},
                                       CLI_FIGURE_OPTIONS,
                                       SWEEP_SLURM_OPTIONS,
                                       {NULL, 0, NULL, 0}};
    struct table1_opts o = {.runs = 3,
                            .jobs = 1,
                            .shard_i = 1,
                            .shard_n = 1,
                            .epochs = TABLE1_EPOCHS,
                            .hidden = 128,
                            .units = TABLE1_UNITS,
                            .margin = TABLE1_MARGIN,
                            .k = "9,10,11",
                            .out = "table1"};
    for (int i = 0; i < REG_COUNT; i++)
        o.lambda[i] = reg_table[i].default_lambda;
    for (int i = 0; i < TASK_COUNT; i++)
        o.tasks[i] = 1;
    for (int i = 0; i < REG_COUNT; i++)
        o.losses[i] = 1;
    int collect = 0, runs_set = 0, epochs_set = 0, partial = 0, slurm = 0;
    struct sweep_slurm sl = {0};
    struct plot_opts fig = plot_opts_default(GP_PNG);
    char err[FTL_ERRLEN];
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
        switch (c) {
        case O_DATA:
            o.data = a;
            break;
        case O_SAMPLE:
            o.sample = 1;
            break;
        case O_TASKS:
            if (parse_names(a, o.tasks, TASK_COUNT, model_task_from_name))
                return cli_usage_error(self, "--tasks takes classify,autoencode");
            break;
        case O_LOSSES:
            if (parse_names(a, o.losses, REG_COUNT, reg_from_name))
                return cli_usage_error(self, "--losses takes baseline,decov,xcov,proposed");
            break;
        case O_RUNS:
            if (cli_parse_long(a, 1, TABLE1_MAX_RUNS, &v))
                return cli_usage_error(self, "--runs needs an integer in 1..%d", TABLE1_MAX_RUNS);
            o.runs = (int)v, runs_set = 1;
            break;
        case O_EPOCHS:
            if (cli_parse_long(a, 1, 10000, &o.epochs))
                return cli_usage_error(self, "--epochs needs a positive integer");
            epochs_set = 1;
            break;
        case O_K: {
            int ks[TABLE1_MAX_K], nk;
            if (cli_parse_ks(a, ks, TABLE1_MAX_K, &nk))
                return cli_usage_error(
                    self, "--k needs distinct cluster counts of 2 or more, like 9,10,11");
            o.k = a;
            break;
        }
        case O_JOBS:
            if (cli_parse_long(a, 1, 256, &v))
                return cli_usage_error(self, "--jobs needs an integer in 1..256");
            o.jobs = (int)v;
            break;
        case O_SHARD:
            if (sscanf(a, "%d/%d", &o.shard_i, &o.shard_n) != 2 || o.shard_n < 1 || o.shard_i < 1 ||
                o.shard_i > o.shard_n)
                return cli_usage_error(self, "--shard takes I/N with 1 <= I <= N");
            break;
        case O_OUT:
            o.out = a;
            break;
        case O_QUICK:
            o.quick = 1;
            break;
        case O_COLLECT:
            collect = 1;
            break;
        case O_PARTIAL:
            partial = 1;
            break;
        case O_LAMBDA:
            if (parse_lambda(a, o.lambda))
                return cli_usage_error(
                    self, "--lambda takes X, or loss=X pairs like decov=0.1,proposed=1");
            break;
        case O_MARGIN:
            if (cli_parse_double(a, 0, 1e6, &o.margin))
                return cli_usage_error(self, "--margin needs a number >= 0");
            break;
        case O_HIDDEN:
            if (cli_parse_long(a, 1, 4096, &v))
                return cli_usage_error(self, "--hidden needs an integer in 1..4096");
            o.hidden = (int)v;
            break;
        case O_UNITS:
            if (cli_parse_long(a, 2, 4096, &v))
                return cli_usage_error(self, "--units needs an integer in 2..4096");
            o.units = (int)v;
            break;
        case O_LIMIT:
            if (cli_parse_long(a, 1, 1L << 40, &o.limit))
                return cli_usage_error(self, "--limit needs a positive integer");
            break;
        default: {
            int got = sweep_slurm_option(c, a, &slurm, &sl, err);
            if (got < 0) return cli_usage_error(self, "%s", err);
            if (got == 0) return cli_option_error(self, argv, lo);
        }
        }
    }
    if (o.sample && o.data) return cli_usage_error(self, "--data and --sample exclude each other");
    if (cli_figure_check(self, &fig) != EXIT_OK) return EXIT_USAGE;
    if (partial && !collect) return cli_usage_error(self, "--partial is for --collect");
    if (!slurm && (sl.nopts || sl.dry_run || sl.shards))
        return cli_usage_error(self, "--slurm-opt, --shards and --dry-run are for --slurm");
    if (slurm && (collect || o.shard_n > 1))
        return cli_usage_error(self, "--slurm makes the shards itself; drop --%s",
                               collect ? "collect" : "shard");
    struct table1_expect expect;
    table1_expect_all(&expect);
    memcpy(expect.tasks, o.tasks, sizeof expect.tasks);
    memcpy(expect.losses, o.losses, sizeof expect.losses);
    if (collect) {
        if (optind >= argc)
            return cli_usage_error(self, "--collect needs the output folders of the shards");
        expect.runs = runs_set ? o.runs : 0;
        expect.partial = partial;
        return table1_collect((const char *const *)argv + optind, argc - optind, o.out, &expect,
                              &fig, err) == 0
                   ? EXIT_OK
                   : cli_fail("%s", err);
    }
    if (optind != argc) return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    if (o.quick) {
        /* A smoke test of the whole pipeline in under a minute. */
        if (!runs_set) o.runs = 1;
        if (!epochs_set) o.epochs = 2;
        if (!o.limit) o.limit = 5000;
        o.hidden = 64;
    }
    struct sweep_spec grid;
    if (table1_grid(&o, &grid, err) != 0) return cli_fail("%s", err);
    if (ftl_mkdir_p(o.out, err) != 0) return cli_fail("%s", err);
    if (slurm) {
        /* The shards run `ftlab sweep` over this grid: the same runs, in the same folders. */
        char hint[4400], tasks[64] = "", losses[128] = "";
        for (int t = 0; t < TASK_COUNT; t++)
            if (o.tasks[t])
                snprintf(tasks + strlen(tasks), sizeof tasks - strlen(tasks), "%s%s",
                         tasks[0] ? "," : "", model_task_name(t));
        for (int l = 0; l < REG_COUNT; l++)
            if (o.losses[l])
                snprintf(losses + strlen(losses), sizeof losses - strlen(losses), "%s%s",
                         losses[0] ? "," : "", reg_table[l].name);
        char *abs = realpath(o.out, NULL);
        const char *dir = abs ? abs : o.out;
        snprintf(hint, sizeof hint,
                 "ftlab table1 --collect %s --tasks %s --losses %s --runs %d --out %s", dir, tasks,
                 losses, o.runs, dir);
        free(abs);
        return sweep_slurm_submit(&grid, &sl, o.out, "table1", hint, err) == 0
                   ? EXIT_OK
                   : cli_fail("%s", err);
    }
    struct sweep_run_opts ro = {o.out, o.shard_i, o.shard_n, o.jobs, "table1"};
    int failed = sweep_run(&grid, &ro, err);
    if (failed < 0) return cli_fail("%s", err);

    /* This run's share of the table: what a failed run leaves missing is marked in it. */
    expect.runs = o.runs;
    expect.shard_i = o.shard_i, expect.shard_n = o.shard_n;
    expect.partial = 1;
    const char *dirs[1] = {o.out};
    int rc = table1_collect(dirs, 1, o.out, &expect, &fig, err);
    if (rc != 0) return cli_fail("%s", err);
    if (failed)
        return cli_fail("%d run%s failed; their log.txt says why (re-run to retry)", failed,
                        failed > 1 ? "s" : "");
    return EXIT_OK;
}
