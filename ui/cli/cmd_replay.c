/* `ftlab replay JOURNAL --out NEW_RUN` — an interactive session, re-executed headless. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "replay.h"
#include "util.h"

static void show(uint64_t step, uint64_t end, void *ctx)
{
    int *tty = ctx;
    if (*tty && (step % 10 == 0 || step == end))
        fprintf(stderr, "\rreplaying step %llu/%llu ", (unsigned long long)step,
                (unsigned long long)end);
}

static int cmd_replay(int argc, char **argv);

const struct cli_cmd cmd_replay_entry = {
    "replay", "JOURNAL|RUN_DIR (--out NEW_RUN | --resume PARTIAL_RUN) [--data DIR | --sample] [-q]",
    "re-execute a session's journal headless, to the same weights",
    "  Reads the run's settings from the journal's config lines, then applies every\n"
    "  control change (loss, lambda, margin, lr) at the step it took effect at, and\n"
    "  trains to the step of the journal's last event. With the same seed, data and\n"
    "  number of BLAS threads, NEW_RUN ends with exactly the original weights.\n"
    "  Every line is checked before the first step. If training fails on the way\n"
    "  (divergence, a full disk), the partial run stays in NEW_RUN.\n"
    "  --out DIR      the new run directory\n"
    "  --resume DIR   finish a partial replay in DIR from its newest checkpoint\n"
    "  --data DIR | --sample   other data than the journal names\n"
    "  -q, --quiet    no progress output\n",
    cmd_replay};

static int cmd_replay(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_replay_entry;
    static const struct option lo[] = {
        {"out", required_argument, NULL, 'o'}, {"resume", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},     {"data", required_argument, NULL, 'd'},
        {"sample", no_argument, NULL, 's'},    {NULL, 0, NULL, 0}};
    const char *out = NULL, *data = NULL, *resume = NULL;
    int c, quiet = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'r':
            resume = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'd':
            data = optarg;
            break;
        case 's':
            data = "sample";
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    if (optind != argc - 1) return cli_usage_error(self, "needs one journal (RUN_DIR/journal)");
    if (!out == !resume)
        return cli_usage_error(self, "needs --out NEW_RUN or --resume PARTIAL_RUN");
    char err[FTL_ERRLEN];
    const char *path = argv[optind];
    char *jpath = ftl_is_dir(path) ? ftl_path_join(path, "journal") : xstrdup(path);
    int tty = !quiet && isatty(2);
    int rc = resume ? replay_resume(jpath, resume, data, show, &tty, err)
                    : replay_run(jpath, out, data, show, &tty, err);
    if (tty) fputc('\n', stderr);
    free(jpath);
    if (rc != 0) return cli_fail("%s", err);
    if (!resume) resume = out;
    if (!quiet)
        fprintf(stderr, "replayed into %s (final weights in %s/checkpoints/final.ckpt)\n", resume,
                resume);
    return EXIT_OK;
}
