/*
 * metrics — how well a clustering matches the true classes, computed as
 * scikit-learn 1.2.1 computes it (SPEC.md §8): mutual information, its
 * expectation under the hypergeometric model, AMI with the four
 * normalisations, NMI, the adjusted Rand index, and clustering accuracy.
 *
 * Labels are any int64 values (negative, sparse, unsorted); like np.unique,
 * each labelling is compacted to 0..R-1 in increasing label order, so label
 * values never matter, only the partition. Sums run in scikit-learn's order
 * with NumPy's pairwise summation, so results agree with sklearn to ~1e-14.
 *
 * The contingency table is kept sparse (only non-zero cells), so 10000
 * distinct labels on each side cost O(n) memory, not 10^8 cells.
 */
#ifndef FTLAB_METRICS_H
#define FTLAB_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Non-zero cells of the R x C contingency table n_ij, in column-major order
 * (the order of scipy.sparse.find, which fixes sklearn's MI summation order). */
struct metrics_contingency {
    size_t n;            /* samples */
    size_t rows;         /* R: distinct true labels */
    size_t cols;         /* C: distinct predicted labels */
    size_t cells;        /* non-zero cells */
    size_t *cell_row;    /* [cells] i in 0..R-1 */
    size_t *cell_col;    /* [cells] j in 0..C-1, non-decreasing */
    int64_t *cell_count; /* [cells] n_ij > 0 */
    int64_t *row_sum;    /* [rows] a_i */
    int64_t *col_sum;    /* [cols] b_j */
};

/* Builds the table of truth (rows) against pred (columns), n samples each.
 * O(n log n); free with metrics_contingency_free. n == 0 gives an empty table. */
void metrics_contingency_build(struct metrics_contingency *t, const int64_t *truth,
                               const int64_t *pred, size_t n);
void metrics_contingency_free(struct metrics_contingency *t);

/* Entropy (nats) of a labelling given its k cluster sizes summing to n:
 * 0 for one cluster, 1.0 for n == 0 (sklearn's convention). */
double metrics_entropy(const int64_t *sizes, size_t k);
/* MI (nats), sklearn mutual_info_score: terms below DBL_EPSILON dropped, clipped at 0. */
double metrics_mutual_info(const struct metrics_contingency *t);
/* E[MI] under random labellings with the same margins (SPEC.md §8.1). */
double metrics_expected_mutual_info(const struct metrics_contingency *t);
/* sklearn adjusted_rand_score from the pair confusion matrix (exact integers). */
double metrics_adjusted_rand(const struct metrics_contingency *t);
/*
 * Clustering accuracy: the largest fraction of samples that a one-to-one
 * mapping of clusters to classes labels correctly (min(R, C) pairs; samples in
 * unmatched clusters count as wrong) -- what scipy's
 * linear_sum_assignment(contingency, maximize=True) gives. Hungarian algorithm
 * on each connected component of the non-zero cells, O(r^2 c) for a component
 * of r <= c labels; 1.0 for n == 0.
 */
double metrics_accuracy(const struct metrics_contingency *t);

struct cluster_scores {
    double mi;             /* nats */
    double emi;            /* expected MI, nats */
    double h_true, h_pred; /* entropies, nats */
    double ami_max;        /* the paper's AMI (sklearn <= 0.21 default) */
    double ami_arithmetic; /* sklearn >= 0.22 default */
    double ami_geometric;
    double ami_min;
    double nmi_arithmetic;
    double nmi_geometric; /* the paper's NMI_sqrt */
    double nmi_min;
    double nmi_max;
    double ari;
    double accuracy;       /* best one-to-one matching, see metrics_accuracy */
    size_t n_true, n_pred; /* distinct labels on each side */
};

/* All scores of pred against truth (n samples each). n == 0 follows sklearn:
 * MI 0, AMI = NMI = ARI = 1 (and accuracy 1). */
void metrics_score(const int64_t *truth, const int64_t *pred, size_t n, struct cluster_scores *out);

#endif
