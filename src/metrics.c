/* metrics — MI, AMI, NMI, ARI and accuracy as scikit-learn 1.2.1 computes them. See metrics.h. */
#include "metrics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Exact integer products for the pair counts of the adjusted Rand index:
 * tp*tn reaches n^4/4, beyond int64 from n ~ 77000. */
#ifdef __SIZEOF_INT128__
__extension__ typedef __int128 wide_int;
#else
typedef long double wide_int;
#endif

// ---- NumPy's summation order ----

/* np.sum of a contiguous float64 vector: the reduction starts from 0 and is
 * fed in buffers of 8192 elements, each summed pairwise (checked bit for bit
 * against NumPy 1.24 on random vectors up to 30000 long). */
static double numpy_sum(const double *a, size_t n)
{
    double res = 0.0;
    for (size_t s = 0; s < n; s += 8192)
        res += ftl_pairwise_sum(a + s, n - s < 8192 ? n - s : 8192);
    return res;
}

// ---- contingency table ----

struct keyed {
    int64_t value;
    size_t index;
};

static int keyed_cmp(const void *pa, const void *pb)
{
    const struct keyed *a = pa, *b = pb;
    if (a->value != b->value) return a->value < b->value ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* np.unique(labels, return_inverse=True): idx[i] = rank of labels[i] among
 * the sorted distinct values; returns the number of distinct values. */
static size_t compact_labels(const int64_t *labels, size_t n, size_t *idx, struct keyed *work)
{
    for (size_t i = 0; i < n; i++)
        work[i] = (struct keyed){labels[i], i};
    qsort(work, n, sizeof *work, keyed_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && work[i].value != work[i - 1].value) k++;
        idx[work[i].index] = k;
    }
    return n ? k + 1 : 0;
}

/* Stable counting sort of the sample order `in` by key[] (values < nkeys). */
static void counting_sort(const size_t *in, size_t *out, size_t n, const size_t *key, size_t nkeys)
{
    size_t *start = xcalloc(nkeys + 1, sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[key[in[i]] + 1]++;
    for (size_t k = 0; k < nkeys; k++)
        start[k + 1] += start[k];
    for (size_t i = 0; i < n; i++)
        out[start[key[in[i]]]++] = in[i];
    free(start);
}

void metrics_contingency_build(struct metrics_contingency *t, const int64_t *truth,
                               const int64_t *pred, size_t n)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    size_t m = n ? n : 1;
    size_t *row = xmallocarray(m, sizeof *row);
    size_t *col = xmallocarray(m, sizeof *col);
    size_t *order = xmallocarray(m, sizeof *order);
    size_t *sorted = xmallocarray(m, sizeof *sorted);
    struct keyed *work = xmallocarray(m, sizeof *work);
    t->rows = compact_labels(truth, n, row, work);
    t->cols = compact_labels(pred, n, col, work);
    free(work);

    /* Sort the samples by (column, row): by row first, then stably by column. */
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    counting_sort(order, sorted, n, row, t->rows);
    counting_sort(sorted, order, n, col, t->cols);

    t->cell_row = xmallocarray(m, sizeof *t->cell_row);
    t->cell_col = xmallocarray(m, sizeof *t->cell_col);
    t->cell_count = xmallocarray(m, sizeof *t->cell_count);
    t->row_sum = xcalloc(t->rows ? t->rows : 1, sizeof *t->row_sum);
    t->col_sum = xcalloc(t->cols ? t->cols : 1, sizeof *t->col_sum);
    for (size_t s = 0; s < n; s++) {
        size_t i = row[order[s]], j = col[order[s]];
        if (t->cells == 0 || t->cell_row[t->cells - 1] != i || t->cell_col[t->cells - 1] != j) {
            t->cell_row[t->cells] = i;
            t->cell_col[t->cells] = j;
            t->cell_count[t->cells] = 0;
            t->cells++;
        }
        t->cell_count[t->cells - 1]++;
        t->row_sum[i]++;
        t->col_sum[j]++;
    }
    free(row);
    free(col);
    free(order);
    free(sorted);
}

void metrics_contingency_free(struct metrics_contingency *t)
{
    free(t->cell_row);
    free(t->cell_col);
    free(t->cell_count);
    free(t->row_sum);
    free(t->col_sum);
    memset(t, 0, sizeof *t);
}

// ---- entropy and mutual information (sklearn _supervised.py) ----

double metrics_entropy(const int64_t *sizes, size_t k)
{
    if (k == 0) return 1.0;
    double *p = xmallocarray(k, sizeof *p);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (sizes[i] > 0) p[m++] = (double)sizes[i];
    double h = 0.0;
    if (m > 1) {
        double total = numpy_sum(p, m);
        double log_total = log(total);
        /* log(a/b) as log(a) - log(b), as sklearn does for precision */
        for (size_t i = 0; i < m; i++)
            p[i] = (p[i] / total) * (log(p[i]) - log_total);
        h = -numpy_sum(p, m);
    }
    free(p);
    return h;
}

double metrics_mutual_info(const struct metrics_contingency *t)
{
    if (t->rows == 1 || t->cols == 1 || t->cells == 0) return 0.0;
    double total = (double)t->n;
    double log_total = log(total);
    double *term = xmallocarray(t->cells, sizeof *term);
    for (size_t c = 0; c < t->cells; c++) {
        double nij = (double)t->cell_count[c];
        double p = nij / total;
        int64_t outer = t->row_sum[t->cell_row[c]] * t->col_sum[t->cell_col[c]];
        double log_outer = -log((double)outer) + log_total + log_total;
        double v = p * (log(nij) - log_total) + p * log_outer;
        term[c] = fabs(v) < DBL_EPSILON ? 0.0 : v;
    }
    double mi = numpy_sum(term, t->cells);
    free(term);
    return mi > 0.0 ? mi : 0.0;
}

/* Precomputed parts of the EMI sum (sklearn _expected_mutual_info_fast.pyx). */
struct emi_tables {
    double N, gln_N;
    double *log_a, *gln_a, *gln_Na;     /* [rows] */
    double *log_b, *gln_b, *gln_Nb;     /* [cols] */
    double *term1, *log_Nnij, *gln_nij; /* [max margin + 1] */
};

/* The EMI terms of cell (i, j) for n_ij = start .. end-1, into out. */
static size_t emi_cell_terms(const struct emi_tables *e, const struct metrics_contingency *t,
                             size_t i, size_t j, double *out)
{
    int64_t a = t->row_sum[i], b = t->col_sum[j];
    int64_t start = (int64_t)((double)a - e->N + (double)b);
    if (start < 1) start = 1;
    int64_t end = (a < b ? a : b) + 1;
    size_t m = 0;
    for (int64_t nij = start; nij < end; nij++) {
        double term2 = e->log_Nnij[nij] - e->log_a[i] - e->log_b[j];
        /* hypergeometric P(n_ij) in log space: numerators positive, denominators negative */
        double gln =
            (e->gln_a[i] + e->gln_b[j] + e->gln_Na[i] + e->gln_Nb[j] - e->gln_N - e->gln_nij[nij] -
             lgamma((double)(a - nij + 1)) - lgamma((double)(b - nij + 1)) -
             lgamma(e->N - (double)a - (double)b + (double)nij + 1));
        double term3 = exp(gln);
        out[m++] = e->term1[nij] * term2 * term3;
    }
    return m;
}

static void emi_tables_init(struct emi_tables *e, const struct metrics_contingency *t)
{
    int64_t top = 0;
    e->N = (double)t->n;
    e->gln_N = lgamma(e->N + 1);
    e->log_a = xmallocarray(t->rows, sizeof(double));
    e->gln_a = xmallocarray(t->rows, sizeof(double));
    e->gln_Na = xmallocarray(t->rows, sizeof(double));
    for (size_t i = 0; i < t->rows; i++) {
        double a = (double)t->row_sum[i];
        e->log_a[i] = log(a);
        e->gln_a[i] = lgamma(a + 1);
        e->gln_Na[i] = lgamma(e->N - a + 1);
        top = t->row_sum[i] > top ? t->row_sum[i] : top;
    }
    e->log_b = xmallocarray(t->cols, sizeof(double));
    e->gln_b = xmallocarray(t->cols, sizeof(double));
    e->gln_Nb = xmallocarray(t->cols, sizeof(double));
    for (size_t j = 0; j < t->cols; j++) {
        double b = (double)t->col_sum[j];
        e->log_b[j] = log(b);
        e->gln_b[j] = lgamma(b + 1);
        e->gln_Nb[j] = lgamma(e->N - b + 1);
        top = t->col_sum[j] > top ? t->col_sum[j] : top;
    }
    e->term1 = xmallocarray((size_t)top + 1, sizeof(double));
    e->log_Nnij = xmallocarray((size_t)top + 1, sizeof(double));
    e->gln_nij = xmallocarray((size_t)top + 1, sizeof(double));
    for (int64_t k = 0; k <= top; k++) {
        double nij = k ? (double)k : 1.0; /* index 0 is never used */
        e->term1[k] = nij / e->N;
        e->log_Nnij[k] = log(e->N) + log(nij);
        e->gln_nij[k] = lgamma(nij + 1);
    }
}

static void emi_tables_free(struct emi_tables *e)
{
    free(e->log_a), free(e->gln_a), free(e->gln_Na);
    free(e->log_b), free(e->gln_b), free(e->gln_Nb);
    free(e->term1), free(e->log_Nnij), free(e->gln_nij);
}

static int i64_cmp(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/*
 * sklearn sums every (i, j, n_ij) term into one accumulator in the order
 * i, j, n_ij, which costs R*C*min(a,b) lgamma calls (10^8 for 10000 labels
 * each side). The terms depend only on the margins (a_i, b_j), so they are
 * computed once per distinct b_j while a_i stays the same, and replayed in
 * sklearn's order: the sum is bit for bit the same, the lgamma count is not.
 */
double metrics_expected_mutual_info(const struct metrics_contingency *t)
{
    if (t->rows <= 1 || t->cols <= 1) return 0.0;
    struct emi_tables e;
    emi_tables_init(&e, t);

    /* slot[j] = index of b_j among the distinct column sizes */
    int64_t *distinct = xmallocarray(t->cols, sizeof *distinct);
    memcpy(distinct, t->col_sum, t->cols * sizeof *distinct);
    qsort(distinct, t->cols, sizeof *distinct, i64_cmp);
    size_t nd = 0;
    for (size_t j = 0; j < t->cols; j++)
        if (nd == 0 || distinct[nd - 1] != distinct[j]) distinct[nd++] = distinct[j];
    size_t *slot = xmallocarray(t->cols, sizeof *slot);
    for (size_t j = 0; j < t->cols; j++) {
        const int64_t *hit = bsearch(&t->col_sum[j], distinct, nd, sizeof *distinct, i64_cmp);
        slot[j] = (size_t)(hit - distinct);
    }
    /* Cached terms of the current a: distinct b sizes sum to <= n, so n doubles suffice. */
    size_t *slot_off = xmallocarray(nd, sizeof *slot_off);
    size_t *slot_len = xmallocarray(nd, sizeof *slot_len);
    size_t *slot_gen = xcalloc(nd, sizeof *slot_gen);
    double *pool = xmallocarray(t->n + 1, sizeof *pool);
    size_t pool_used = 0, gen = 0;
    int64_t cached_a = -1;

    double emi = 0.0;
    for (size_t i = 0; i < t->rows; i++) {
        if (t->row_sum[i] != cached_a) {
            cached_a = t->row_sum[i];
            gen++;
            pool_used = 0;
        }
        for (size_t j = 0; j < t->cols; j++) {
            size_t s = slot[j];
            if (slot_gen[s] != gen) {
                slot_gen[s] = gen;
                slot_off[s] = pool_used;
                slot_len[s] = emi_cell_terms(&e, t, i, j, pool + pool_used);
                pool_used += slot_len[s];
            }
            const double *term = pool + slot_off[s];
            for (size_t k = 0; k < slot_len[s]; k++)
                emi += term[k];
        }
    }
    free(distinct), free(slot), free(slot_off), free(slot_len), free(slot_gen), free(pool);
    emi_tables_free(&e);
    return emi;
}

// ---- adjusted Rand index (sklearn pair_confusion_matrix) ----

double metrics_adjusted_rand(const struct metrics_contingency *t)
{
    int64_t n = (int64_t)t->n;
    wide_int sum_squares = 0, dot_cols = 0, dot_rows = 0;
    for (size_t c = 0; c < t->cells; c++) {
        wide_int nij = t->cell_count[c];
        sum_squares += nij * nij;
        dot_cols += nij * t->col_sum[t->cell_col[c]];
        dot_rows += nij * t->row_sum[t->cell_row[c]];
    }
    wide_int tp = sum_squares - n;
    wide_int fp = dot_cols - sum_squares;
    wide_int fn = dot_rows - sum_squares;
    wide_int tn = (wide_int)n * n - fp - fn - sum_squares;
    if (fn == 0 && fp == 0) return 1.0;
    /* Python: 2.0 * int / int, each int rounded to double once */
    double num = (double)(tp * tn - fn * fp);
    double den = (double)((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
    return 2.0 * num / den;
}

// ---- accuracy: maximum-weight one-to-one matching ----

/* A bipartite block: `left` nodes (the smaller side), each with its non-zero
 * cells (right node, count) in CSR form. */
struct block {
    size_t left, right;
    size_t *start; /* [left + 1] */
    size_t *to;    /* right index 0..right-1 */
    int64_t *weight;
};

/*
 * Hungarian algorithm (Kuhn-Munkres with potentials, the O(n^2 m) shortest
 * augmenting path form, 1-based with a virtual column 0) minimising
 * -n_ij; the cost row of the row being relaxed is scattered into a dense
 * buffer so memory stays O(m). Integer costs: the optimum is exact.
 */
static int64_t block_max_matching(const struct block *g)
{
    size_t n = g->left, m = g->right;
    const int64_t inf = INT64_MAX / 4;
    int64_t *u = xcalloc(n + 1, sizeof *u), *v = xcalloc(m + 1, sizeof *v);
    int64_t *minv = xmallocarray(m + 1, sizeof *minv), *cost = xcalloc(m + 1, sizeof *cost);
    size_t *p = xcalloc(m + 1, sizeof *p), *way = xcalloc(m + 1, sizeof *way);
    unsigned char *used = xmallocarray(m + 1, 1);

    for (size_t i = 1; i <= n; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= m; j++)
            minv[j] = inf, used[j] = 0;
        do {
            used[j0] = 1;
            size_t i0 = p[j0], j1 = 0;
            int64_t delta = inf;
            for (size_t c = g->start[i0 - 1]; c < g->start[i0]; c++)
                cost[g->to[c] + 1] = -g->weight[c];
            for (size_t j = 1; j <= m; j++) {
                if (used[j]) continue;
                int64_t cur = cost[j] - u[i0] - v[j];
                if (cur < minv[j]) minv[j] = cur, way[j] = j0;
                if (minv[j] < delta) delta = minv[j], j1 = j;
            }
            for (size_t c = g->start[i0 - 1]; c < g->start[i0]; c++)
                cost[g->to[c] + 1] = 0;
            for (size_t j = 0; j <= m; j++) {
                if (used[j])
                    u[p[j]] += delta, v[j] -= delta;
                else
                    minv[j] -= delta;
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    /* p[j] = left node matched to column j; add up the matched cells */
    int64_t best = 0;
    for (size_t j = 1; j <= m; j++) {
        if (p[j] == 0) continue;
        for (size_t c = g->start[p[j] - 1]; c < g->start[p[j]]; c++)
            if (g->to[c] + 1 == j) best += g->weight[c];
    }
    free(u), free(v), free(minv), free(cost), free(p), free(way), free(used);
    return best;
}

static size_t uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* root[x] = component of node x in the graph of non-zero cells, rows being
 * nodes 0..R-1 and columns nodes R..R+C-1. Caller frees. */
static size_t *cell_components(const struct metrics_contingency *t)
{
    size_t R = t->rows, nodes = t->rows + t->cols;
    size_t *root = xmallocarray(nodes, sizeof *root);
    for (size_t x = 0; x < nodes; x++)
        root[x] = x;
    for (size_t c = 0; c < t->cells; c++) {
        size_t a = uf_find(root, t->cell_row[c]), b = uf_find(root, R + t->cell_col[c]);
        if (a != b) root[a] = b;
    }
    for (size_t x = 0; x < nodes; x++)
        root[x] = uf_find(root, x);
    return root;
}

/* One component's cells (indices into t) as a block with the smaller side on
 * the left; local[x] numbers the nodes within their component. */
static void block_fill(struct block *g, const struct metrics_contingency *t, const size_t *cells,
                       size_t ncells, const size_t *local, size_t nrows, size_t ncols)
{
    size_t R = t->rows;
    int rows_left = nrows <= ncols;
    g->left = rows_left ? nrows : ncols;
    g->right = rows_left ? ncols : nrows;
    memset(g->start, 0, (g->left + 1) * sizeof *g->start);
    for (size_t q = 0; q < ncells; q++) {
        size_t c = cells[q];
        g->start[1 + (rows_left ? local[t->cell_row[c]] : local[R + t->cell_col[c]])]++;
    }
    for (size_t l = 0; l < g->left; l++)
        g->start[l + 1] += g->start[l];
    for (size_t q = 0; q < ncells; q++) {
        size_t c = cells[q];
        size_t li = local[t->cell_row[c]], lj = local[R + t->cell_col[c]];
        size_t k = g->start[rows_left ? li : lj]++;
        g->to[k] = rows_left ? lj : li;
        g->weight[k] = t->cell_count[c];
    }
    /* the fill loop advanced start[l] to start[l + 1]: shift back */
    memmove(g->start + 1, g->start, g->left * sizeof *g->start);
    g->start[0] = 0;
}

/*
 * Labels joined by no non-zero cell gain nothing from being matched, so the
 * matching splits into the connected components of the cell graph; 10000
 * singleton labels then cost O(n), not a 10^4 x 10^4 assignment problem.
 */
double metrics_accuracy(const struct metrics_contingency *t)
{
    if (t->n == 0) return 1.0;
    size_t R = t->rows, nodes = t->rows + t->cols;
    size_t *root = cell_components(t);
    size_t *local = xmallocarray(nodes, sizeof *local);
    size_t *nrows = xcalloc(nodes, sizeof *nrows), *ncols = xcalloc(nodes, sizeof *ncols);
    for (size_t x = 0; x < nodes; x++)
        local[x] = x < R ? nrows[root[x]]++ : ncols[root[x]]++;
    /* cells grouped by component: a counting sort on the root of their row */
    size_t *first = xcalloc(nodes + 1, sizeof *first), *fill = xmallocarray(nodes, sizeof *fill);
    size_t *bycomp = xmallocarray(t->cells, sizeof *bycomp);
    for (size_t c = 0; c < t->cells; c++)
        first[root[t->cell_row[c]] + 1]++;
    for (size_t x = 0; x < nodes; x++)
        first[x + 1] += first[x];
    memcpy(fill, first, nodes * sizeof *fill);
    for (size_t c = 0; c < t->cells; c++)
        bycomp[fill[root[t->cell_row[c]]]++] = c;

    struct block g;
    g.start = xmallocarray(nodes + 1, sizeof *g.start);
    g.to = xmallocarray(t->cells, sizeof *g.to);
    g.weight = xmallocarray(t->cells, sizeof *g.weight);
    int64_t matched = 0;
    for (size_t x = 0; x < nodes; x++) {
        if (first[x] == first[x + 1]) continue; /* not a root */
        block_fill(&g, t, bycomp + first[x], first[x + 1] - first[x], local, nrows[x], ncols[x]);
        matched += block_max_matching(&g);
    }
    free(root), free(local), free(nrows), free(ncols), free(first), free(fill), free(bycomp);
    free(g.start), free(g.to), free(g.weight);
    return (double)matched / (double)t->n;
}

// ---- all scores at once ----

enum average { AVG_MIN, AVG_GEOMETRIC, AVG_ARITHMETIC, AVG_MAX };

/* sklearn _generalized_average */
static double generalized_average(double u, double v, enum average how)
{
    switch (how) {
    case AVG_MIN:
        return u < v ? u : v;
    case AVG_GEOMETRIC:
        return sqrt(u * v);
    case AVG_ARITHMETIC:
        return (u + v) / 2.0;
    case AVG_MAX:
        break;
    }
    return u > v ? u : v;
}

/* AMI = (MI - EMI) / (norm - EMI), the denominator kept at least DBL_EPSILON
 * away from 0 with its sign preserved (SPEC.md §8.1). */
static double ami(const struct cluster_scores *s, enum average how)
{
    double den = generalized_average(s->h_true, s->h_pred, how) - s->emi;
    if (den < 0)
        den = den < -DBL_EPSILON ? den : -DBL_EPSILON;
    else
        den = den > DBL_EPSILON ? den : DBL_EPSILON;
    return (s->mi - s->emi) / den;
}

static double nmi(const struct cluster_scores *s, enum average how)
{
    if (s->mi == 0.0) return 0.0;
    return s->mi / generalized_average(s->h_true, s->h_pred, how);
}

void metrics_score(const int64_t *truth, const int64_t *pred, size_t n, struct cluster_scores *out)
{
    struct metrics_contingency t;
    metrics_contingency_build(&t, truth, pred, n);
    memset(out, 0, sizeof *out);
    out->n_true = t.rows;
    out->n_pred = t.cols;
    out->h_true = metrics_entropy(t.row_sum, t.rows);
    out->h_pred = metrics_entropy(t.col_sum, t.cols);
    out->mi = metrics_mutual_info(&t);
    out->emi = metrics_expected_mutual_info(&t);
    out->ari = metrics_adjusted_rand(&t);
    out->accuracy = metrics_accuracy(&t);
    if (t.rows == t.cols && t.rows <= 1) {
        /* no split on either side: a perfect match by sklearn's convention */
        out->ami_max = out->ami_arithmetic = out->ami_geometric = out->ami_min = 1.0;
        out->nmi_max = out->nmi_arithmetic = out->nmi_geometric = out->nmi_min = 1.0;
    } else {
        out->ami_max = ami(out, AVG_MAX);
        out->ami_arithmetic = ami(out, AVG_ARITHMETIC);
        out->ami_geometric = ami(out, AVG_GEOMETRIC);
        out->ami_min = ami(out, AVG_MIN);
        out->nmi_max = nmi(out, AVG_MAX);
        out->nmi_arithmetic = nmi(out, AVG_ARITHMETIC);
        out->nmi_geometric = nmi(out, AVG_GEOMETRIC);
        out->nmi_min = nmi(out, AVG_MIN);
    }
    metrics_contingency_free(&t);
}
