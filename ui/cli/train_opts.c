/* train_opts — shared training options. See train_opts.h. */
#include "train_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fetch.h"
#include "session.h"
#include "util.h"

/* The options every training front end shares; how long it trains (LENGTH_HELP) differs. */
#define COMMON_HELP(LENGTH_HELP)                                                                   \
    "  --data DIR           data folder: MNIST strokes, or sequences (train.npz/test.npz or\n"     \
    "                       train_x.npy...; see 'ftlab data info') (default $FTLAB_DATA, else\n"   \
    "                       the installed data, else the embedded sample)\n"                       \
    "  --sample [NAME]      an embedded sample: digits (default, synthetic pen strokes) or\n"      \
    "                       vitals (six-channel synthetic ICU stays, six latent patient types)\n"  \
    "  --nan MODE           NaN inside a sequence: refuse (default), zero, or carry the last "     \
    "value\n"                                                                                      \
    "  --standardize        scale each feature by the training split's mean and std (stored in\n"  \
    "                       the run's config, applied the same at eval, resume and replay)\n"      \
    "  --task T             classify (default) or autoencode\n"                                    \
    "  --loss L             baseline (default), decov, xcov or proposed\n"                         \
    "  --lambda X           regulariser weight (default: the loss's own, as table1 uses)\n"        \
    "  --margin M           KL margin of the proposed loss (default 5)\n"                          \
    "  --hidden H           GRU units (default 128)\n"                                             \
    "  --units K            units of the target layer, FC1 or the code (default 32)\n"             \
    "  --batch-size B       sequences per batch (default 256)\n" LENGTH_HELP                       \
    "  --optimizer O        adam (default) or sgd\n"                                               \
    "  --lr X               learning rate (default 0.001)\n"                                       \
    "  --clip X             clip the gradient's global norm at X (default off)\n"                  \
    "  --seed S             seed of the weights and the shuffles (default 1)\n"                    \
    "  --init CKPT          start from the weights of CKPT (same task and sizes)\n"                \
    "                       instead of seeded ones; the seed still orders the data\n"              \
    "  --no-shuffle         keep the file order: batch 1 is the first B sequences\n"               \
    "  --limit N            use only the first N training sequences\n"                             \
    "  --threads T          threads for the GRU layers (OpenBLAS itself runs one;\n"               \
    "                       default: as many as OpenBLAS would use)\n"                             \
    "  --out RUN_DIR        where the run goes (default runs/DATE-TIME-TASK)\n"                    \
    "  --resume RUN_DIR     continue a run where it stopped (its journal is checked first)\n"      \
    "  --on-write-error A   when a run file cannot be written (full disk, read-only folder):\n"    \
    "                       stop (default: save what can be saved, exit 1) or continue\n"          \
    "                       (warn once, train on, retry the writes at the next checkpoint)\n"      \
    "  -q, --quiet          no progress output\n"

const char train_opts_help[] =
    COMMON_HELP("  --epochs E           train E epochs (default 10)\n"
                "  --steps N            train N batches instead of whole epochs\n");

/* The workbench's own options (and its default end), after the ones every trainer shares. */
#define TUI_OPTIONS                                                                                \
    "  --paused             open with training paused (space starts it), so keys set\n"            \
    "                       the controls before the first batch\n"                                 \
    "  --ghost RUN_DIR      draw another run's loss and AMI curves faint beneath\n"                \
    "                       this one, aligned by step (g flips Figure 2 to it);\n"                 \
    "                       repeatable, up to 3; a table1 or sweep folder gives\n"                 \
    "                       its runs of this task, one per loss\n"                                 \
    "  --present            presenter mode, for a projector: Figure 2 large, the\n"                \
    "                       loss, lambda, accuracy and AMI_max in large type, what\n"              \
    "                       the network sees (one test digit, its strongest unit)\n"               \
    "  --lesson FILE        run a lesson: captions and control changes at steps or\n"              \
    "                       on Enter (format: man ftlab, LESSONS; two ship in\n"                   \
    "                       sample-data/lessons/)\n"                                               \
    "  --theme T            dark (default), light (dark on white: projectors) or\n"                \
    "                       mono (attributes only: printouts, colour-blind viewers)\n"             \
    "  --symbols S          how charts draw: braille (default), block (quadrant\n"                 \
    "                       blocks) or ascii (a mark per series, ASCII only)\n"                    \
    "  --record FILE.cast   record the session as an asciicast v2 file (asciinema\n"               \
    "                       play FILE.cast plays it): every frame as drawn, at most\n"             \
    "                       10 a second; written as it goes, so a killed session\n"                \
    "                       still plays; an existing FILE is never overwritten\n"                  \
    "  --follow RUN_DIR...  watch runs another process trains (ftlab train, table1,\n"             \
    "                       a job writing to a shared folder), read-only: their\n"                 \
    "                       curves, Figure 2 and scores; a folder of runs\n"                       \
    "                       (runs/*/config) stands for its runs; takes no other\n"                 \
    "                       option but --theme and --symbols\n"                                    \
    "  (The display defaults -- theme, symbols, smoothing, log_scale -- come from\n"               \
    "  $XDG_CONFIG_HOME/ftlab/config, default ~/.config/ftlab/config, 'key value'\n"               \
    "  lines; --theme and --symbols override it. man ftlab, FILES.)\n"

const char train_opts_tui_help[] =
    COMMON_HELP("  --epochs E           stop after E epochs (default: train until you quit;\n"
                "                       a resumed run keeps the end it had)\n"
                "  --steps N            stop after N batches\n") TUI_OPTIONS;

enum {
    OPT_DATA = 256,
    OPT_SAMPLE,
    OPT_TASK,
    OPT_LOSS,
    OPT_LAMBDA,
    OPT_MARGIN,
    OPT_HIDDEN,
    OPT_UNITS,
    OPT_BATCH,
    OPT_EPOCHS,
    OPT_STEPS,
    OPT_OPTIMIZER,
    OPT_LR,
    OPT_CLIP,
    OPT_SEED,
    OPT_NO_SHUFFLE,
    OPT_LIMIT,
    OPT_THREADS,
    OPT_OUT,
    OPT_RESUME,
    OPT_ON_WRITE_ERROR,
    OPT_INIT,
    OPT_PAUSED,
    OPT_GHOST,
    OPT_PRESENT,
    OPT_LESSON,
    OPT_THEME,
    OPT_SYMBOLS,
    OPT_RECORD,
    OPT_NAN,
    OPT_STANDARDIZE,
};

static const struct option longopts[] = {
    {"data", required_argument, NULL, OPT_DATA},
    {"sample", no_argument, NULL, OPT_SAMPLE},
    {"nan", required_argument, NULL, OPT_NAN},
    {"standardize", no_argument, NULL, OPT_STANDARDIZE},
    {"task", required_argument, NULL, OPT_TASK},
    {"loss", required_argument, NULL, OPT_LOSS},
    {"lambda", required_argument, NULL, OPT_LAMBDA},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"units", required_argument, NULL, OPT_UNITS},
    {"batch-size", required_argument, NULL, OPT_BATCH},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"optimizer", required_argument, NULL, OPT_OPTIMIZER},
    {"lr", required_argument, NULL, OPT_LR},
    {"clip", required_argument, NULL, OPT_CLIP},
    {"seed", required_argument, NULL, OPT_SEED},
    {"no-shuffle", no_argument, NULL, OPT_NO_SHUFFLE},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"out", required_argument, NULL, OPT_OUT},
    {"resume", required_argument, NULL, OPT_RESUME},
    {"on-write-error", required_argument, NULL, OPT_ON_WRITE_ERROR},
    {"init", required_argument, NULL, OPT_INIT},
    {"paused", no_argument, NULL, OPT_PAUSED},
    {"ghost", required_argument, NULL, OPT_GHOST},
    {"present", no_argument, NULL, OPT_PRESENT},
    {"lesson", required_argument, NULL, OPT_LESSON},
    {"theme", required_argument, NULL, OPT_THEME},
    {"symbols", required_argument, NULL, OPT_SYMBOLS},
    {"record", required_argument, NULL, OPT_RECORD},
    {"quiet", no_argument, NULL, 'q'},
    {NULL, 0, NULL, 0},
};

int train_opts_theme(const struct cli_cmd *self, const char *a, int *theme)
{
    if ((*theme = display_theme_from_name(a)) < 0)
        return cli_usage_error(self, "--theme must be dark, light or mono, not '%s'", a);
    return 0;
}

int train_opts_symbols(const struct cli_cmd *self, const char *a, int *symbols)
{
    if ((*symbols = display_symbols_from_name(a)) < 0)
        return cli_usage_error(self, "--symbols must be braille, block or ascii, not '%s'", a);
    return 0;
}

int train_opts_display(int theme, int symbols, struct display_settings *d)
{
    char err[FTL_ERRLEN];
    display_defaults(d);
    if (display_load(NULL, d, err) != 0) return cli_fail("%s", err);
    if (theme >= 0) d->theme = (enum display_theme)theme;
    if (symbols >= 0) d->symbols = (enum display_symbols)symbols;
    return 0;
}

int train_opts_parse(const struct cli_cmd *self, int argc, char **argv, struct train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->theme = o->symbols = -1;
    trainer_config_defaults(&o->cfg, &o->ctl);
    int c;
    long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
        const char *a = optarg;
        /* What a run is cannot change when it resumes; remember the first such option. */
        static const int fixed[] = {
            OPT_DATA, OPT_SAMPLE, OPT_TASK,  OPT_HIDDEN,     OPT_UNITS, OPT_BATCH, OPT_OPTIMIZER,
            OPT_CLIP, OPT_SEED,   OPT_LIMIT, OPT_NO_SHUFFLE, OPT_INIT,  OPT_NAN,   OPT_STANDARDIZE};
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && !o->fixed_given; i++)
            for (const struct option *lo = longopts; lo->name && fixed[i] == c; lo++)
                if (lo->val == c) o->fixed_given = lo->name;
        switch (c) {
        case OPT_DATA:
            o->data.dir = a;
            break;
        case OPT_SAMPLE:
            if (cli_sample_option(&o->data, argc, argv) != 0)
                return cli_usage_error(self, "--sample: digits or vitals, not '%s'", a);
            break;
        case OPT_NAN:
            if (cli_nan_option(&o->data, a) != 0)
                return cli_usage_error(self, "--nan must be refuse, zero or carry, not '%s'", a);
            o->cfg.nan = o->data.nan;
            break;
        case OPT_STANDARDIZE:
            o->cfg.standardize = 1;
            break;
        case OPT_TASK:
            if ((v = model_task_from_name(a)) < 0)
                return cli_usage_error(self, "--task must be classify or autoencode, not '%s'", a);
            o->cfg.task = (enum model_task)v;
            break;
        case OPT_LOSS:
            if ((v = reg_from_name(a)) < 0) {
                char names[128];
                return cli_usage_error(self, "--loss must be %s, not '%s'",
                                       reg_names(names, sizeof names, " or "), a);
            }
            o->ctl.loss = (enum reg_kind)v;
            o->set_loss = 1;
            break;
        case OPT_LAMBDA:
        case OPT_MARGIN:
        case OPT_LR: {
            enum ctl_id id = c == OPT_LAMBDA ? CTL_LAMBDA : c == OPT_MARGIN ? CTL_MARGIN : CTL_LR;
            double x;
            char why[FTL_ERRLEN];
            if (ctl_parse(id, a, &x, why) != 0) return cli_usage_error(self, "--%s", why);
            ctl_set(&o->ctl, id, x);
            o->set_lambda |= id == CTL_LAMBDA;
            o->set_ctl[id] = 1;
            break;
        }
        case OPT_HIDDEN:
            if (cli_parse_long(a, 1, 4096, &v))
                return cli_usage_error(self, "--hidden needs an integer in 1..4096, not '%s'", a);
            o->cfg.hidden = (int)v;
            break;
        case OPT_UNITS:
            if (cli_parse_long(a, 2, 4096, &v))
                return cli_usage_error(self, "--units needs an integer in 2..4096, not '%s'", a);
            o->cfg.units = (int)v;
            break;
        case OPT_BATCH:
            if (cli_parse_long(a, 2, 65536, &v))
                return cli_usage_error(self, "--batch-size needs an integer in 2..65536, not '%s'",
                                       a);
            o->cfg.batch_size = (int)v;
            break;
        case OPT_EPOCHS:
            if (cli_parse_long(a, 1, 1000000, &o->cfg.epochs))
                return cli_usage_error(self, "--epochs needs a positive integer, not '%s'", a);
            o->cfg.steps = 0;
            o->set_epochs = 1;
            break;
        case OPT_STEPS:
            if (cli_parse_long(a, 1, 1000000000, &o->cfg.steps))
                return cli_usage_error(self, "--steps needs a positive integer, not '%s'", a);
            o->cfg.epochs = 0;
            o->set_steps = 1;
            break;
        case OPT_OPTIMIZER:
            if ((v = optim_kind_from_name(a)) < 0)
                return cli_usage_error(self, "--optimizer must be adam or sgd, not '%s'", a);
            o->cfg.optimizer = (enum optim_kind)v;
            break;
        case OPT_CLIP:
            if (cli_parse_double(a, 0, 1e12, &o->cfg.clip))
                return cli_usage_error(self, "--clip needs a number >= 0, not '%s'", a);
            break;
        case OPT_SEED:
            if (cli_parse_u64(a, &o->cfg.seed))
                return cli_usage_error(self, "--seed needs a non-negative integer, not '%s'", a);
            break;
        case OPT_NO_SHUFFLE:
            o->cfg.shuffle = 0;
            break;
        case OPT_LIMIT:
            if (cli_parse_long(a, 1, 1L << 40, &o->cfg.limit))
                return cli_usage_error(self, "--limit needs a positive integer, not '%s'", a);
            break;
        case OPT_THREADS:
            if (cli_parse_long(a, 1, 256, &v))
                return cli_usage_error(self, "--threads needs an integer in 1..256, not '%s'", a);
            o->cfg.threads = (int)v;
            break;
        case OPT_OUT:
            o->out = a;
            break;
        case OPT_RESUME:
            o->resume = a;
            break;
        case OPT_ON_WRITE_ERROR:
            if (strcmp(a, "stop") == 0)
                o->on_write_error = SESSION_WRITE_STOP;
            else if (strcmp(a, "continue") == 0)
                o->on_write_error = SESSION_WRITE_CONTINUE;
            else
                return cli_usage_error(self, "--on-write-error must be stop or continue, not '%s'",
                                       a);
            break;
        case OPT_INIT:
            o->init = a;
            break;
        case OPT_PAUSED:
            o->paused = 1;
            if (!o->tui_given) o->tui_given = "paused";
            break;
        case OPT_THEME:
            if (train_opts_theme(self, a, &o->theme)) return EXIT_USAGE;
            if (!o->tui_given) o->tui_given = "theme";
            break;
        case OPT_SYMBOLS:
            if (train_opts_symbols(self, a, &o->symbols)) return EXIT_USAGE;
            if (!o->tui_given) o->tui_given = "symbols";
            break;
        case OPT_PRESENT:
            if (!o->tui_given) o->tui_given = "present";
            o->present = 1;
            break;
        case OPT_LESSON:
            if (!o->tui_given) o->tui_given = "lesson";
            o->lesson = optarg;
            break;
        case OPT_GHOST:
            if (!o->tui_given) o->tui_given = "ghost";
            if (o->nghost == 3)
                return cli_usage_error(self, "--ghost: at most 3 runs are drawn faint");
            o->ghost[o->nghost++] = optarg;
            break;
        case OPT_RECORD:
            o->record = a;
            break;
        case 'q':
            o->quiet = 1;
            break;
        default:
            return cli_option_error(self, argv, longopts);
        }
    }
    if (optind < argc) return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    /* λ's scale is the loss's own: without --lambda, the loss's default (reg_table). */
    if (!o->set_lambda) o->ctl.lambda = reg_table[o->ctl.loss].default_lambda;
    if (o->set_epochs && o->set_steps)
        return cli_usage_error(self, "--epochs and --steps exclude each other");
    if (o->data.sample && o->data.dir)
        return cli_usage_error(self, "--data and --sample exclude each other");
    if (o->resume && o->out)
        return cli_usage_error(self, "--resume continues in its own folder; drop --out");
    if (o->resume && o->fixed_given)
        return cli_usage_error(
            self,
            "--%s cannot change when a run resumes: it keeps its own (drop --%s, "
            "or start a new run)",
            o->fixed_given, o->fixed_given);
    if (o->init && strlen(o->init) >= sizeof o->cfg.init)
        return cli_usage_error(self, "--init: the path is too long");
    return 0;
}

char *train_opts_default_out(const struct trainer_config *c)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char base[128], buf[160], err[FTL_ERRLEN];
    snprintf(base, sizeof base, "runs/%04d%02d%02d-%02d%02d%02d-%s", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, model_task_name(c->task));
    /* Taken by mkdir, which only one process can win: two runs started in the same
     * second get base and base-2, never one folder between them. */
    if (ftl_mkdir_p("runs", err) != 0) return xstrdup(base);
    for (int n = 1; n < 1000; n++) {
        if (n == 1)
            snprintf(buf, sizeof buf, "%s", base);
        else
            snprintf(buf, sizeof buf, "%s-%d", base, n);
        if (mkdir(buf, 0777) == 0 || errno != EEXIST) break;
    }
    return xstrdup(buf);
}

int train_opts_open(struct train_opts *o, struct session *s, char **dir, int *sample, char *err)
{
    struct dataset_pair data;
    *dir = NULL;
    if (o->resume) {
        struct trainer_controls k;
        struct trainer_config saved;
        if (session_read_config(o->resume, &saved, &k, err) != 0) return -1;
        if (o->set_epochs || o->set_steps) {
            saved.epochs = o->cfg.epochs;
            saved.steps = o->cfg.steps;
        }
        *sample = session_data_is_sample(saved.data, NULL);
        if (session_load_run_data(&saved, 0, &data, err) != 0 ||
            session_resume(s, o->resume, &saved, &data, err) != 0)
            return -1;
        char notice[FTL_ERRLEN];
        if (session_take_notice(s, notice)) fprintf(stderr, "ftlab: %s\n", notice);
        /* Controls given with --resume apply from the next batch, journaled like a key. */
        struct trainer_controls want = s->tr.ctl;
        if (o->set_loss) {
            want.loss = o->ctl.loss;
            want.lambda = reg_table[want.loss].default_lambda;
        }
        for (int i = CTL_LOSS + 1; i < CTL_COUNT; i++)
            if (o->set_ctl[i]) ctl_set(&want, (enum ctl_id)i, ctl_get(&o->ctl, (enum ctl_id)i));
        trainer_apply(&s->tr, &want);
        s->on_write_error = o->on_write_error;
        *dir = xstrdup(o->resume);
        return 0;
    }
    if (cli_load_data(&o->data, &data, sample, err) != 0) return -1;
    if (o->cfg.standardize && data.train.dim > 128) {
        int dim = data.train.dim;
        dataset_pair_free(&data);
        return ftl_error(err, "--standardize: at most 128 features (the data have %d)", dim);
    }
    if (session_prepare_data(&o->cfg, 1, &data, err) != 0) {
        dataset_pair_free(&data);
        return -1;
    }
    if (o->init) {
        /* Absolute, like the data folder: the config must still name it from elsewhere. */
        char *abs = realpath(o->init, NULL);
        if (!abs) {
            dataset_pair_free(&data);
            return ftl_error(err, "%s: %s", o->init, strerror(errno));
        }
        snprintf(o->cfg.init, sizeof o->cfg.init, "%s", abs);
        free(abs);
    }
    cli_data_spec(&o->data, *sample, o->cfg.data, sizeof o->cfg.data);
    *dir = o->out ? xstrdup(o->out) : train_opts_default_out(&o->cfg);
    if (session_create(s, *dir, &o->cfg, &o->ctl, &data, err) != 0) {
        free(*dir);
        *dir = NULL;
        return -1;
    }
    s->on_write_error = o->on_write_error;
    return 0;
}
