/*
 * ftlab — watch a neural network learn, in a terminal.
 *
 * main() only dispatches: `ftlab [COMMAND] [OPTIONS]`. Each command is an
 * entry its own cmd_*.c defines (name, synopsis, help text, function), as in
 * tmux's cmd_entry tables; cli_commands[] below only lists them, so --help,
 * the man page and the dispatcher agree.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fetch.h"
#include "util.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct cli_cmd cmd_help_entry = {
    "help", "[COMMAND]", "show the commands, or one command's options", "", cmd_help};
static const struct cli_cmd cmd_version_entry = {"version", "", "print the version", "",
                                                 cmd_version};

/* Every command, in the order `ftlab --help` lists them; each cmd_*.c owns its entry. */
const struct cli_cmd *const cli_commands[] = {
    &cmd_tui_entry,   &cmd_data_entry,    &cmd_train_entry, &cmd_replay_entry,  &cmd_eval_entry,
    &cmd_embed_entry, &cmd_cluster_entry, &cmd_score_entry, &cmd_plot_entry,    &cmd_table1_entry,
    &cmd_sweep_entry, &cmd_export_entry,  &cmd_help_entry,  &cmd_version_entry, NULL,
};

const struct cli_cmd *cli_find(const char *name)
{
    for (const struct cli_cmd *const *c = cli_commands; *c; c++)
        if (strcmp((*c)->name, name) == 0) return *c;
    return NULL;
}

static void usage_all(FILE *fp)
{
    fprintf(fp, "usage: ftlab [COMMAND] [OPTIONS]\n"
                "Watch a GRU learn MNIST pen strokes, with the KL-margin loss of\n"
                "Romanov & Rumshisky (2017) and its baselines.\n\n"
                "Commands:\n");
    for (const struct cli_cmd *const *c = cli_commands; *c; c++)
        fprintf(fp, "  %-10s %s\n", (*c)->name, (*c)->summary);
    fprintf(fp, "\n'ftlab COMMAND --help' shows a command's options; in the source folder\n"
                "'man ./man/ftlab.1' (after 'make install': 'man ftlab') has the rest.\n"
                "  -h, --help     show this help\n"
                "  -V, --version  print the version\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 2) return cli_usage_error(&cmd_help_entry, "unexpected argument '%s'", argv[2]);
    if (argc < 2) {
        usage_all(stdout);
        return EXIT_OK;
    }
    const struct cli_cmd *c = cli_find(argv[1]);
    if (!c) return cli_usage_error(&cmd_help_entry, "unknown command '%s'", argv[1]);
    cli_usage(c, stdout);
    return EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
    if (argc > 1) return cli_usage_error(&cmd_version_entry, "unexpected argument '%s'", argv[1]);
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
    if (getenv("OPENBLAS_CORETYPE") || strcmp(openblas_get_corename(), "Prescott") != 0) return;
    __builtin_cpu_init();
    const char *core = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                       : __builtin_cpu_supports("avx2")  ? "Haswell"
                                                         : NULL;
    if (!core) return;
    setenv("OPENBLAS_CORETYPE", core, 1);
    execv("/proc/self/exe", argv);
    /* No /proc: carry on with the slow kernels. */
}
#endif

int main(int argc, char **argv)
{
    ftl_flush_subnormals(); /* first: every thread started later inherits it */
#ifdef HAVE_OPENBLAS_GET_CORENAME
    blas_pick_kernels(argv);
#endif
    /* Commands report option errors themselves, naming the option (cli_option_error). */
    opterr = 0;
    /* `ftlab` alone opens the workbench; without a terminal it says what there is instead. */
    if (argc < 2) return isatty(0) && isatty(1) ? cmd_tui_entry.run(1, argv) : overview();
    const char *a = argv[1];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        usage_all(stdout);
        return EXIT_OK;
    }
    if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) return cmd_version(argc - 1, argv + 1);
    /* `ftlab --sample --loss proposed` is the workbench with options. */
    if (a[0] == '-' && a[1] == '-') return cmd_tui_entry.run(argc, argv);
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
