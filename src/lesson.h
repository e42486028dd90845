/*
 * lesson — a classroom script for the workbench (`ftlab --lesson FILE`):
 * captions to show and controls to set, at training steps or when the
 * teacher presses Enter.
 *
 * FORMAT (version 1): UTF-8 text, one item per line; '#' starts a comment
 * line, blank lines are ignored, leading spaces too (indent as you like).
 *
 *     lesson 1                  the first item: the format version
 *     title TEXT                optional: shown on the caption box
 *     keys KEY...               optional: the only keys that work during the lesson
 *                               (single characters, or space, tab, enter); q, ? and
 *                               Enter always work
 *
 *     at step N                 a cue: fires once training has reached step N
 *     on enter                  a cue: fires when the teacher presses Enter
 *       caption TEXT            a line of the caption (several lines: several items;
 *                               a cue with captions replaces the caption shown)
 *       clear                   no caption from here on
 *       loss NAME               baseline, decov, xcov, proposed (its own λ, as key 1-4)
 *       lambda V | margin V | lr V    a control, as ftlab train takes it
 *       pace P                  max, or batches per second (the workbench's paces)
 *       pause | resume | eval | bookmark | reset   (reset: the network back to step 0's)
 *       wait                    after this cue, wait for Enter before the next one
 *
 * Cues fire in file order: the next is looked at only once the previous has
 * fired (so "at step" values must not go down). Everything a cue changes goes
 * through the workbench's controls and lands in the journal, so a replay of a
 * lesson's run gives the same weights.
 *
 * Errors follow util.h: -1 and "FILE:LINE: problem" in err.
 */
#ifndef FTLAB_LESSON_H
#define FTLAB_LESSON_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"

#define LESSON_VERSION 1
#define LESSON_MAX_LINE 512 /* bytes */
#define LESSON_MAX_KEYS 64
#define LESSON_CAPTION_LINES 8

enum lesson_action_kind {
    LESSON_CAPTION, /* text */
    LESSON_CLEAR,
    LESSON_CONTROL, /* id, value (the loss: a reg_kind) */
    LESSON_PACE,    /* value: batches per second, 0 for max */
    LESSON_PAUSE,
    LESSON_RESUME,
    LESSON_EVAL,
    LESSON_BOOKMARK,
    LESSON_RESET, /* the network back to its initial weights (the workbench's 0) */
};

struct lesson_action {
    enum lesson_action_kind kind;
    enum ctl_id id;
    double value;
    const char *text; /* LESSON_CAPTION: points into the lesson's text */
};

struct lesson_cue {
    int on_enter; /* fires on Enter; else at `step` */
    uint64_t step;
    int wait;        /* wait for Enter after it */
    size_t first, n; /* its actions: actions[first .. first + n) */
    unsigned line;   /* of its trigger, for messages */
};

struct lesson {
    char *text; /* the file, with the strings the items point into */
    const char *title;
    int nkeys;
    int keys[LESSON_MAX_KEYS]; /* allowed keys (0: every key) */
    struct lesson_cue *cues;
    size_t ncues;
    struct lesson_action *actions;
    size_t nactions;
};

/* Reads and checks a lesson; lesson_free() it after success. */
int lesson_read(const char *path, struct lesson *l, char *err);
/* The same from a buffer (tests, fuzzing); name is used in messages. */
int lesson_read_mem(const void *buf, size_t len, const char *name, struct lesson *l, char *err);
void lesson_free(struct lesson *l);

#endif
