/* cmd_tui — `ftlab tui` (and `ftlab` alone): options, then the workbench (ui/tui/). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "train_opts.h"
#include "util.h"
#include "workbench.h"

static int cmd_tui(int argc, char **argv);

const struct cli_cmd cmd_tui_entry = {
    "tui", "[OPTIONS] [--out RUN_DIR | --resume RUN_DIR]",
    "open the workbench: train live, switch losses, watch the clusters form (the default)",
    train_opts_tui_help, cmd_tui};

static int cmd_tui(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_tui_entry;
    struct train_opts o;
    int rc = train_opts_parse(self, argc, argv, &o);
    if (rc) return rc;
    if (!isatty(0) || !isatty(1))
        return cli_fail("the workbench needs a terminal; use 'ftlab train' for headless runs");
    char err[FTL_ERRLEN];
    struct session s;
    char *dir;
    struct workbench_opts w = {.paused = o.paused, .resumed = o.resume != NULL};
    if (train_opts_open(&o, &s, &dir, &w.sample, err) != 0) return cli_fail("%s", err);
    w.dir = dir;
    rc = workbench_run(&s, &w, err);
    if (rc == 0)
        fprintf(stderr, "ftlab: run saved in %s (continue with 'ftlab --resume %s')\n", dir, dir);
    free(dir);
    return rc == 0 ? EXIT_OK : cli_fail("%s", err);
}
