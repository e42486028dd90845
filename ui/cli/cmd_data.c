/* `ftlab data fetch|info` — install the MNIST strokes, describe the data. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fetch.h"
#include "seqcsv.h"
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

/* The classes table: MNIST's digits across, as always; other groups one per line. */
static void print_groups(const struct dataset_pair *p, const struct dataset_stats st[2])
{
    const char *names[2] = {"train", "test"};
    const struct dataset *d = &p->train;
    if (d->ngroups == 0) {
        printf("\n  no groups: AMI and Figure 2 use the binary labels\n");
        return;
    }
    if (d->strokes && d->ngroups == DATASET_DIGITS) {
        printf("\n  %-6s", "digit");
        for (int g = 0; g < d->ngroups; g++)
            printf(" %6d", g);
        printf("\n");
        for (int i = 0; i < 2; i++) {
            printf("  %-6s", names[i]);
            for (int g = 0; g < d->ngroups; g++)
                printf(" %6zu", st[i].per_group[g]);
            printf("\n");
        }
        return;
    }
    printf("\n  %-24s %9s %9s\n", "group", "train", "test");
    for (int g = 0; g < d->ngroups; g++)
        printf("  %-24s %9zu %9zu\n", d->group_name[g], st[0].per_group[g], st[1].per_group[g]);
}

static int data_info(const struct cli_data *o)
{
    struct dataset_pair p;
    int sample;
    char err[FTL_ERRLEN];
    if (cli_load_data(o, &p, &sample, err) != 0) return cli_fail("%s", err);
    if (sample) {
        /* Each split names its own source: the sample's two splits are drawn apart. */
        printf("data: the embedded %s\n  train: %s\n  test:  %s\n",
               p.train.strokes ? "sample" : "vitals sample", p.train.source, p.test.source);
    } else {
        char *dir = fetch_resolve_data_dir(o->dir);
        enum dataset_format f = dataset_dir_format(dir);
        printf("data: %s in %s\n",
               f == DATASET_FORMAT_NONE ? "MNIST strokes" : dataset_format_name(f), dir);
        printf("  train: %s\n  test:  %s\n", p.train.source, p.test.source);
        print_source(dir);
        free(dir);
    }
    struct dataset_stats st[2];
    dataset_stats(&p.train, &st[0]);
    dataset_stats(&p.test, &st[1]);
    const char *names[2] = {"train", "test"};
    if (!p.train.strokes) {
        printf("  values per step: %d\n", p.train.dim);
        if (p.train.missing || p.test.missing || o->nan != DATASET_NAN_REFUSE)
            printf("  missing values (NaN) %s: %zu in train, %zu in test\n",
                   o->nan == DATASET_NAN_CARRY ? "carried forward" : "set to 0", p.train.missing,
                   p.test.missing);
        else
            printf("  missing values (NaN): none\n");
    }

    printf("\n  %-6s %9s %10s %7s %7s %6s\n", "split", "sequences", "length min", "mean", "median",
           "max");
    for (int i = 0; i < 2; i++)
        print_split_row(names[i], &st[i]);
    print_groups(&p, st);
    int digits = p.train.strokes && p.train.ngroups == DATASET_DIGITS;
    printf("\n  %-6s %14s %14s\n", "binary", digits ? "0-4 (label 0)" : "label 0",
           digits ? "5-9 (label 1)" : "label 1");
    for (int i = 0; i < 2; i++)
        printf("  %-6s %14zu %14zu\n", names[i], st[i].per_binary[0], st[i].per_binary[1]);
    dataset_pair_free(&p);
    return EXIT_OK;
}

static int data_import(const char *csv, const char *out)
{
    char err[FTL_ERRLEN];
    struct dataset_pair p;
    if (seqcsv_import(csv, out, &p, err) != 0) return cli_fail("%s", err);
    printf("wrote %s: %zu training and %zu test sequences, %d values per step, %d groups\n", out,
           p.train.n, p.test.n, p.train.dim, p.train.ngroups);
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
    "data",
    "fetch [--from DIR] | info [--data DIR | --sample [NAME]] [--nan MODE] | import FILE.csv --out "
    "DIR",
    "install the MNIST stroke data, describe the data ftlab would use, or import a CSV",
    "  fetch [--from DIR] [--data DIR]\n"
    "        Install MNIST stroke sequences into the data folder: downloaded from\n"
    "        the upstream GitHub repository with curl, or copied from DIR holding\n"
    "        the upstream tarballs. SHA-256 checksums are verified; the folder is\n"
    "        replaced atomically.\n"
    "  info [--data DIR | --sample [NAME]] [--nan MODE]\n"
    "        For each split: sequence count, lengths, groups (digits), binary labels,\n"
    "        values per step, missing values, source. A folder is MNIST strokes\n"
    "        (train-padded-*.npy ...) or sequences (train.npz and test.npz, or\n"
    "        train_x.npy, train_lengths.npy, train_y.npy [train_groups.npy] and\n"
    "        the test_ ones; groups.txt names the groups). A bad file is refused\n"
    "        in one line naming the file, the array and the problem.\n"
    "  import FILE.csv --out DIR\n"
    "        Convert a long CSV (sequence_id,t,FEATURE...,y[,group][,split]; one row\n"
    "        per sequence and step) into DIR/train_*.npy, test_*.npy and groups.txt,\n"
    "        each written atomically. Without a split column every fifth sequence\n"
    "        is a test sequence. Empty fields, NaN and NA are missing values.\n"
    "  --data DIR     the data folder (default: $FTLAB_DATA, else\n"
    "                 $XDG_DATA_HOME/ftlab/mnist-strokes)\n"
    "  --sample [NAME]  an embedded sample: digits (default) or vitals\n"
    "  --nan MODE     NaN inside a sequence: refuse (default), zero, or carry the\n"
    "                 feature's last value forward\n"
    "  --out DIR      (import) the folder to write\n",
    cmd_data};

static int cmd_data(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_data_entry;
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'}, {"sample", no_argument, NULL, 's'},
        {"from", required_argument, NULL, 'f'}, {"nan", required_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},  {NULL, 0, NULL, 0},
    };
    if (argc < 2) return cli_usage_error(self, "say 'fetch', 'info' or 'import'");
    const char *sub = argv[1];
    int fetch = strcmp(sub, "fetch") == 0, import = strcmp(sub, "import") == 0;
    if (!fetch && !import && strcmp(sub, "info") != 0)
        return cli_usage_error(self, "unknown subcommand '%s' (say 'fetch', 'info' or 'import')",
                               sub);
    struct cli_data o = {0};
    const char *from = NULL, *out = NULL, *csv = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.dir = optarg;
            break;
        case 's':
            cli_sample_option(&o, argc - 1, argv + 1);
            break;
        case 'f':
            from = optarg;
            break;
        case 'n':
            if (cli_nan_option(&o, optarg) != 0)
                return cli_usage_error(self, "--nan must be refuse, zero or carry, not '%s'",
                                       optarg);
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return cli_option_error(self, argv + 1, longopts);
        }
    }
    if (import && optind < argc - 1) csv = argv[1 + optind++];
    if (optind < argc - 1)
        return cli_usage_error(self, "unexpected argument '%s'", argv[optind + 1]);
    if (import) {
        if (!csv) return cli_usage_error(self, "import needs a FILE.csv");
        if (!out) return cli_usage_error(self, "import needs --out DIR");
        if (o.dir || o.sample || from)
            return cli_usage_error(self, "import takes only FILE.csv and --out DIR");
        return data_import(csv, out);
    }
    if (out) return cli_usage_error(self, "--out is for 'import'");
    if (fetch && o.sample)
        return cli_usage_error(self, "--sample is for 'info'; 'fetch' installs the real data");
    if (!fetch && from) return cli_usage_error(self, "--from is for 'fetch'");
    if (o.sample && o.dir) return cli_usage_error(self, "--data and --sample exclude each other");
    return fetch ? data_fetch(&o, from) : data_info(&o);
}
