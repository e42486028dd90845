/*
 * train_opts — the options every training front end shares (`train`, `tui`,
 * `replay`): one parser, one help text, so they cannot drift apart.
 */
#ifndef FTLAB_TRAIN_OPTS_H
#define FTLAB_TRAIN_OPTS_H

#include "cli.h"
#include "display.h"
#include "session.h"
#include "trainer.h"

struct train_opts {
    struct trainer_config cfg;
    struct trainer_controls ctl;
    struct cli_data data;
    const char *out;    /* --out RUN_DIR, or NULL */
    const char *resume; /* --resume RUN_DIR, or NULL */
    const char *init;   /* --init CKPT, or NULL */
    int paused;         /* --paused (the workbench only) */
    char *ghost[3];     /* --ghost RUN_DIR, repeatable (the workbench only) */
    int theme, symbols; /* --theme, --symbols (the workbench only): enum display_*, -1 not given */
    const char *tui_given; /* the first workbench-only option given (--paused, --theme, ...) */
    int nghost;
    int present;        /* --present (the workbench only) */
    const char *record; /* --record FILE.cast (the workbench only) */
    const char *lesson; /* --lesson FILE (the workbench only) */
    int quiet;
    enum session_on_write_error on_write_error; /* --on-write-error stop|continue */
    /* which of epochs/steps the user gave (for --resume overrides) */
    int set_epochs, set_steps, set_lambda, set_loss;
    int set_ctl[CTL_COUNT];  /* which controls were given (--lambda, --margin, --lr) */
    const char *fixed_given; /* the first option given that a resumed run cannot change */
};

/* The option lines for --help; the second only for the workbench. */
extern const char train_opts_help[];
extern const char train_opts_tui_help[];

/* Parses argv (argv[0] = the command name). Returns 0, or EXIT_USAGE after printing the error. */
int train_opts_parse(const struct cli_cmd *self, int argc, char **argv, struct train_opts *o);

/*
 * --theme NAME and --symbols NAME, shared with `tui --follow`: *theme or
 * *symbols set (enum display_theme / display_symbols). 0, or EXIT_USAGE after
 * printing the error.
 */
int train_opts_theme(const struct cli_cmd *self, const char *a, int *theme);
int train_opts_symbols(const struct cli_cmd *self, const char *a, int *symbols);

/*
 * The display settings: the config file's ($XDG_CONFIG_HOME/ftlab/config),
 * then theme and symbols when given (>= 0). 0, or EXIT_FAIL after printing
 * "ftlab: FILE:LINE: problem".
 */
int train_opts_display(int theme, int symbols, struct display_settings *d);

/* A new run folder, made: runs/YYYYMMDD-HHMMSS-TASK, with -2, -3, ... when taken (a new string). */
char *train_opts_default_out(const struct trainer_config *c);

/*
 * Opens the session the options ask for: --resume RUN_DIR, or a new run in
 * --out (default runs/DATE-TIME-TASK) on the data --data/--sample/the
 * default resolves to. *dir receives the run directory (a new string);
 * *sample whether the embedded sample is used. The session gets --on-write-error.
 */
int train_opts_open(struct train_opts *o, struct session *s, char **dir, int *sample, char *err);

#endif
