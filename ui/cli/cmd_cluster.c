/* `ftlab embed | cluster | score | eval` — the paper's measurements from a shell. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "blas.h"
#include "evaluate.h"
#include "kmeans.h"
#include "labels.h"
#include "metrics.h"
#include "npy.h"
#include "session.h"
#include "util.h"

/* Loads what a run was trained on, unless --data/--sample says otherwise; with
 * test_only the training split may be left empty (dataset_load_test). */
static int load_eval_data(const struct cli_data *o, const struct trainer_config *c, int test_only,
                          struct dataset_pair *p, char *err)
{
    int sample;
    struct trainer_config run = *c;
    if (!o->dir && !o->sample) return session_load_run_data(&run, test_only, p, err);
    struct cli_data d = *o;
    d.nan = c->nan; /* the run's handling of missing values, and below its scaling */
    d.test_only = test_only;
    if (cli_load_data(&d, p, &sample, err) != 0) return -1;
    if (session_prepare_data(&run, 0, p, err) != 0) {
        dataset_pair_free(p);
        return -1;
    }
    return 0;
}

/* "9,10,11" into ks. */
static int parse_ks(const char *s, struct eval_opts *e)
{
    return cli_parse_ks(s, e->k, EVAL_MAX_K, &e->nk);
}

static void print_scores(const struct cluster_scores *s)
{
    printf("mi %.15g\nami_max %.15g\nami_arithmetic %.15g\nami_geometric %.15g\nami_min %.15g\n"
           "nmi_arithmetic %.15g\nnmi_geometric %.15g\nari %.15g\n",
           s->mi, s->ami_max, s->ami_arithmetic, s->ami_geometric, s->ami_min, s->nmi_arithmetic,
           s->nmi_geometric, s->ari);
}

// ---- embed ----

static int cmd_embed(int argc, char **argv);

const struct cli_cmd cmd_embed_entry = {
    "embed", "CKPT|RUN_DIR [--data DIR | --sample [NAME]] [--split train|test] --out FILE.npy",
    "write the target layer's activations (N x K, float32)",
    "  --split S      train or test (default test)\n"
    "  --out FILE     the .npy to write\n",
    cmd_embed};

static int cmd_embed(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_embed_entry;
    static const struct option lo[] = {{"data", required_argument, NULL, 'd'},
                                       {"sample", no_argument, NULL, 's'},
                                       {"split", required_argument, NULL, 'p'},
                                       {"out", required_argument, NULL, 'o'},
                                       {NULL, 0, NULL, 0}};
    struct cli_data data = {0};
    const char *split = "test", *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'd':
            data.dir = optarg;
            break;
        case 's':
            if (cli_sample_option(&data, argc, argv) != 0)
                return cli_usage_error(self, "--sample: digits or vitals, not '%s'", optarg);
            break;
        case 'p':
            split = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    if (optind != argc - 1) return cli_usage_error(self, "needs one checkpoint or run directory");
    if (!out) return cli_usage_error(self, "needs --out FILE.npy");
    if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0)
        return cli_usage_error(self, "--split must be train or test");
    char err[FTL_ERRLEN];
    struct model m;
    struct trainer_config cfg;
    struct dataset_pair p;
    if (session_load_model(argv[optind], &m, &cfg, NULL, err) != 0) return cli_fail("%s", err);
    if (load_eval_data(&data, &cfg, strcmp(split, "test") == 0, &p, err) != 0) {
        model_free(&m);
        return cli_fail("%s", err);
    }
    const struct dataset *d = strcmp(split, "train") == 0 ? &p.train : &p.test;
    float *acts = xmallocarray(d->n * (size_t)m.K, sizeof *acts);
    model_predict_threads(&m, 256, d, blas_single(), acts, NULL, NULL, NULL); /* as eval does */
    size_t shape[2] = {d->n, (size_t)m.K};
    int rc = npy_write(out, NPY_F4, 2, shape, acts, err) == 0 ? EXIT_OK : cli_fail("%s", err);
    free(acts);
    dataset_pair_free(&p);
    model_free(&m);
    return rc;
}

// ---- cluster ----

static int cmd_cluster(int argc, char **argv);

const struct cli_cmd cmd_cluster_entry = {
    "cluster", "FEATURES.npy --k K [--n-init N] [--seed S] [--out ASSIGN.npy] [--labels LABELS]",
    "KMeans as scikit-learn does it, on any feature matrix",
    "  Prints 'inertia VALUE'; with --labels also the scores of 'ftlab score'.\n"
    "  FEATURES: a 2-d .npy, f4 or f8. LABELS: an integer .npy or text, one per line.\n"
    "  --k K          clusters\n"
    "  --n-init N     k-means++ restarts, the lowest inertia wins (default 10)\n"
    "  --seed S       seed (default 0)\n"
    "  --out FILE     the assignments as int32 .npy\n",
    cmd_cluster};

static int cmd_cluster(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_cluster_entry;
    static const struct option lo[] = {
        {"k", required_argument, NULL, 'k'},      {"n-init", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},   {"out", required_argument, NULL, 'o'},
        {"labels", required_argument, NULL, 'l'}, {NULL, 0, NULL, 0}};
    long k = 0, n_init = 10;
    uint64_t seed = 0;
    const char *out = NULL, *labels = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (cli_parse_long(optarg, 1, 1000000, &k))
                return cli_usage_error(self, "--k needs a positive integer");
            break;
        case 'n':
            if (cli_parse_long(optarg, 1, 10000, &n_init))
                return cli_usage_error(self, "--n-init needs a positive integer");
            break;
        case 's':
            if (cli_parse_u64(optarg, &seed))
                return cli_usage_error(self, "--seed needs a non-negative integer");
            break;
        case 'o':
            out = optarg;
            break;
        case 'l':
            labels = optarg;
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    if (optind != argc - 1) return cli_usage_error(self, "needs one FEATURES.npy");
    if (k == 0) return cli_usage_error(self, "needs --k K");
    const char *path = argv[optind];
    char err[FTL_ERRLEN];
    struct npy a;
    if (npy_read(path, &a, err) != 0) return cli_fail("%s", err);
    int rc = EXIT_FAIL;
    double *X = NULL;
    int64_t *truth = NULL, *pred = NULL;
    size_t ntruth = 0;
    struct kmeans_result kr = {0};
    if (a.ndim != 2 || a.shape[1] == 0 || a.shape[1] > 1000000) {
        cli_fail("%s: features must be a 2-d array (samples x features)", path);
        goto out;
    }
    if (a.shape[0] == 0) {
        cli_fail("%s: no rows (0 samples x %zu features): nothing to cluster", path, a.shape[1]);
        goto out;
    }
    if (a.dtype != NPY_F4 && a.dtype != NPY_F8) {
        cli_fail("%s: features have dtype %s; f4 or f8 is needed", path, npy_dtype_name(a.dtype));
        goto out;
    }
    size_t n = a.shape[0];
    int d = (int)a.shape[1];
    if ((size_t)k > n) {
        cli_fail("%s: %ld clusters for %zu samples", path, k, n);
        goto out;
    }
    if (labels) {
        if (labels_read(labels, &truth, &ntruth, err) != 0) {
            cli_fail("%s", err);
            goto out;
        }
        if (ntruth != n) {
            cli_fail("%s: %zu labels for %zu samples in %s", labels, ntruth, n, path);
            goto out;
        }
    }
    X = xmallocarray(a.count, sizeof *X);
    for (size_t i = 0; i < a.count; i++)
        X[i] = npy_get_f64(&a, i);
    struct kmeans_opts ko;
    kmeans_opts_default(&ko, (int)k);
    ko.n_init = (int)n_init;
    ko.seed = seed;
    if (kmeans_fit(X, n, d, &ko, &kr, err) != 0) {
        cli_fail("%s: %s", path, err);
        goto out;
    }
    /* Written before anything is printed: a failure prints no results beside its status. */
    if (out) {
        size_t shape[1] = {n};
        if (npy_write(out, NPY_I4, 1, shape, kr.labels, err) != 0) {
            cli_fail("%s", err);
            goto out;
        }
    }
    printf("inertia %.15g\n", kr.inertia);
    if (truth) {
        struct cluster_scores s;
        pred = xmallocarray(n, sizeof *pred);
        for (size_t i = 0; i < n; i++)
            pred[i] = kr.labels[i];
        metrics_score(truth, pred, n, &s);
        print_scores(&s);
        printf("accuracy %.15g\n", s.accuracy);
    }
    rc = EXIT_OK;
out:
    kmeans_result_free(&kr);
    free(X);
    free(truth);
    free(pred);
    npy_free(&a);
    return rc;
}

// ---- score ----

static int cmd_score(int argc, char **argv);

const struct cli_cmd cmd_score_entry = {
    "score", "--true A --pred B",
    "mutual-information scores of two labelings, exactly as scikit-learn 1.2",
    "  Prints one 'name value' line each: mi, ami_max, ami_arithmetic,\n"
    "  ami_geometric, ami_min, nmi_arithmetic, nmi_geometric, ari.\n"
    "  A and B: integer .npy files (any integer dtype) or text, one integer per line;\n"
    "  labels need not be contiguous.\n",
    cmd_score};

static int cmd_score(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_score_entry;
    static const struct option lo[] = {{"true", required_argument, NULL, 't'},
                                       {"pred", required_argument, NULL, 'p'},
                                       {NULL, 0, NULL, 0}};
    const char *tp = NULL, *pp = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 't':
            tp = optarg;
            break;
        case 'p':
            pp = optarg;
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    if (optind < argc) return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    if (!tp || !pp) return cli_usage_error(self, "needs --true FILE and --pred FILE");
    char err[FTL_ERRLEN];
    int64_t *t = NULL, *p = NULL;
    size_t nt, np;
    int rc = EXIT_OK;
    if (labels_read(tp, &t, &nt, err) != 0 || labels_read(pp, &p, &np, err) != 0)
        rc = cli_fail("%s", err);
    else if (nt != np)
        rc = cli_fail("%s: %zu labels, but %s has %zu", pp, np, tp, nt);
    else {
        struct cluster_scores s;
        metrics_score(t, p, nt, &s);
        print_scores(&s);
    }
    free(t);
    free(p);
    return rc;
}

// ---- eval ----

static int cmd_eval(int argc, char **argv);

/*
 * Where eval's files go without --out. A run's results (RUN_DIR/eval.csv,
 * actmap.csv, clusters.csv: what `ftlab plot` draws as final) only ever come
 * from its newest checkpoint; any older one writes beside itself, in
 * RUN/checkpoints/NAME-eval/, so evaluating initial.ckpt cannot pass for the end.
 * A checkpoint outside a run: beside it too. A new string.
 */
char *cli_eval_dir(const char *target, uint64_t step)
{
    if (ftl_is_dir(target)) return xstrdup(target);
    char *copy = xstrdup(target), *ckdir = xstrdup(dirname(copy)), *run = xstrdup(dirname(ckdir));
    char *cfgpath = run_path(run, "config"), *dir = NULL;
    uint64_t newest = 0;
    char *ck = ftl_is_file(cfgpath) ? session_newest_checkpoint(run, &newest, NULL) : NULL;
    if (ck && newest == step) {
        dir = run;
        run = NULL;
    } else {
        size_t n = strlen(target);
        dir = xmalloc(n + 8);
        snprintf(dir, n + 8, "%.*s-eval",
                 (int)(n > 5 && strcmp(target + n - 5, ".ckpt") == 0 ? n - 5 : n), target);
    }
    free(ck);
    free(cfgpath);
    free(run);
    free(ckdir);
    free(copy);
    return dir;
}

const struct cli_cmd cmd_eval_entry = {
    "eval",
    "CKPT|RUN_DIR [--data DIR | --sample [NAME]] [--k 9,10,11] [--seed S] [--n-init N] [--out "
    "DIR]\n"
    "       [--times]",
    "test figure, KMeans cluster scores and the Figure 2 table of a trained network",
    "  Forwards the test split, prints the test accuracy (classify) or the\n"
    "  reconstruction error (autoencode), clusters the target layer's activations\n"
    "  with KMeans (k-means++, N restarts) for each k and scores the clusters\n"
    "  against the data's groups (the ten digits for MNIST; the binary labels for\n"
    "  data without groups; AMI_max is the paper's headline), and prints the\n"
    "  Figure 2 histogram: for each unit, the test sequences whose most active\n"
    "  unit it is, per group. Writes RUN_DIR/eval.csv, RUN_DIR/actmap.csv,\n"
    "  RUN_DIR/clusters.csv (the first k's clusters x groups, for 'ftlab plot'),\n"
    "  RUN_DIR/groups.txt (the column names) for data other than digits, and for\n"
    "  digits RUN_DIR/acthist.csv (each unit's activation histogram per digit, 40\n"
    "  bins on one range for all units: unit,digit,bin,lo,hi,count) and\n"
    "  RUN_DIR/actmean.csv (its mean per digit, its min and max, dead = constant).\n"
    "  --data DIR | --sample [NAME]   other data than the run was trained on\n"
    "  --k LIST       cluster counts, 2 or more (default: groups - 1, groups,\n"
    "                 groups + 1; 9,10,11 for MNIST)\n"
    "  --seed S       KMeans seed (default: the run's seed)\n"
    "  --n-init N     KMeans restarts (default 10)\n"
    "  --out DIR      where those five files go (default: the run\n"
    "                 directory for its newest checkpoint; beside any older checkpoint,\n"
    "                 in checkpoints/NAME-eval/, so a run's results are always its last)\n"
    "  --times        print on stderr where the time went: loading the test split,\n"
    "                 the forward pass, KMeans and scores (wall seconds)\n",
    cmd_eval};

static int cmd_eval(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_eval_entry;
    static const struct option lo[] = {
        {"data", required_argument, NULL, 'd'},   {"sample", no_argument, NULL, 's'},
        {"k", required_argument, NULL, 'k'},      {"seed", required_argument, NULL, 'S'},
        {"n-init", required_argument, NULL, 'n'}, {"out", required_argument, NULL, 'o'},
        {"times", no_argument, NULL, 't'},        {NULL, 0, NULL, 0}};
    struct cli_data data = {0};
    struct eval_opts eo;
    eval_opts_default(&eo);
    int seed_set = 0, k_set = 0, times = 0;
    const char *out = NULL;
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'd':
            data.dir = optarg;
            break;
        case 's':
            if (cli_sample_option(&data, argc, argv) != 0)
                return cli_usage_error(self, "--sample: digits or vitals, not '%s'", optarg);
            break;
        case 'k':
            if (parse_ks(optarg, &eo))
                return cli_usage_error(
                    self, "--k needs distinct cluster counts of 2 or more, like 9,10,11");
            k_set = 1;
            break;
        case 'S':
            if (cli_parse_u64(optarg, &eo.seed))
                return cli_usage_error(self, "--seed needs a non-negative integer");
            seed_set = 1;
            break;
        case 'n':
            if (cli_parse_long(optarg, 1, 10000, &v))
                return cli_usage_error(self, "--n-init needs a positive integer");
            eo.n_init = (int)v;
            break;
        case 'o':
            out = optarg;
            break;
        case 't':
            times = 1;
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    if (optind != argc - 1) return cli_usage_error(self, "needs one checkpoint or run directory");
    return cli_eval(argv[optind], &data, &eo, seed_set, k_set, out, stdout, times ? stderr : NULL);
}

/* The nearest folder on dir's path that is there: dir, a parent, "/" or "." (a new string). */
static char *existing_folder(const char *dir)
{
    char *p = xstrdup(dir);
    while (!ftl_is_dir(p)) {
        char *slash = strrchr(p, '/');
        if (!slash) {
            free(p);
            return xstrdup(".");
        }
        slash[slash == p] = '\0'; /* "/x" becomes "/" */
    }
    return p;
}

/*
 * Where eval writes (the run, a folder beside an older checkpoint, or --out), held and checked
 * before the work: a run another process trains in, or a folder that cannot be written (the
 * nearest one there, for a folder still to make), is refused before a second of computing.
 * The lock (or -2 when dir is not a run) into *lock.
 */
static int eval_claim_dir(const char *dir, int *lock, char *err)
{
    char *cfgfile = run_path(dir, "config");
    *lock = ftl_is_file(cfgfile) ? run_lock(dir, err) : -2;
    free(cfgfile);
    if (*lock == -1) {
        size_t used = strlen(err);
        snprintf(err + used, FTL_ERRLEN - used, " (or write the results elsewhere with --out DIR)");
        return -1;
    }
    char *there = existing_folder(dir);
    int rc = access(there, W_OK) == 0
                 ? 0
                 : ftl_error(err, "%s: cannot write the results there: %s", there, strerror(errno));
    free(there);
    return rc;
}

int cli_eval(const char *target, const struct cli_data *data, struct eval_opts *eo, int seed_set,
             int k_set, const char *out, FILE *report, FILE *times)
{
    char err[FTL_ERRLEN];
    struct model m;
    struct trainer_config cfg;
    struct dataset_pair p;
    uint64_t step = 0;
    if (session_load_model(target, &m, &cfg, &step, err) != 0) return cli_fail("%s", err);
    char *dir = out ? xstrdup(out) : cli_eval_dir(target, step);
    int lock, rc = EXIT_OK;
    if (eval_claim_dir(dir, &lock, err) != 0) {
        rc = cli_fail("%s", err);
        goto out;
    }
    if (!seed_set) eo->seed = cfg.seed; /* KMeans seeded from the run (SPEC.md §10 row 20) */
    double t0 = ftl_now();
    if (load_eval_data(data, &cfg, 1, &p, err) != 0) {
        rc = cli_fail("%s", err);
        goto out;
    }
    double load_s = ftl_now() - t0;
    if (!k_set) eval_opts_set_classes(eo, dataset_nclasses(&p.test));
    struct eval_result r;
    if (eval_run(&m, &p.test, eo, &r, err) != 0) {
        rc = cli_fail("%s", err);
    } else {
        if (times)
            fprintf(times,
                    "eval times: load %.3f s, forward %.3f s, kmeans %.3f s (%zu sequences, k = "
                    "%d..%d, %d restarts)\n",
                    load_s, r.seconds_forward, r.seconds_cluster, p.test.n, eo->k[0],
                    eo->k[eo->nk - 1], eo->n_init);
        /* Written before anything is printed: a failure prints no results beside its status. */
        if (ftl_mkdir_p(dir, err) != 0 || eval_write_csv(&r, dir, step, err) != 0) {
            rc = cli_fail("%s", err);
        } else if (report) {
            eval_print(&r, report);
            fprintf(
                report,
                "\nwrote eval.csv, actmap.csv, clusters.csv, acthist.csv and actmean.csv in %s\n",
                dir);
        }
        eval_result_free(&r);
    }
    dataset_pair_free(&p);
out:
    if (lock >= 0) close(lock);
    free(dir);
    model_free(&m);
    return rc;
}
