/*
 * ftlab — watch a neural network learn, in a terminal.
 *
 * main() only dispatches: `ftlab [COMMAND] [OPTIONS]`. Each command is one
 * row of cli_commands[] (name, synopsis, help text, function), as in tmux's
 * cmd_entry table, so --help, the man page and the dispatcher agree.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fetch.h"
#include "train_opts.h"

static int cmd_help(int argc, char **argv);

const struct cli_cmd cli_commands[] = {
    {"tui", "[OPTIONS] [--out RUN_DIR | --resume RUN_DIR]",
     "open the workbench: train live, switch losses, watch the clusters form (the default)",
     train_opts_tui_help, cmd_tui},
    {"data", "fetch [--from DIR] | info [--data DIR | --sample]",
     "install the MNIST stroke data, or describe the data ftlab would use",
     "  fetch [--from DIR] [--data DIR]\n"
     "        Install MNIST stroke sequences into the data folder: downloaded from\n"
     "        the upstream GitHub repository with curl, or copied from DIR holding\n"
     "        the upstream tarballs. SHA-256 checksums are verified; the folder is\n"
     "        replaced atomically.\n"
     "  info [--data DIR | --sample]\n"
     "        For each split: sequence count, lengths, digits, binary labels, source.\n"
     "  --data DIR     the data folder (default: $FTLAB_DATA, else\n"
     "                 $XDG_DATA_HOME/ftlab/mnist-strokes)\n"
     "  --sample       the embedded synthetic sample instead of MNIST\n",
     cmd_data},
    {"train", "[OPTIONS] [--out RUN_DIR | --resume RUN_DIR]",
     "train a network headless, into a run directory", train_opts_help, cmd_train},
    {"replay", "JOURNAL|RUN_DIR --out NEW_RUN [--data DIR | --sample]",
     "re-execute a session's journal headless, to the same weights",
     "  Reads the run's settings from the journal's config lines, then applies every\n"
     "  control change (loss, lambda, margin, lr) at the step it took effect at, and\n"
     "  trains to the step of the journal's last event. With the same seed, data and\n"
     "  number of BLAS threads, NEW_RUN ends with exactly the original weights.\n"
     "  --out DIR      the new run directory\n"
     "  --data DIR | --sample   other data than the journal names\n",
     cmd_replay},
    {"eval", "CKPT|RUN_DIR [--data DIR | --sample] [--k 9,10,11] [--seed S] [--n-init N] [--out DIR]",
     "test figure, KMeans cluster scores and the Figure 2 table of a trained network",
     "  Forwards the test split, prints the test accuracy (classify) or the\n"
     "  reconstruction error (autoencode), clusters the target layer's activations\n"
     "  with KMeans (k-means++, N restarts) for each k and scores the clusters\n"
     "  against the ten digits (AMI_max is the paper's headline), and prints the\n"
     "  Figure 2 histogram: for each unit, the test sequences whose most active\n"
     "  unit it is, per digit. Writes RUN_DIR/eval.csv and RUN_DIR/actmap.csv.\n"
     "  --data DIR | --sample   other data than the run was trained on\n"
     "  --k LIST       cluster counts (default 9,10,11)\n"
     "  --seed S       KMeans seed (default: the run's seed)\n"
     "  --n-init N     KMeans restarts (default 10)\n"
     "  --out DIR      where eval.csv and actmap.csv go (default: the run directory)\n",
     cmd_eval},
    {"embed", "CKPT|RUN_DIR [--data DIR | --sample] [--split train|test] --out FILE.npy",
     "write the target layer's activations (N x K, float32)",
     "  --split S      train or test (default test)\n"
     "  --out FILE     the .npy to write\n",
     cmd_embed},
    {"cluster", "FEATURES.npy --k K [--n-init N] [--seed S] [--out ASSIGN.npy] [--labels LABELS]",
     "KMeans as scikit-learn does it, on any feature matrix",
     "  Prints 'inertia VALUE'; with --labels also the scores of 'ftlab score'.\n"
     "  FEATURES: a 2-d .npy, f4 or f8. LABELS: an integer .npy or text, one per line.\n"
     "  --k K          clusters\n"
     "  --n-init N     k-means++ restarts, the lowest inertia wins (default 10)\n"
     "  --seed S       seed (default 0)\n"
     "  --out FILE     the assignments as int32 .npy\n",
     cmd_cluster},
    {"score", "--true A --pred B",
     "mutual-information scores of two labelings, exactly as scikit-learn 1.2",
     "  Prints one 'name value' line each: mi, ami_max, ami_arithmetic,\n"
     "  ami_geometric, ami_min, nmi_arithmetic, nmi_geometric, ari.\n"
     "  A and B: integer .npy files (any integer dtype) or text, one integer per line;\n"
     "  labels need not be contiguous.\n",
     cmd_score},
    {"plot", "RUN_DIR [--format png|svg|pdf] [--out DIR] | --compare RUN_A RUN_B ... [--format F] [--out DIR]",
     "draw a run's figures through gnuplot (loss, Figure 2, clusters), or compare runs",
     "  Writes DIR/loss.EXT (every loss term over the steps, log scale, the journal's\n"
     "  loss, lambda, margin and lr changes marked), DIR/actmap.EXT (the paper's\n"
     "  Figure 2: the most active unit of each test sequence, counted per digit) and\n"
     "  DIR/clusters.EXT (KMeans clusters x digits of the last 'ftlab eval'). A figure\n"
     "  whose input is not there yet is skipped with a note. Beside each image:\n"
     "  NAME.gp, the script that drew it (edit it, then run 'gnuplot NAME.gp' in DIR),\n"
     "  and NAME.dat, its data.\n"
     "  --compare      draw RUN_A RUN_B ... (2 to 8 runs) side by side instead:\n"
     "                 compare-actmap (Figure 2 panels on one colour scale) and\n"
     "                 compare-loss (the task losses overlaid)\n"
     "  --format F     png (300 dpi, default), svg or pdf; sized for a paper's column\n"
     "  --out DIR      where the figures go (default RUN_DIR/figures, or\n"
     "                 ./figures-compare with --compare)\n"
     "  Environment: FTLAB_GNUPLOT, the gnuplot program (default: gnuplot on PATH);\n"
     "  FTLAB_GNUPLOT_TIMEOUT, seconds before gnuplot is stopped (default 30).\n",
     cmd_plot},
    {"table1", "[OPTIONS] [--out DIR] | --collect DIR... [--out DIR]",
     "reproduce the paper's Table 1: every task x loss x run, trained and evaluated",
     "  Trains every (task, loss, run) combination (run r uses seed r) as child\n"
     "  processes, evaluates each (KMeans, 10 restarts, on the test split) and writes\n"
     "  DIR/table1.md and DIR/table1.csv (AMI_max mean +- std over runs, the paper's\n"
     "  value beside each, the best of each column in bold), DIR/runs/TASK-LOSS-runR/,\n"
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
     "  --collect DIR...  merge the shards' folders into --out\n"
     "  --quick        a smoke test: 1 run, 2 epochs of 5000 sequences, H=64 (< 1 minute)\n"
     "  --out DIR      (default ./table1)\n",
     cmd_table1},
    {"export", "CKPT|RUN_DIR OUT_DIR",
     "write a checkpoint's weights as one .npy per PyTorch state_dict entry",
     "  Writes OUT_DIR/NAME.npy (float32) for every parameter, under PyTorch's names\n"
     "  (gru.weight_ih_l0, fc1.weight, ...). To load them into a torch.nn module with\n"
     "  the same attribute names (tests/ref/model_ref.py defines both networks):\n"
     "    import glob, os, numpy, torch\n"
     "    model.load_state_dict({os.path.basename(f)[:-4]: torch.from_numpy(numpy.load(f)) for f in glob.glob('OUT_DIR/*.npy')})\n",
     cmd_export},
    {"help", "[COMMAND]", "show the commands, or one command's options", "", cmd_help},
    {"version", "", "print the version", "", cmd_version},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct cli_cmd *cli_find(const char *name)
{
    for (const struct cli_cmd *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

void cli_usage(const struct cli_cmd *c, FILE *fp)
{
    fprintf(fp, "usage: ftlab %s %s\n%s.\n", c->name, c->synopsis, c->summary);
    if (c->help[0]) fprintf(fp, "\n%s", c->help);
    fprintf(fp, "  -h, --help     show this help\n");
}

int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ftlab %s: ", c ? c->name : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'ftlab %s%s--help'.\n", c ? c->name : "", c ? " " : "");
    return EXIT_USAGE;
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("ftlab: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_FAIL;
}

static void usage_all(FILE *fp)
{
    fprintf(fp, "usage: ftlab [COMMAND] [OPTIONS]\n"
                "Watch a GRU learn MNIST pen strokes, with the KL-margin loss of\n"
                "Romanov & Rumshisky (2017) and its baselines.\n\n"
                "Commands:\n");
    for (const struct cli_cmd *c = cli_commands; c->name; c++)
        fprintf(fp, "  %-10s %s\n", c->name, c->summary);
    fprintf(fp, "\n'ftlab COMMAND --help' shows a command's options; 'man ftlab' has the rest.\n"
                "  -h, --help     show this help\n"
                "  -V, --version  print the version\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        usage_all(stdout);
        return EXIT_OK;
    }
    const struct cli_cmd *c = cli_find(argv[1]);
    if (!c) return cli_usage_error(cli_find("help"), "unknown command '%s'", argv[1]);
    cli_usage(c, stdout);
    return EXIT_OK;
}

int cmd_version(int argc, char **argv)
{
    printf("ftlab %s\n", PACKAGE_VERSION);
    return EXIT_OK;
}

/* `ftlab` alone without a terminal (a pipe, a script): the commands and where the data stand. */
static int overview(void)
{
    usage_all(stdout);
    char *dir = fetch_resolve_data_dir(NULL);
    printf("\nData: ");
    if (dataset_dir_looks_complete(dir))
        printf("MNIST strokes installed in %s\n", dir);
    else
        printf("no MNIST strokes in %s; commands use the embedded sample\n"
               "      (install the real data with 'ftlab data fetch').\n",
               dir);
    free(dir);
    return EXIT_OK;
}

#ifdef HAVE_OPENBLAS_GET_CORENAME
char *openblas_get_corename(void);

/*
 * OpenBLAS 0.3.21 (Debian 12) does not know recent Xeons: it reports them as
 * "Prescott" and falls back to SSE3 kernels, 6-10x slower on our GEMMs. The
 * kernel is chosen when the library loads, before main(), so when that
 * happens on a CPU with AVX-512 or AVX2 we name the right kernel family in
 * OPENBLAS_CORETYPE and re-execute ourselves once. A user's own
 * OPENBLAS_CORETYPE is always respected (and stops any loop).
 */
static void blas_pick_kernels(char **argv)
{
    if (getenv("OPENBLAS_CORETYPE") || strcmp(openblas_get_corename(), "Prescott") != 0)
        return;
    __builtin_cpu_init();
    const char *core = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                       : __builtin_cpu_supports("avx2") ? "Haswell"
                                                        : NULL;
    if (!core)
        return;
    setenv("OPENBLAS_CORETYPE", core, 1);
    execv("/proc/self/exe", argv);
    /* No /proc: carry on with the slow kernels. */
}
#endif

int main(int argc, char **argv)
{
#ifdef HAVE_OPENBLAS_GET_CORENAME
    blas_pick_kernels(argv);
#endif
    /* `ftlab` alone opens the workbench; without a terminal it says what there is instead. */
    if (argc < 2)
        return isatty(0) && isatty(1) ? cmd_tui(1, argv) : overview();
    const char *a = argv[1];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        usage_all(stdout);
        return EXIT_OK;
    }
    if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) return cmd_version(0, NULL);
    /* `ftlab --sample --loss proposed` is the workbench with options. */
    if (a[0] == '-' && a[1] == '-')
        return cmd_tui(argc, argv);
    const struct cli_cmd *c = cli_find(a);
    if (!c) {
        fprintf(stderr, "ftlab: unknown command '%s'\nTry 'ftlab --help'.\n", a);
        return EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cli_usage(c, stdout);
            return EXIT_OK;
        }
    }
    return c->run(argc - 1, argv + 1);
}
