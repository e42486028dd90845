/*
 * cast — the workbench as an asciicast v2 recording, the format `asciinema
 * play` plays (docs.asciinema.org, "asciicast v2"):
 *
 *     {"version": 2, "width": 120, "height": 36, "timestamp": 1700000000,
 *      "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"}, "title": "ftlab"}
 *     [0.000000, "o", "\u001b[?25l\u001b[H\u001b[2J..."]
 *     [0.100000, "o", "\u001b[36;2H\u001b[0;38;5;16;48;5;250mstep 12..."]
 *     [3.200000, "r", "100x30"]
 *
 * one JSON value per line, times in seconds since the first frame, never
 * going down. A frame is the canvas as ANSI text: cursor moves (CUP), SGR
 * codes for the looks term.c gives each meaning in the screen's scheme
 * (term_scheme(): 38;5;N and 48;5;N in 256 colours), and the characters in
 * UTF-8. Only the cells that changed since the frame before are written (the
 * first frame, and the first after a resize, are whole), and a frame that
 * changed nothing writes nothing.
 *
 * Two ways to write, because an asciicast that ends mid-line does not play:
 *
 *   CAST_LIVE (`tui --record`): straight into FILE, each event one write() of
 *   whole lines, so a session killed at any moment (kill -9, a power cut
 *   aside) leaves a recording that plays up to its last frame; a write that
 *   fails (a full disk) is cut back to the last whole line and the recording
 *   stops there. An existing FILE is refused, never overwritten: a live
 *   session cannot be written aside and renamed without losing it all when
 *   it is killed, so it must not destroy a recording it may not replace.
 *
 *   CAST_WHOLE (`replay --render`): into FILE.tmp.PID.N (util.h's atomic
 *   files), renamed over FILE by cast_close; an error or cast_abort leaves no
 *   file and any earlier FILE untouched.
 *
 * Not thread-safe: the UI thread, which draws the canvas, writes the cast.
 */
#ifndef FTLAB_CAST_H
#define FTLAB_CAST_H

#include "canvas.h"

enum cast_mode { CAST_LIVE, CAST_WHOLE };

struct cast;

/*
 * Creates the recording (CAST_LIVE: fails if path exists). The header is
 * written with the first frame, at that frame's size: TERM in env is term
 * (NULL: the one the scheme stands for), title is the recording's title.
 * min_interval: frames closer than this to the last one written are left out
 * (cast_frame's force aside), so a live session records at most 1/min_interval
 * frames per second. NULL with err on failure.
 */
struct cast *cast_open(const char *path, enum cast_mode mode, const char *term, const char *title,
                       double min_interval, char *err);

/* Sets the header's title; before the first frame only (the header is written with it). */
void cast_title(struct cast *c, const char *title);

/*
 * One frame: what c shows at time now (seconds on any clock that does not go
 * down; the first frame is time 0). A size other than the last frame's is
 * written as a resize event ("r", "WxH") and a whole frame. force: written
 * even within min_interval (the last frame before quitting). 0, or -1 with
 * err when writing failed: the recording has stopped (CAST_LIVE: the file is
 * whole up to the last frame; later calls do nothing and return 0).
 */
int cast_frame(struct cast *c, double now, const struct canvas *cv, int force, char *err);

/* Frames written so far. */
long cast_frames(const struct cast *c);

/*
 * Ends the recording at time end (if later than the last frame, the last
 * frame stays on screen until then: a player stops at the last event) and
 * frees c. CAST_WHOLE: renamed into place. A recording without any frame is
 * removed. 0, or -1 with err (CAST_LIVE: also when a write failed earlier;
 * the file is then whole up to the frame before).
 */
int cast_close(struct cast *c, double end, char *err);

/* Stops and removes the recording, whatever was written (an error elsewhere); frees c. */
void cast_abort(struct cast *c);

#endif
