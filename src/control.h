/*
 * control — what a user may change while a run trains, as one table.
 *
 * Each control (the loss, λ, the margin, the learning rate) is a row: its
 * name (the journal keyword, the config key, the --option and the
 * metrics.csv column at once), how the status line and the loss chart's
 * markers show it, its range, its default and the step its keys take.
 * train_opts parses with it, live steps with it, the trainer journals with
 * it, replay checks with it and the plots label with it, so a control reads
 * the same everywhere: live, after a resume, and in a figure.
 *
 * The plain events a session journals (pause, resume, eval, checkpoint, ...)
 * are a second, smaller table of the same kind.
 */
#ifndef FTLAB_CONTROL_H
#define FTLAB_CONTROL_H

#include <stddef.h>

#include "loss.h"

/* The controls' values; the trainer applies them only between two batches. */
struct trainer_controls {
    enum reg_kind loss;
    double lambda, margin, lr;
};

enum ctl_id { CTL_LOSS, CTL_LAMBDA, CTL_MARGIN, CTL_LR, CTL_COUNT };

enum ctl_step {
    CTL_STEP_CHOICE, /* one of reg_table, chosen by its key */
    CTL_STEP_SCALE,  /* × by, ÷ by */
    CTL_STEP_ADD,    /* + by, − by */
};

struct ctl_entry {
    enum ctl_id id;     /* == its index in ctl_table */
    const char *name;   /* journal keyword, config key, --NAME, metrics.csv column */
    const char *symbol; /* status line and markers, UTF-8: "λ" */
    const char *ascii;  /* the same on a terminal without UTF-8: "lambda" */
    double min, max;    /* the range, min excluded when min_open */
    int min_open;
    double def; /* default; λ's is the loss's own (reg_table) */
    enum ctl_step step;
    double by;
    char down, up;    /* the workbench keys that step it ('\0': none) */
    const char *help; /* one line for --help, the key overlay and the man page */
};

extern const struct ctl_entry ctl_table[CTL_COUNT];

/* The control named s, or -1. */
int ctl_from_name(const char *s);
/* A control's value (the loss as its reg_table index). */
double ctl_get(const struct trainer_controls *k, enum ctl_id id);
void ctl_set(struct trainer_controls *k, enum ctl_id id, double v);
/* The defaults: every control's def, λ that of the loss. */
void ctl_defaults(struct trainer_controls *k);
/* v inside the control's range? */
int ctl_in_range(enum ctl_id id, double v);
/* The range as text: "0..1e+06", "> 0 and <= 1e+06". */
const char *ctl_range_text(enum ctl_id id, char *buf, size_t cap);
/*
 * Parses the text of a value (a loss name for CTL_LOSS) and checks it against
 * the range: 0, or -1 with err = "lambda must be a number in 0..1e+06, not 'x'"
 * (the caller adds where: the option, or FILE:LINE).
 */
int ctl_parse(enum ctl_id id, const char *s, double *out, char *err);
/* v after one step up (dir > 0) or down, clamped to the range. */
double ctl_step(enum ctl_id id, double v, int dir);
/* "loss proposed", "λ 0.5" ("lambda 0.5" without UTF-8), "m 5", "lr 0.001". */
void ctl_format(enum ctl_id id, double v, int utf8, char *buf, size_t cap);

/*
 * Appends one change as chart-marker text to buf (", " between two changes
 * at one step): "→ proposed", "λ=0.5", "m=10", "lr=0.0005"; without UTF-8
 * "-> proposed", "lambda=0.5". The live chart, a resumed run and the
 * figures all write markers with it.
 */
void ctl_marker_append(char *buf, size_t cap, enum ctl_id id, double v, int utf8);

/*
 * The pace: at most so many batches per second, so a class can watch the
 * network learn. A level is an index, fastest first; 0 = max (as fast as
 * training goes). The workbench's keys step through it, a lesson names a
 * rate of it, live waits by it.
 */
#define CTL_PACES 5
extern const double ctl_pace_rate[CTL_PACES];      /* 0, 50, 10, 2, 0.5 */
extern const char *const ctl_pace_name[CTL_PACES]; /* "max", "50/s", ..., "0.5/s" */
/* The level of a rate of ctl_pace_rate (0 for max), or -1 for a rate that is none of them. */
int ctl_pace_level(double rate);

/* The events a session journals besides control changes; replay trains through them. */
struct ctl_event {
    const char *name; /* the journal keyword: "pause" */
    const char *help; /* what it records */
};
extern const struct ctl_event ctl_events[];
extern const size_t ctl_nevents;
/* The event named s, or NULL. */
const struct ctl_event *ctl_event_find(const char *s);

#endif
