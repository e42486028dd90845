/*
 * workbench — the terminal front end: training live on its own thread
 * (live.h), the screen on this one. The command line (ui/cli/cmd_tui.c)
 * parses the options and opens the session; this module only draws and
 * answers keys, and never touches model memory.
 */
#ifndef FTLAB_WORKBENCH_H
#define FTLAB_WORKBENCH_H

#include "display.h"
#include "lesson.h"
#include "replay.h"
#include "session.h"

/* The smallest screen the workbench lays out; below it, it says "too small". */
#define WORKBENCH_MIN_W 40
#define WORKBENCH_MIN_H 12

struct cast;

/* workbench_opts.sample: the embedded sample, and the MNIST strokes not installed (the
 * message says how to install them), or installed (it says the sample is not them). */
enum { WORKBENCH_SAMPLE_ONLY = 1, WORKBENCH_SAMPLE_BESIDE_MNIST = 2 };

struct workbench_opts {
    const char *dir;             /* the run directory, for the status line and exports */
    int sample;                  /* the data is the embedded sample: say so (WORKBENCH_SAMPLE_*) */
    int paused;                  /* open with training paused */
    int resumed;                 /* a resumed run: draw its history from its files */
    int present;                 /* presenter mode: the projector layout (--present) */
    const struct lesson *lesson; /* a lesson to run (--lesson), or NULL */
    char *const *ghosts; /* runs to draw faint beneath this one (ghost.h), at most GHOST_USER_MAX */
    int nghosts;
    struct display_settings display; /* theme, symbols, opening smoothing and y scale */
    struct cast *record; /* --record: every frame drawn goes into it (cast.h); taken over */
};

/*
 * Takes over *s (created or resumed), runs the workbench on this terminal
 * until the user quits (or a signal: INT, TERM, HUP), saves final.ckpt and
 * restores the terminal. 0, or -1 with err.
 */
int workbench_run(struct session *s, const struct workbench_opts *o, char *err);
/* Whether this terminal can show the workbench, asked before a run is made for it: 0, or -1
 * with the reason in err (not a terminal, TERM=dumb, a TERM curses does not know). */
int workbench_check_terminal(char *err);

/*
 * `ftlab replay JOURNAL --render FILE.cast`: the workbench without a
 * terminal. The trainer follows f's journal (live_start_following: the
 * weights are a replay's), and the same drawing code as on a terminal draws
 * width x height frames into a canvas only, written to cast (opened
 * CAST_WHOLE: no file unless it all succeeds; taken over). Times are made up, not measured: a frame
 * every step, or every few steps so that a long journal still has at most
 * WORKBENCH_RENDER_FRAMES frames, played at WORKBENCH_RENDER_FPS frames a
 * second; the last frame stays up WORKBENCH_RENDER_HOLD seconds. Colours:
 * 256, or monochrome when NO_COLOR is set (term.h); characters: UTF-8.
 * Evaluations (KMeans) every eighth of the journal (at least
 * LIVE_EVAL_MIN_STEPS steps apart) and at its end.
 * Takes over *s (replay_open made it); f stays the caller's. 0, or -1 with err.
 */
#define WORKBENCH_RENDER_FPS 20
#define WORKBENCH_RENDER_FRAMES 1200 /* a minute of playback */
#define WORKBENCH_RENDER_HOLD 3.0
struct workbench_render_opts {
    const char *dir;   /* the run directory, for the status line */
    int sample;        /* trained on the embedded sample */
    int width, height; /* the screen drawn, at least WORKBENCH_MIN_W x WORKBENCH_MIN_H */
};
int workbench_render(struct session *s, struct replay_follow *f, struct cast *cast,
                     const struct workbench_render_opts *o, char *err);

#endif
