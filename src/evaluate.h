/*
 * evaluate — what the paper measures on a trained network (SPEC.md §9):
 * the task figure on the test split, KMeans on the target layer's test
 * activations for several cluster counts scored against the data's classes
 * (dataset_truth: the groups, the ten digits for MNIST, else the binary label;
 * AMI_max is the headline), and the Figure 2 histogram over the same classes.
 *
 * Column names in actmap.csv and clusters.csv: digit0..digit9 for digit data
 * (as before groups existed); for other data g0..gN-1 with groups (y0, y1
 * without), and RUN_DIR/groups.txt names them, line i for column i.
 * Each unit's activation histogram and mean per digit (acthist.h) for digit data.
 *
 * Works on a model it is handed (a copy, when the trainer goes on
 * training), so the workbench can run it off both the UI and the trainer.
 */
#ifndef FTLAB_EVALUATE_H
#define FTLAB_EVALUATE_H

#include <stdint.h>
#include <stdio.h>

#include "acthist.h"
#include "dataset.h"
#include "metrics.h"
#include "model.h"

#define EVAL_MAX_K 16

struct eval_result {
    enum model_task task;
    int units;        /* K */
    double task_loss; /* BCE, or reconstruction error per sequence */
    double accuracy;  /* classify only */
    int nk;
    int k[EVAL_MAX_K];
    double inertia[EVAL_MAX_K];
    struct cluster_scores scores[EVAL_MAX_K];
    int nclass;  /* columns of actmap: dataset_nclasses */
    int digits;  /* the classes are the ten digits (column names digitN) */
    int grouped; /* the classes are groups (else the binary label) */
    char class_name[DATASET_MAX_GROUPS][DATASET_GROUP_NAME];
    uint32_t *actmap; /* units x nclass: samples whose most active unit it is, per class */
    int active_units; /* units that win at least one sample */
    int32_t *assign;  /* the clusters of the first k, per test sequence */
    uint8_t *truth;   /* the class of each test sequence */
    size_t n;         /* test sequences */
    /* every unit's activation per digit: histograms, means, dead units */
    struct acthist hist;
    /* wall seconds of the forward pass and of the KMeans fits with their scores */
    double seconds_forward, seconds_cluster;
};

struct eval_opts {
    int nk;
    int k[EVAL_MAX_K];
    int n_init; /* KMeans restarts (10) */
    uint64_t seed;
    int threads; /* threads for the forward pass and KMeans, 0 = all cores */
};
void eval_opts_default(struct eval_opts *o); /* k = 9, 10, 11 */
/* k = nclass - 1, nclass, nclass + 1, those >= 2 (MNIST: 9, 10, 11). */
void eval_opts_set_classes(struct eval_opts *o, int nclass);
/* The CSV column name of class c ("digit3", "g3", "y1") into buf. */
void eval_class_column(const struct eval_result *r, int c, char *buf, size_t cap);

/* Evaluates m on d (normally the test split). */
int eval_run(const struct model *m, const struct dataset *d, const struct eval_opts *o,
             struct eval_result *r, char *err);
void eval_result_free(struct eval_result *r);

/* The result as text: task figure, the score table, the heatmap. */
void eval_print(const struct eval_result *r, FILE *fp);
/* RUN_DIR/eval.csv (scores per k), actmap.csv (units x classes), clusters.csv
 * (clusters of the first k x classes), groups.txt unless digits, and for digits acthist.csv
 * and actmean.csv (acthist.h), each atomically. */
int eval_write_csv(const struct eval_result *r, const char *dir, uint64_t step, char *err);
/* Appends the scores to RUN_DIR/evals.csv (eval.csv's columns, every evaluation of the
 * run in order: the AMI history), in one write of whole rows. */
int eval_append_history(const struct eval_result *r, const char *dir, uint64_t step, char *err);

#endif
