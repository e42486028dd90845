/* `ftlab data fetch|info` — install the MNIST strokes, describe the data. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fetch.h"
#include "util.h"

static void print_split_row(const char *name, const struct dataset_stats *s)
{
    printf("  %-6s %9zu %10zu %7.1f %7.1f %6zu\n", name, s->n, s->len_min, s->len_mean,
           s->len_median, s->len_max);
}

static void print_source(const char *dir)
{
    char *path = ftl_path_join(dir, "SOURCE"), *text;
    size_t len;
    char err[FTL_ERRLEN];
    if (ftl_read_file(path, &text, &len, err) == 0) {
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
            printf("  %s\n", line);
        free(text);
    }
    free(path);
}

static int data_info(const struct cli_data *o)
{
    struct dataset_pair p;
    int sample;
    char err[FTL_ERRLEN];
    if (cli_load_data(o, &p, &sample, err) != 0) return cli_fail("%s", err);
    if (sample) {
        /* Each split names its own source: the sample's two splits are drawn apart. */
        printf("data: the embedded sample\n  train: %s\n  test:  %s\n", p.train.source,
               p.test.source);
    } else {
        char *dir = fetch_resolve_data_dir(o->dir);
        printf("data: MNIST strokes in %s\n", dir);
        printf("  train: %s\n  test:  %s\n", p.train.source, p.test.source);
        print_source(dir);
        free(dir);
    }
    struct dataset_stats st[2];
    dataset_stats(&p.train, &st[0]);
    dataset_stats(&p.test, &st[1]);
    const char *names[2] = {"train", "test"};

    printf("\n  %-6s %9s %10s %7s %7s %6s\n", "split", "sequences", "length min", "mean", "median",
           "max");
    for (int i = 0; i < 2; i++)
        print_split_row(names[i], &st[i]);

    printf("\n  %-6s", "digit");
    for (int d = 0; d < DATASET_CLASSES; d++)
        printf(" %6d", d);
    printf("\n");
    for (int i = 0; i < 2; i++) {
        printf("  %-6s", names[i]);
        for (int d = 0; d < DATASET_CLASSES; d++)
            printf(" %6zu", st[i].per_digit[d]);
        printf("\n");
    }
    printf("\n  %-6s %14s %14s\n", "binary", "0-4 (label 0)", "5-9 (label 1)");
    for (int i = 0; i < 2; i++)
        printf("  %-6s %14zu %14zu\n", names[i], st[i].per_binary[0], st[i].per_binary[1]);
    dataset_pair_free(&p);
    return EXIT_OK;
}

static int data_fetch(const struct cli_data *o, const char *from)
{
    char err[FTL_ERRLEN];
    char *dest = fetch_resolve_data_dir(o->dir);
    struct fetch_opts fo = {.progress = stderr};
    int rc = fetch_install(from, dest, &fo, err);
    if (rc == 0) printf("installed MNIST strokes in %s\n", dest);
    free(dest);
    return rc == 0 ? EXIT_OK : cli_fail("%s", err);
}

static int cmd_data(int argc, char **argv);

const struct cli_cmd cmd_data_entry = {
    "data", "fetch [--from DIR] | info [--data DIR | --sample]",
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
    cmd_data};

static int cmd_data(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_data_entry;
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'},
        {"sample", no_argument, NULL, 's'},
        {"from", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2) return cli_usage_error(self, "say 'fetch' or 'info'");
    const char *sub = argv[1];
    int fetch = strcmp(sub, "fetch") == 0;
    if (!fetch && strcmp(sub, "info") != 0)
        return cli_usage_error(self, "unknown subcommand '%s' (say 'fetch' or 'info')", sub);
    struct cli_data o = {0};
    const char *from = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.dir = optarg;
            break;
        case 's':
            o.sample = 1;
            break;
        case 'f':
            from = optarg;
            break;
        default:
            return cli_option_error(self, argv + 1, longopts);
        }
    }
    if (optind < argc - 1)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
    if (fetch && o.sample)
        return cli_usage_error(self, "--sample is for 'info'; 'fetch' installs the real data");
    if (!fetch && from) return cli_usage_error(self, "--from is for 'fetch'");
    if (o.sample && o.dir) return cli_usage_error(self, "--data and --sample exclude each other");
    return fetch ? data_fetch(&o, from) : data_info(&o);
}
