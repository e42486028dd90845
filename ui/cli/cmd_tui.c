/* cmd_tui — `ftlab tui` (and `ftlab` alone): options, then the workbench (ui/tui/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cast.h"
#include "cli.h"
#include "dataset.h"
#include "fetch.h"
#include "follow.h"
#include "ghost.h"
#include "train_opts.h"
#include "util.h"
#include "workbench.h"

static int cmd_tui(int argc, char **argv);

const struct cli_cmd cmd_tui_entry = {
    "tui", "[OPTIONS] [--out RUN_DIR | --resume RUN_DIR] | --follow RUN_DIR...",
    "open the workbench: train live, switch losses, watch the clusters form (the default)",
    train_opts_tui_help, cmd_tui};

/*
 * --theme and --symbols inside --follow's arguments, as "--theme X" or
 * "--theme=X": 1 when argv[*i] is one (*i moves past its value), 0 when not,
 * -1 after a usage error.
 */
static int follow_display_opt(const struct cli_cmd *self, int argc, char **argv, int *i, int *theme,
                              int *symbols)
{
    static const char *const names[] = {"--theme", "--symbols"};
    for (int k = 0; k < 2; k++) {
        size_t len = strlen(names[k]);
        if (strncmp(argv[*i], names[k], len) != 0) continue;
        const char *v = NULL;
        if (argv[*i][len] == '=')
            v = argv[*i] + len + 1;
        else if (argv[*i][len] != '\0')
            continue;
        else if (*i + 1 < argc)
            v = argv[++*i];
        else
            return cli_usage_error(self, "%s needs a value", names[k]), -1;
        int rc = k == 0 ? train_opts_theme(self, v, theme) : train_opts_symbols(self, v, symbols);
        return rc ? -1 : 1;
    }
    return 0;
}

/*
 * --follow RUN_DIR...: the read-only workbench over runs another process
 * trains (ui/tui/follow.h). Every other argument is a run directory, or a
 * folder of runs, but for --theme and --symbols; training options make no
 * sense there and are refused.
 */
static int cmd_follow(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_tui_entry;
    char **dirs = xcalloc((size_t)argc + 1, sizeof *dirs);
    int n = 0, rc = EXIT_OK, theme = -1, symbols = -1;
    for (int i = 1; i < argc && rc == EXIT_OK; i++) {
        int opt = follow_display_opt(self, argc, argv, &i, &theme, &symbols);
        if (opt < 0) rc = EXIT_USAGE;
        if (opt != 0 || strcmp(argv[i], "--follow") == 0) continue;
        if (strncmp(argv[i], "--follow=", 9) == 0)
            dirs[n++] = argv[i] + 9;
        else if (argv[i][0] == '-' && argv[i][1])
            rc = cli_usage_error(
                self, "--follow takes run directories, --theme and --symbols only, not '%s'",
                argv[i]);
        else
            dirs[n++] = argv[i];
    }
    if (rc == EXIT_OK && n == 0) rc = cli_usage_error(self, "--follow needs a run directory");
    struct display_settings d;
    if (rc == EXIT_OK) rc = train_opts_display(theme, symbols, &d);
    char err[FTL_ERRLEN];
    int count = 0;
    char **runs = rc == EXIT_OK ? follow_dirs(dirs, n, &count, err) : NULL;
    free(dirs);
    if (rc != EXIT_OK) return rc;
    if (!runs) return cli_fail("%s", err);
    if (!isatty(0) || !isatty(1))
        rc = cli_fail("the workbench needs a terminal; 'ftlab plot RUN_DIR' draws a run's figures");
    else if (follow_run(runs, count, &d, err) != 0)
        rc = cli_fail("%s", err);
    follow_dirs_free(runs);
    return rc;
}

static int is_follow(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return 0;
        if (strcmp(argv[i], "--follow") == 0 || strncmp(argv[i], "--follow=", 9) == 0) return 1;
    }
    return 0;
}

static int cmd_tui(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_tui_entry;
    if (is_follow(argc, argv)) return cmd_follow(argc, argv);
    struct train_opts o;
    int rc = train_opts_parse(self, argc, argv, &o);
    if (rc) return rc;
    /* The teacher decides when it ends: a new run trains until quit unless told how long (a
     * resumed one keeps the end its config has, unless told otherwise). */
    if (!o.resume && !o.set_epochs && !o.set_steps) o.cfg.epochs = o.cfg.steps = 0;
    char err[FTL_ERRLEN];
    struct session s;
    char *dir = NULL;
    struct workbench_opts w = {
        .paused = o.paused, .resumed = o.resume != NULL, .present = o.present};
    /* A wrong config file is said before anything else happens, as a wrong option is. */
    if ((rc = train_opts_display(o.theme, o.symbols, &w.display)) != 0) return rc;
    /* The ghosts are checked before a run folder is made: a wrong one costs nothing. */
    char **ghosts = NULL;
    if (o.nghost) {
        struct trainer_config c = o.cfg;
        struct trainer_controls k = o.ctl;
        int dropped;
        if (o.resume && session_read_config(o.resume, &c, &k, err) != 0) return cli_fail("%s", err);
        ghosts = ghost_pick(o.ghost, o.nghost, c.task, k.loss, GHOST_USER_MAX, &w.nghosts, &dropped,
                            err);
        if (!ghosts) return cli_fail("--ghost: %s", err);
        if (dropped)
            fprintf(stderr, "ftlab: --ghost: %d more run%s left out (at most %d are drawn)\n",
                    dropped, dropped == 1 ? "" : "s", GHOST_USER_MAX);
        w.ghosts = ghosts;
    }
    /* A lesson is read whole and checked before anything else happens. */
    struct lesson lesson = {0};
    if (o.lesson) {
        if (lesson_read(o.lesson, &lesson, err) != 0) {
            rc = cli_fail("%s", err);
            goto out;
        }
        w.lesson = &lesson;
    }
    /* Before the run folder: a terminal the workbench cannot draw on leaves nothing behind. */
    if (workbench_check_terminal(err) != 0) {
        rc = cli_fail("%s", err);
        goto out;
    }
    /* The recording is made before the run folder: a name that is taken costs nothing. */
    if (o.record && !(w.record = cast_open(o.record, CAST_LIVE, NULL, "ftlab", 0.1, err))) {
        rc = cli_fail("--record: %s", err);
        goto out;
    }
    if (train_opts_open(&o, &s, &dir, &w.sample, err) != 0) {
        if (w.record) cast_abort(w.record);
        rc = cli_fail("%s", err);
        goto out;
    }
    w.dir = dir;
    if (w.sample) { /* the message differs when the real data is there to be used */
        char *data_dir = fetch_resolve_data_dir(NULL); /* NULL without HOME */
        if (data_dir && dataset_dir_format(data_dir) != DATASET_FORMAT_NONE)
            w.sample = WORKBENCH_SAMPLE_BESIDE_MNIST;
        free(data_dir);
    }
    if (w.record) {
        char title[600];
        snprintf(title, sizeof title, "ftlab %s", dir);
        cast_title(w.record, title);
    }
    /* workbench_run takes over the session and the recording */
    if (workbench_run(&s, &w, err) == 0) {
        fprintf(stderr, "ftlab: run saved in %s (continue with 'ftlab --resume %s')\n", dir, dir);
        rc = EXIT_OK;
    } else {
        rc = cli_fail("%s", err);
    }
out:
    lesson_free(&lesson);
    follow_dirs_free(ghosts);
    free(dir);
    return rc;
}
