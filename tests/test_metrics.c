/*
 * test_metrics — the clustering scores against scikit-learn 1.2.1: the SPEC.md
 * §8.3 vectors V1-V7, the generated cases of tests/ref/metrics_vectors.h
 * (tests/ref/make_metrics_vectors.py), and hand-checked contingency tables,
 * matchings and edge cases (one sample, 10000 distinct labels a side).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "metrics.h"
#include "ref/metrics_vectors.h"
#include "rng.h"
#include "util.h"

/* Agreement required with sklearn 1.2.1; the largest deviation seen is printed. */
#define SK_TOL 1e-9

static double worst_dev;
static char worst_what[128];
static int mismatches;

/* Reports every mismatch of a test before failing it (see expect_no_mismatch). */
static void check_close(const char *what, const char *field, double got, double want, double tol)
{
    double dev = fabs(got - want);
    if (dev > worst_dev && tol > 0) {
        worst_dev = dev;
        snprintf(worst_what, sizeof worst_what, "%s %s", what, field);
    }
    if (!(dev <= tol)) {
        print_error("%s: %s = %.17g, expected %.17g (|diff| %.3g > %.3g)\n", what, field, got, want,
                    dev, tol);
        mismatches++;
    }
}

static void expect_no_mismatch(void)
{
    int m = mismatches;
    mismatches = 0;
    assert_int_equal(m, 0);
}

// ---- SPEC.md §8.3 ----

struct spec_vector {
    const char *id;
    size_t n;
    int64_t (*truth)(int64_t i);
    int64_t (*pred)(int64_t i);
    double ami_max, ami_arith, ami_geom, ami_min, mi, nmi_geom;
};

static int64_t v1_t(int64_t i)
{
    return i % 10;
}
static int64_t v1_p(int64_t i)
{
    return (7 * i + i / 13) % 11;
}
static int64_t v2_p(int64_t i)
{
    return ((i % 10) + ((i / 10) % 4 == 0)) % 9;
}
static int64_t v3_t(int64_t i)
{
    return (i * i) % 10;
}
static int64_t v3_p(int64_t i)
{
    return i % 3 != 0 ? i % 10 : i % 7;
}
static int64_t v4_t(int64_t i)
{
    return i % 3;
}
static int64_t v4_p(int64_t i)
{
    return i % 2;
}

static const struct spec_vector spec_vectors[] = {
    {"V1", 10000, v1_t, v1_p, -0.001882282607732, -0.001920522427969, -0.001920918114564,
     -0.001960348202568, 0.000004965091284, 0.000002113023329},
    {"V2", 10000, v1_t, v2_p, 0.700666649636127, 0.720380267571755, 0.720665106275189,
     0.741235305587831, 1.614424241572263, 0.721115138507591},
    {"V3", 10000, v3_t, v3_p, 0.350873956599223, 0.397022714462007, 0.400497978196685,
     0.457149363625601, 0.800351160010762, 0.401175137804912},
    {"V4", 30, v4_t, v4_p, -0.033724448978062, -0.041674145070292, -0.042831543938916,
     -0.054527683945322, 0, 0},
};

static void score_formula(const struct spec_vector *v, struct cluster_scores *s)
{
    int64_t *t = xmallocarray(v->n, sizeof *t), *p = xmallocarray(v->n, sizeof *p);
    for (size_t i = 0; i < v->n; i++)
        t[i] = v->truth((int64_t)i), p[i] = v->pred((int64_t)i);
    metrics_score(t, p, v->n, s);
    free(t);
    free(p);
}

/*
 * SPEC values have 15 decimals. NumPy's log and scipy's gammaln differ from
 * libm's log and lgamma in the last bit for many arguments, so AMI near 0
 * (MI - EMI cancels) moves by a few 1e-14: 1e-13 here, the brief asks 1e-9.
 */
static void test_spec_v1_v4(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof spec_vectors / sizeof *spec_vectors; k++) {
        const struct spec_vector *v = &spec_vectors[k];
        struct cluster_scores s;
        score_formula(v, &s);
        check_close(v->id, "ami_max", s.ami_max, v->ami_max, 1e-13);
        check_close(v->id, "ami_arithmetic", s.ami_arithmetic, v->ami_arith, 1e-13);
        check_close(v->id, "ami_geometric", s.ami_geometric, v->ami_geom, 1e-13);
        check_close(v->id, "ami_min", s.ami_min, v->ami_min, 1e-13);
        check_close(v->id, "mi", s.mi, v->mi, 1e-13);
        check_close(v->id, "nmi_geometric", s.nmi_geometric, v->nmi_geom, 1e-13);
    }
    expect_no_mismatch();
}

static void test_spec_v5_v7(void **state)
{
    (void)state;
    struct cluster_scores s;
    const int64_t v5_t[] = {0, 0, 1, 1}, v5_p[] = {1, 1, 0, 0};
    metrics_score(v5_t, v5_p, 4, &s);
    check_close("V5", "ami_max", s.ami_max, 1.0, 1e-13);
    check_close("V5", "ami_arithmetic", s.ami_arithmetic, 1.0, 1e-13);
    check_close("V5", "emi", s.emi, 0.231049060186648, 1e-13);
    check_close("V5", "ari", s.ari, 1.0, 0);
    check_close("V5", "accuracy", s.accuracy, 1.0, 0);

    const int64_t v6_t[] = {0, 0, 0, 0}, v6_p[] = {0, 1, 2, 3};
    metrics_score(v6_t, v6_p, 4, &s);
    check_close("V6", "ami_max", s.ami_max, 0.0, 1e-15);
    check_close("V6", "ami_arithmetic", s.ami_arithmetic, 0.0, 1e-15);
    check_close("V6", "accuracy", s.accuracy, 0.25, 0);

    const int64_t v7_t[] = {0, 0, 0, 1, 1, 1, 2, 2, 2}, v7_p[] = {0, 0, 1, 1, 1, 2, 2, 2, 2};
    metrics_score(v7_t, v7_p, 9, &s);
    check_close("V7", "ami_max", s.ami_max, 0.398630622972315, 1e-13);
    check_close("V7", "ami_arithmetic", s.ami_arithmetic, 0.408670509721722, 1e-13);
    check_close("V7", "mi", s.mi, 0.636514168294813, 1e-13);
    check_close("V7", "emi", s.emi, 0.330202492583626, 1e-13);
    check_close("V7", "h_true", s.h_true, 1.098612288668110, 1e-13);
    check_close("V7", "h_pred", s.h_pred, 1.060856947158022, 1e-13);
    /* matching 0-0 (2), 1-1 (2), 2-2 (3) */
    check_close("V7", "accuracy", s.accuracy, 7.0 / 9.0, 0);
    expect_no_mismatch();
}

// ---- generated cases (tests/ref/metrics_vectors.h) ----

/* The labelling formula of make_metrics_vectors.py, bit for bit. */
static uint64_t mix(uint64_t seed, uint64_t i)
{
    uint64_t z = (seed * 1000003u + i) * 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t cluster_of(int mode, uint64_t seed, uint64_t k, uint64_t i)
{
    uint64_t h = mix(seed, i);
    if (mode == MV_UNIFORM) return h % k;
    if (mode == MV_SKEWED) return ((h & 0xFFFFF) * (h & 0xFFFFF) * k) >> 40;
    return i;
}

static int64_t label_of(const struct mv_side *s, const struct mv_side *truth, uint64_t i)
{
    uint64_t c;
    if (s->mode == MV_FOLLOW)
        c = mix(s->seed + 7777, i) % 100 < s->agree
                ? cluster_of(truth->mode, truth->seed, truth->k, i) % s->k
                : cluster_of(MV_UNIFORM, s->seed, s->k, i);
    else
        c = cluster_of(s->mode, s->seed, s->k, i);
    return s->offset + s->stride * (int64_t)c;
}

static double average(double u, double v, int how)
{
    switch (how) {
    case 0:
        return u > v ? u : v;
    case 1:
        return (u + v) / 2.0;
    case 2:
        return sqrt(u * v);
    }
    return u < v ? u : v;
}

/*
 * AMI = (MI - EMI) / (norm - EMI). When every cluster of one side is a single
 * sample, MI = EMI = norm in exact arithmetic and both sklearn's AMI and ours
 * are 0/0 rounding noise (sklearn: 1.0071 where we give 1.0129). There only
 * require that our denominator is noise as well; elsewhere match to SK_TOL.
 */
static int check_ami(const struct mv_case *c, const struct cluster_scores *s, int how)
{
    static const char *name[] = {"ami_max", "ami_arithmetic", "ami_geometric", "ami_min"};
    const double want[] = {c->ami_max, c->ami_arithmetic, c->ami_geometric, c->ami_min};
    const double got[] = {s->ami_max, s->ami_arithmetic, s->ami_geometric, s->ami_min};
    double den_ref = average(c->h_true, c->h_pred, how) - c->emi;
    double den = average(s->h_true, s->h_pred, how) - s->emi;
    /* one side a single cluster: MI = EMI = 0 exactly, AMI = 0/eps = 0 (or 1 if both) */
    int exact = c->n_true == 1 || c->n_pred == 1;
    if (!exact && fabs(den_ref) < 1e-10) {
        check_close(c->note, "ill-conditioned AMI denominator", den, 0.0, 1e-10);
        return 1;
    }
    check_close(c->note, name[how], got[how], want[how], SK_TOL);
    return 0;
}

static void test_generated_vectors(void **state)
{
    int ill = 0;
    (void)state;
    size_t ncases = sizeof mv_cases / sizeof *mv_cases;
    for (size_t k = 0; k < ncases; k++) {
        const struct mv_case *c = &mv_cases[k];
        int64_t *t = xmallocarray(c->n, sizeof *t), *p = xmallocarray(c->n, sizeof *p);
        for (size_t i = 0; i < c->n; i++) {
            t[i] = label_of(&c->truth, NULL, i);
            p[i] = label_of(&c->pred, &c->truth, i);
        }
        struct cluster_scores s;
        metrics_score(t, p, c->n, &s);
        assert_int_equal(s.n_true, c->n_true);
        assert_int_equal(s.n_pred, c->n_pred);
        check_close(c->note, "mi", s.mi, c->mi, SK_TOL);
        check_close(c->note, "emi", s.emi, c->emi, SK_TOL);
        check_close(c->note, "h_true", s.h_true, c->h_true, SK_TOL);
        check_close(c->note, "h_pred", s.h_pred, c->h_pred, SK_TOL);
        for (int how = 0; how < 4; how++)
            ill += check_ami(c, &s, how);
        check_close(c->note, "nmi_arithmetic", s.nmi_arithmetic, c->nmi_arithmetic, SK_TOL);
        check_close(c->note, "nmi_geometric", s.nmi_geometric, c->nmi_geometric, SK_TOL);
        check_close(c->note, "nmi_min", s.nmi_min, c->nmi_min, SK_TOL);
        check_close(c->note, "nmi_max", s.nmi_max, c->nmi_max, SK_TOL);
        check_close(c->note, "ari", s.ari, c->ari, SK_TOL);
        check_close(c->note, "accuracy", s.accuracy, c->accuracy, 0);
        free(t);
        free(p);
    }
    printf("%zu generated cases (%d ill-conditioned AMIs); largest |C - sklearn| %.3g (%s)\n",
           ncases, ill, worst_dev, worst_what);
    expect_no_mismatch();
}

// ---- hand-checked pieces ----

static void test_contingency_order(void **state)
{
    (void)state;
    /* truth values {-5, 7, 100} -> rows 0,1,2; pred {3, 9, 42} -> cols 0,1,2 */
    const int64_t t[] = {-5, 7, 100, -5, 7, 100, 100, 7};
    const int64_t p[] = {9, 3, 9, 42, 42, 3, 3, 9};
    struct metrics_contingency c;
    metrics_contingency_build(&c, t, p, 8);
    assert_int_equal(c.rows, 3);
    assert_int_equal(c.cols, 3);
    /* dense [[0,1,1],[1,1,1],[2,1,0]], column-major like scipy.sparse.find */
    const size_t rows[] = {1, 2, 0, 1, 2, 0, 1}, cols[] = {0, 0, 1, 1, 1, 2, 2};
    const int64_t counts[] = {1, 2, 1, 1, 1, 1, 1};
    assert_int_equal(c.cells, 7);
    for (size_t k = 0; k < 7; k++) {
        assert_int_equal(c.cell_row[k], rows[k]);
        assert_int_equal(c.cell_col[k], cols[k]);
        assert_int_equal(c.cell_count[k], counts[k]);
    }
    const int64_t a[] = {2, 3, 3}, b[] = {3, 3, 2};
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(c.row_sum[k], a[k]);
        assert_int_equal(c.col_sum[k], b[k]);
    }
    metrics_contingency_free(&c);
}

static void test_entropy(void **state)
{
    (void)state;
    const int64_t two[] = {5, 5}, one[] = {9}, skew[] = {1, 3};
    check_close("entropy", "[5,5]", metrics_entropy(two, 2), log(2.0), 1e-15);
    check_close("entropy", "[9]", metrics_entropy(one, 1), 0.0, 0);
    check_close("entropy", "[]", metrics_entropy(NULL, 0), 1.0, 0);
    double h = -(0.25 * log(0.25) + 0.75 * log(0.75));
    check_close("entropy", "[1,3]", metrics_entropy(skew, 2), h, 1e-15);
    expect_no_mismatch();
}

/* Greedy (take the biggest cell first) picks 3 + 0; the best matching is 2 + 2. */
static void test_accuracy_beats_greedy(void **state)
{
    (void)state;
    const int64_t t[] = {0, 0, 0, 0, 0, 1, 1};
    const int64_t p[] = {0, 0, 0, 1, 1, 0, 0};
    struct cluster_scores s;
    metrics_score(t, p, 7, &s);
    check_close("greedy trap", "accuracy", s.accuracy, 4.0 / 7.0, 0);
    expect_no_mismatch();
}

/* More clusters than classes: unmatched clusters count as wrong; the matching
 * has to route class 1 away from its largest cell. */
static void test_accuracy_rectangular(void **state)
{
    (void)state;
    /* counts: class0: c0 4, c1 1; class1: c0 3, c2 2; class2: c3 1 */
    const int64_t t[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2};
    const int64_t p[] = {0, 0, 0, 0, 1, 0, 0, 0, 2, 2, 3};
    struct cluster_scores s;
    metrics_score(t, p, 11, &s);
    check_close("rectangular", "accuracy", s.accuracy, (4.0 + 2.0 + 1.0) / 11.0, 0);
    /* transposed: more classes than clusters */
    metrics_score(p, t, 11, &s);
    check_close("rectangular^T", "accuracy", s.accuracy, (4.0 + 2.0 + 1.0) / 11.0, 0);
    expect_no_mismatch();
}

/* Best sum over injective maps of rows 0..R-1 into columns, by enumeration. */
static int64_t brute_matching(const int64_t *m, int R, int C, int row, unsigned used)
{
    if (row == R) return 0;
    int64_t best = brute_matching(m, R, C, row + 1, used); /* row left unmatched */
    for (int j = 0; j < C; j++)
        if (!(used & (1u << j))) {
            int64_t v = m[row * C + j] + brute_matching(m, R, C, row + 1, used | (1u << j));
            best = v > best ? v : best;
        }
    return best;
}

/* The Hungarian matching against enumeration on 300 random small tables,
 * square and rectangular, often split into several components. */
static void test_accuracy_brute_force(void **state)
{
    (void)state;
    int64_t t[40], p[40], m[36];
    for (uint64_t trial = 0; trial < 300; trial++) {
        int R = 1 + (int)(mix(trial, 0) % 6), C = 1 + (int)(mix(trial, 1) % 6);
        size_t n = 1 + mix(trial, 2) % 40;
        for (int q = 0; q < 36; q++)
            m[q] = 0;
        for (size_t i = 0; i < n; i++) {
            t[i] = (int64_t)(mix(trial, 100 + i) % (uint64_t)R);
            /* mostly along a sparse pattern, so components appear */
            p[i] = (int64_t)(mix(trial, 200 + i) % 4 ? (uint64_t)(t[i] * 7) % (uint64_t)C
                                                     : mix(trial, 300 + i) % (uint64_t)C);
        }
        /* compact like np.unique so that m is indexed by the table's rows/cols */
        struct metrics_contingency c;
        metrics_contingency_build(&c, t, p, n);
        for (size_t q = 0; q < c.cells; q++)
            m[c.cell_row[q] * c.cols + c.cell_col[q]] = c.cell_count[q];
        int64_t want = brute_matching(m, (int)c.rows, (int)c.cols, 0, 0);
        check_close("brute force", "accuracy", metrics_accuracy(&c), (double)want / (double)n, 0);
        metrics_contingency_free(&c);
    }
    expect_no_mismatch();
}

/* Scores depend on the partition only: any bijection of label values,
 * including to huge negative numbers, gives bit-identical results. */
static void test_relabel_invariance(void **state)
{
    (void)state;
    size_t n = 3000;
    int64_t *t = xmallocarray(n, sizeof *t), *p = xmallocarray(n, sizeof *p);
    int64_t *t2 = xmallocarray(n, sizeof *t2), *p2 = xmallocarray(n, sizeof *p2);
    for (size_t i = 0; i < n; i++) {
        t[i] = (int64_t)(mix(1, i) % 7);
        p[i] = (int64_t)(mix(2, i) % 100 < 70 ? (uint64_t)t[i] : mix(3, i) % 8);
        /* order-preserving maps keep np.unique's order and so the sum order */
        t2[i] = INT64_MIN + 1000 * t[i];
        p2[i] = -4 + 1000003 * p[i];
    }
    struct cluster_scores a, b;
    metrics_score(t, p, n, &a);
    metrics_score(t2, p2, n, &b);
    assert_memory_equal(&a, &b, sizeof a);
    free(t), free(p), free(t2), free(p2);
}

/* 10000 distinct labels on each side, shuffled: a dense table would hold 10^8
 * cells and sklearn's EMI loop 10^8 lgamma triples. Analytically MI = ln N,
 * EMI = N^2 * (1/N) ln N * P(1) with P(1) = 1/N, i.e. ln N; NMI = ARI = acc = 1. */
static void test_ten_thousand_distinct(void **state)
{
    (void)state;
    size_t n = 10000;
    int64_t *t = xmallocarray(n, sizeof *t), *p = xmallocarray(n, sizeof *p);
    uint32_t *perm = xmallocarray(n, sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    struct rng r;
    rng_seed(&r, 5);
    rng_shuffle_u32(&r, perm, n);
    for (size_t i = 0; i < n; i++)
        t[i] = (int64_t)perm[i] * 3 - 7, p[i] = (int64_t)i;
    double t0 = ftl_now();
    struct cluster_scores s;
    metrics_score(t, p, n, &s);
    double dt = ftl_now() - t0;
    printf("10000 x 10000 distinct labels scored in %.2f s\n", dt);
    assert_int_equal(s.n_true, n);
    assert_int_equal(s.n_pred, n);
    check_close("distinct", "mi", s.mi, log((double)n), 1e-12);
    /* 10^8 terms of ~1e-7 summed one by one: ~1e-8 relative rounding drift */
    check_close("distinct", "emi", s.emi, log((double)n), 1e-6);
    check_close("distinct", "nmi_geometric", s.nmi_geometric, 1.0, 1e-12);
    check_close("distinct", "ari", s.ari, 1.0, 0);
    check_close("distinct", "accuracy", s.accuracy, 1.0, 0);
    assert_true(isfinite(s.ami_max) && isfinite(s.ami_min));

    /* the same truth against 10 clusters: every cluster matched to one sample */
    for (size_t i = 0; i < n; i++)
        p[i] = (int64_t)(i % 10);
    metrics_score(t, p, n, &s);
    check_close("distinct vs 10", "accuracy", s.accuracy, 10.0 / (double)n, 0);
    check_close("distinct vs 10", "mi", s.mi, log(10.0), 1e-12);
    assert_true(dt < 10.0);
    free(t), free(p), free(perm);
    expect_no_mismatch();
}

static void test_empty_input(void **state)
{
    (void)state;
    struct cluster_scores s;
    metrics_score(NULL, NULL, 0, &s);
    check_close("n=0", "mi", s.mi, 0.0, 0);
    check_close("n=0", "ami_max", s.ami_max, 1.0, 0);
    check_close("n=0", "nmi_geometric", s.nmi_geometric, 1.0, 0);
    check_close("n=0", "ari", s.ari, 1.0, 0);
    check_close("n=0", "accuracy", s.accuracy, 1.0, 0);
    expect_no_mismatch();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_v1_v4),
        cmocka_unit_test(test_spec_v5_v7),
        cmocka_unit_test(test_generated_vectors),
        cmocka_unit_test(test_contingency_order),
        cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_accuracy_beats_greedy),
        cmocka_unit_test(test_accuracy_rectangular),
        cmocka_unit_test(test_accuracy_brute_force),
        cmocka_unit_test(test_relabel_invariance),
        cmocka_unit_test(test_ten_thousand_distinct),
        cmocka_unit_test(test_empty_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
