/*
 * cli — the command-line front end: the table of commands and the helpers
 * every command shares (option parsing, data loading, messages).
 *
 * Exit status everywhere: 0 success, 1 failure (bad input, I/O), 2 usage error.
 */
#ifndef FTLAB_CLI_H
#define FTLAB_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "dataset.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_cmd {
    const char *name;
    const char *synopsis; /* one line after "ftlab NAME " */
    const char *summary;  /* one line for the command list */
    const char *help;     /* the options, for `ftlab NAME --help` */
    int (*run)(int argc, char **argv);
};

/* Every command, NULL-terminated, in the order --help lists them (main.c). */
extern const struct cli_cmd *const cli_commands[];
const struct cli_cmd *cli_find(const char *name);
void cli_usage(const struct cli_cmd *c, FILE *fp);
/* Prints "ftlab NAME: message" plus a --help hint and returns EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * For getopt_long's '?' (with opterr = 0, main.c): names what was wrong with
 * argv[optind - 1] -- "--out needs a value", "--sample takes no value",
 * "unknown option '--bogus'" -- as a usage error (EXIT_USAGE).
 */
int cli_option_error(const struct cli_cmd *c, char *const *argv, const struct option *lo);
/* A list of cluster counts, "9,10,11": each in 2..100000, no empty item, no repeat, at most max.
 * 0 with k[0..*n) set, else -1. */
int cli_parse_ks(const char *s, int *k, int max, int *n);
/* Prints "ftlab: message" to stderr and returns EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict number parsing: the whole string, in range; 0 on success. */
int cli_parse_long(const char *s, long lo, long hi, long *out);
int cli_parse_double(const char *s, double lo, double hi, double *out);
int cli_parse_u64(const char *s, uint64_t *out);

/* Where the data come from, shared by every command that reads data. */
struct cli_data {
    const char *dir;         /* --data DIR (NULL: $FTLAB_DATA, then the default) */
    int sample;              /* --sample [NAME] */
    const char *sample_name; /* NAME: "digits" (also NULL) or "vitals" */
    enum dataset_nan nan;    /* --nan zero|carry|refuse */
    int test_only;           /* an evaluation: the training split may be left empty */
};
/*
 * Loads the data: the embedded sample when asked; a data folder of any
 * format (dataset_dir_format) from the resolved folder when there is one;
 * otherwise the digit sample with a notice on stderr -- unless the folder was
 * named explicitly (--data, FTLAB_DATA), which makes a missing or bad folder
 * an error. *used_sample tells which.
 */
int cli_load_data(const struct cli_data *o, struct dataset_pair *p, int *used_sample, char *err);
/* The config's name of the data loaded: "sample", "sample:vitals" or the absolute folder. */
void cli_data_spec(const struct cli_data *o, int used_sample, char *buf, size_t cap);
/*
 * --sample [NAME], in getopt_long's loop (--sample is a no_argument option,
 * so "--sample=x" keeps its "takes no value" message): argv[optind] is taken
 * as NAME when it is a sample's name ("digits", "vitals"), consumed the way
 * getopt consumes an option's value. Returns 0.
 */
int cli_sample_option(struct cli_data *o, int argc, char **argv);
/* --nan's value into o; 0 or -1. */
int cli_nan_option(struct cli_data *o, const char *value);

// ---- figure options, shared by plot, table1 and sweep ----

struct plot_opts;

/* getopt_long codes of the figure options (above any character); CLI_FIGURE_OPTIONS puts them
 * into a command's option table. */
enum {
    CLI_FIG_FORMAT = 0x400,
    CLI_FIG_WIDTH,
    CLI_FIG_HEIGHT,
    CLI_FIG_ASPECT,
    CLI_FIG_FONT_SIZE,
    CLI_FIG_FONT
};
#define CLI_FIGURE_OPTIONS                                                                         \
    {"format", required_argument, NULL, CLI_FIG_FORMAT},                                           \
        {"width", required_argument, NULL, CLI_FIG_WIDTH},                                         \
        {"height", required_argument, NULL, CLI_FIG_HEIGHT},                                       \
        {"aspect", required_argument, NULL, CLI_FIG_ASPECT},                                       \
        {"font-size", required_argument, NULL, CLI_FIG_FONT_SIZE},                                 \
    {                                                                                              \
        "font", required_argument, NULL, CLI_FIG_FONT                                              \
    }
/*
 * In getopt_long's loop: a figure option c (CLI_FIG_*) and its value into o.
 * EXIT_OK, or EXIT_USAGE after a one-line usage error naming the option. c
 * not a figure option: -1, so the command's own switch goes on.
 */
int cli_figure_option(const struct cli_cmd *self, int c, const char *arg, struct plot_opts *o);
/* After the loop: --height and --aspect both set is a usage error (EXIT_USAGE), else EXIT_OK. */
int cli_figure_check(const struct cli_cmd *self, const struct plot_opts *o);

// ---- eval, shared with `plot --evolution` (cmd_cluster.c) ----

struct eval_opts;
/*
 * What `ftlab eval TARGET` does once its options are read: evaluates the
 * checkpoint (or run directory) on the data it was trained on, unless
 * data->dir or data->sample, with eo (its seed the run's unless seed_set; its k the
 * data's classes +- 1 unless k_set), and
 * writes eval.csv, actmap.csv and clusters.csv into out (NULL: cli_eval_dir's
 * choice). The scores and where they went are printed on report, and the
 * wall times of loading, forward pass and KMeans on times (NULL: not at
 * all). EXIT_OK, or EXIT_FAIL once the one-line error is on stderr.
 */
int cli_eval(const char *target, const struct cli_data *data, struct eval_opts *eo, int seed_set,
             int k_set, const char *out, FILE *report, FILE *times);
/*
 * Where eval writes for TARGET taken at step: a run directory itself, the
 * run directory for its newest checkpoint, else RUN/checkpoints/NAME-eval
 * beside the checkpoint. A new string.
 */
char *cli_eval_dir(const char *target, uint64_t step);

/* Each command's entry, defined in its cmd_*.c; main.c lists them. */
extern const struct cli_cmd cmd_tui_entry, cmd_data_entry, cmd_train_entry, cmd_replay_entry,
    cmd_eval_entry, cmd_embed_entry, cmd_cluster_entry, cmd_score_entry, cmd_plot_entry,
    cmd_table1_entry, cmd_sweep_entry, cmd_export_entry;

#endif
