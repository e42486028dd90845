/*
 * workbench — the terminal front end: training live on its own thread
 * (live.h), the screen on this one. The command line (ui/cli/cmd_tui.c)
 * parses the options and opens the session; this module only draws and
 * answers keys, and never touches model memory.
 */
#ifndef FTLAB_WORKBENCH_H
#define FTLAB_WORKBENCH_H

#include "display.h"
#include "session.h"

struct workbench_opts {
    const char *dir;     /* the run directory, for the status line and exports */
    int sample;          /* the data is the embedded sample: say so */
    int paused;          /* open with training paused */
    int resumed;         /* a resumed run: draw its history from its files */
    int present;         /* presenter mode: the projector layout (--present) */
    char *const *ghosts; /* runs to draw faint beneath this one (ghost.h), at most GHOST_USER_MAX */
    int nghosts;
    struct display_settings display; /* theme, symbols, opening smoothing and y scale */
};

/*
 * Takes over *s (created or resumed), runs the workbench on this terminal
 * until the user quits (or a signal: INT, TERM, HUP), saves final.ckpt and
 * restores the terminal. 0, or -1 with err.
 */
int workbench_run(struct session *s, const struct workbench_opts *o, char *err);

#endif
