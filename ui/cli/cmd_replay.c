/* `ftlab replay JOURNAL --out NEW_RUN [--render FILE.cast]` — an interactive session, re-executed
 * headless (and, with --render, drawn into a recording as it trains). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cast.h"
#include "cli.h"
#include "replay.h"
#include "util.h"
#include "workbench.h"

static void show(uint64_t step, uint64_t end, void *ctx)
{
    int *tty = ctx;
    if (*tty && (step % 10 == 0 || step == end))
        fprintf(stderr, "\rreplaying step %llu/%llu ", (unsigned long long)step,
                (unsigned long long)end);
}

static int cmd_replay(int argc, char **argv);

#define MAX_W 1000
#define MAX_H 500

/* "WxH" within WORKBENCH_MIN_W..MAX_W x WORKBENCH_MIN_H..MAX_H: 0, else -1. */
static int parse_size(const char *s, int *w, int *h)
{
    char x[2];
    long a, b;
    if (sscanf(s, "%ld%1[x]%ld", &a, x, &b) != 3 || strspn(s, "0123456789x") != strlen(s))
        return -1;
    if (a < WORKBENCH_MIN_W || a > MAX_W || b < WORKBENCH_MIN_H || b > MAX_H) return -1;
    *w = (int)a, *h = (int)b;
    return 0;
}

/*
 * --render: the recording is opened first (a path that cannot be written
 * costs no run folder), then the run is made as a replay makes it, and the
 * workbench draws it training into the recording (workbench_render).
 */
static int run_render(const char *jpath, const char *out, const char *data, const char *render,
                      int w, int h, int quiet)
{
    char err[FTL_ERRLEN], title[600];
    snprintf(title, sizeof title, "ftlab replay %s", jpath);
    struct cast *cast = cast_open(render, CAST_WHOLE, NULL, title, 0, err);
    if (!cast) return cli_fail("--render: %s", err);
    struct replay_follow f;
    struct session s;
    if (replay_open(&f, jpath, out, data, &s, err) != 0) {
        cast_abort(cast);
        return cli_fail("%s", err);
    }
    if (!quiet)
        fprintf(stderr, "rendering %s (%llu steps) into %s...\n", jpath, (unsigned long long)f.end,
                render);
    struct workbench_render_opts o = {
        .dir = out, .sample = strcmp(s.tr.cfg.data, "sample") == 0, .width = w, .height = h};
    int rc = workbench_render(&s, &f, cast, &o, err);
    replay_follow_free(&f);
    if (rc != 0) return cli_fail("%s", err);
    if (!quiet)
        fprintf(stderr, "wrote %s; the run is in %s (final weights in %s/checkpoints/final.ckpt)\n",
                render, out, out);
    return EXIT_OK;
}

const struct cli_cmd cmd_replay_entry = {
    "replay",
    "JOURNAL|RUN_DIR (--out NEW_RUN [--render FILE.cast [--size WxH]] | --resume PARTIAL_RUN)\n"
    "       [--data DIR | --sample] [-q]",
    "re-execute a session's journal headless, to the same weights (or into a recording)",
    "  Reads the run's settings from the journal's config lines, then applies every\n"
    "  control change (loss, lambda, margin, lr) at the step it took effect at, and\n"
    "  trains to the step of the journal's last event. With the same seed, data and\n"
    "  number of BLAS threads, NEW_RUN ends with exactly the original weights.\n"
    "  Every line is checked before the first step. If training fails on the way\n"
    "  (divergence, a full disk), the partial run stays in NEW_RUN.\n"
    "  --out DIR      the new run directory\n"
    "  --render FILE.cast   also draw the workbench as the replay trains, without a\n"
    "                 terminal, into an asciicast v2 recording (asciinema play FILE.cast):\n"
    "                 a frame every step (every few steps past 1200), 20 frames a second\n"
    "                 of playback, KMeans evaluations every eighth of the journal; the\n"
    "                 weights are the replay's all the same. Written whole or not at all\n"
    "  --size WxH     the recording's screen (default 120x36; at least 40x12)\n"
    "  --resume DIR   finish a partial replay in DIR from its newest checkpoint\n"
    "  --data DIR | --sample   other data than the journal names\n"
    "  -q, --quiet    no progress output\n",
    cmd_replay};

static int cmd_replay(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_replay_entry;
    static const struct option lo[] = {
        {"out", required_argument, NULL, 'o'},  {"resume", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},      {"data", required_argument, NULL, 'd'},
        {"sample", no_argument, NULL, 's'},     {"render", required_argument, NULL, 'R'},
        {"size", required_argument, NULL, 'S'}, {NULL, 0, NULL, 0}};
    const char *out = NULL, *data = NULL, *resume = NULL, *render = NULL, *size = NULL;
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
        case 'R':
            render = optarg;
            break;
        case 'S':
            size = optarg;
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    if (optind != argc - 1) return cli_usage_error(self, "needs one journal (RUN_DIR/journal)");
    if (!out == !resume)
        return cli_usage_error(self, "needs --out NEW_RUN or --resume PARTIAL_RUN");
    if (render && resume)
        return cli_usage_error(self, "--render makes a new run: use --out, not --resume");
    if (size && !render) return cli_usage_error(self, "--size is the size of --render's screen");
    int w = 120, h = 36;
    if (size && parse_size(size, &w, &h) != 0)
        return cli_usage_error(self, "--size needs WxH, at least %dx%d and at most %dx%d, not '%s'",
                               WORKBENCH_MIN_W, WORKBENCH_MIN_H, MAX_W, MAX_H, size);
    char err[FTL_ERRLEN];
    const char *path = argv[optind];
    char *jpath = ftl_is_dir(path) ? ftl_path_join(path, "journal") : xstrdup(path);
    if (render) {
        int rc = run_render(jpath, out, data, render, w, h, quiet);
        free(jpath);
        return rc;
    }
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
