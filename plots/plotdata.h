/*
 * plotdata — what the figures are drawn from, read out of a run directory
 * (run.h): its CSV tables, the control changes in its journal, and a few
 * words naming the run. Files a trainer is still appending to are fine:
 * an incomplete last line is ignored.
 *
 * Errors follow util.h: -1 and one line "FILE: problem" (or "FILE:LINE: ...").
 */
#ifndef FTLAB_PLOTDATA_H
#define FTLAB_PLOTDATA_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"

/* A CSV table of numbers under a header line. */
struct plotdata_csv {
    int ncol;
    size_t nrow;
    char **name; /* ncol column names */
    double *v;   /* nrow x ncol, row-major; NAN where a cell is empty or not a number */
};

/* Reads path; every row must have the header's number of fields. plotdata_csv_free() after. */
int plotdata_csv_read(const char *path, struct plotdata_csv *t, char *err);
/* The index of the column called name, or -1. */
int plotdata_csv_col(const struct plotdata_csv *t, const char *name);
void plotdata_csv_free(struct plotdata_csv *t);

/* A change of the training controls, drawn as a marker on a curve. */
struct plotdata_marker {
    uint64_t step;
    char text[128]; /* "→ proposed, λ=0.5": every change at that step */
};

/*
 * The loss, lambda, margin and lr changes of RUN_DIR/journal, superseded ones
 * skipped, one marker per step in step order, worded by ctl_marker_append
 * (UTF-8). No journal: no markers. The caller frees *markers.
 */
int plotdata_markers(const char *run_dir, struct plotdata_marker **markers, size_t *n, char *err);

/* One control change of a journal (control.h), for a reader that words it itself. */
struct plotdata_change {
    uint64_t step;
    enum ctl_id id;
    double value;
};
/* The control changes of RUN_DIR/journal in file order, superseded ones skipped; as above. */
int plotdata_changes(const char *run_dir, struct plotdata_change **changes, size_t *n, char *err);

/* A run as its config and journal describe it. */
struct plotdata_run {
    int autoencoder;  /* task autoencode: the clustered layer is the code, not FC1 */
    int units;        /* of that layer */
    int loss;         /* enum reg_kind the run started with */
    char losses[160]; /* reg_table titles: "Baseline", or "Baseline → Proposed (KL margin)" */
};

/* Reads RUN_DIR/config (required) and RUN_DIR/journal (optional). */
int plotdata_run_info(const char *run_dir, struct plotdata_run *r, char *err);

#endif
