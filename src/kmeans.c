#ifndef KERNEL_PASS
/* kmeans — k-means++ and Lloyd as scikit-learn 1.2.1 runs them (SPEC.md §7). See kmeans.h. */
#include "kmeans.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas.h"
#include "rng.h"
#include "util.h"

/* Rows per chunk, the unit of work and of the M-step's partial sums (sklearn's
 * CHUNK_SIZE); a multiple of BLOCK. */
#define CHUNK 256
#define MAX_THREADS 64
/* Relative padding of every bound update: far above the rounding of the few operations each
 * makes (DBL_EPSILON / 2 each), over max_iter iterations. */
#define PAD 1e-12

/*
 * The distance products x.c are not a GEMM: with k ~ 10 centres OpenBLAS's
 * dgemm spent more time packing X (again every iteration) and in its edge
 * kernels than multiplying. Instead X is packed once per fit in blocks of
 * BLOCK rows, coordinate-major ([q][row]), and a kernel multiplies a block
 * by a few centres at a time, one vector of BLOCK rows per centre. Each dot
 * product is added in order of the coordinates, multiply then add (-std=c11
 * fuses nothing), and a vector's lanes never meet, so the kernels built
 * below for SSE2, AVX2 and AVX-512 give the same bits
 * (FTLAB_KMEANS_VECTOR_BITS caps the width, for tests).
 */
#define BLOCK 8

/* out[b][j][r] = -2 x.c_j for row r of block b, for the nb blocks at xp (each [d][BLOCK]) and
 * the k centres c ([k][d]). */
typedef void dots_fn(const double *restrict xp, size_t nb, int d, const double *restrict c, int k,
                     double *restrict out);
/* part[label[i]][0..d) += row i of x ([rows][d]) and part[label[i]][d] += 1, rows in order. */
typedef void sums_fn(double *restrict part, const int32_t *label, const double *restrict x,
                     size_t rows, int d);

#define KERNEL_FILE "kmeans.c"
#include "kernel_passes.h"

struct kernels {
    int bits;
    dots_fn *dots;
    sums_fn *sums;
};

static const struct kernels kernels_v16 = {128, block_dots_v16, chunk_sums_v16};
#ifdef WIDE_KERNELS
static const struct kernels kernels_v32 = {256, block_dots_v32, chunk_sums_v32};
static const struct kernels kernels_v64 = {512, block_dots_v64, chunk_sums_v64};
#endif

/* The widest kernels the CPU runs, at most FTLAB_KMEANS_VECTOR_BITS wide. */
static const struct kernels *pick_kernels(void)
{
#ifdef WIDE_KERNELS
    int bits = ftl_vector_bits("FTLAB_KMEANS_VECTOR_BITS");
    if (bits == 512) return &kernels_v64;
    if (bits == 256) return &kernels_v32;
#endif
    return &kernels_v16;
}

int kmeans_vector_bits(void)
{
    return pick_kernels()->bits;
}

// ---- workspace: everything the iterations touch, allocated once per fit ----

struct kmeans_work {
    const double *X;  /* [n x d] centred copy, shared by the groups (read only) */
    const double *Xp; /* the same packed in blocks of BLOCK rows, [n / BLOCK][d][BLOCK], shared */
    const struct kernels *kern;
    size_t n;
    int d, k;
    size_t chunk, nchunks;        /* rows per chunk, chunks */
    const double *x_sq;           /* [n] |x_i|^2, shared */
    double *centers;              /* [k x d] current centres */
    double *centers_new;          /* [k x d] */
    double *c_sq;                 /* [k] |c_j|^2 */
    double *weights;              /* [k] */
    double *shift;                /* [k] |c_new - c_old| */
    int32_t *labels, *labels_old; /* [n] */
    double *scratch; /* per thread: products, gathered rows, their indices (scratch_per_thread) */
    double *partial; /* [nchunks x k x (d + 1)] per-chunk cluster sums and counts */
    double *far;     /* [n] squared distance to the own centre, for relocation */
    int *empty;      /* [k] */
    size_t *top;     /* [k] */
    int update;      /* E-step: also accumulate the M-step sums */
    /* Hamerly's bounds (see estep_chunk) */
    const double *x_norm; /* [n] |x_i|, shared */
    int prune;            /* use the bounds (not opts.exhaustive) */
    int bounded;          /* upper and lower hold for the current labels */
    double *upper;        /* [n] >= |x_i - c_label| */
    double *lower;        /* [n] <= |x_i - c_j| for every other j */
    double *moved;        /* [k] >= how far centre j moved in the last M-step */
    double *apart;        /* [k] <= |c_j - nearest other centre| */
    int moved_arg;        /* the centre that moved most */
    double moved_max[2];  /* the largest and second largest moved */
    double c_max;         /* max_j |c_j| */
    double safe;          /* relative slack of a computed squared distance, see estep_chunk */
    /* k-means++ */
    int trials;         /* 2 + floor(ln k) */
    int m;              /* candidates in this round */
    double *closest;    /* [n] D^2 to the nearest chosen centre */
    double *cumsum;     /* [n] */
    double *cand;       /* [trials x n] min(closest, D^2 to candidate t) */
    double *cand_x;     /* [trials x d] */
    double *pot_part;   /* [nchunks x trials] per-chunk potentials */
    size_t cand_id[64]; /* trials <= 2 + ln(2^31) < 64 */
};

/*
 * Work is split into chunks of rows; every chunk writes only its own rows and
 * its own slot of per-chunk sums, which are then added in chunk order. So the
 * result is the same bit for bit whatever the thread count.
 */
typedef void chunk_fn(struct kmeans_work *w, size_t chunk, double *scratch);

/*
 * A thread's scratch, in doubles: the products [chunk x max(k, trials)] at 0,
 * the gathered rows [chunk x d] at `gathered`, their indices (chunk int32)
 * at `todo`; `len` in all.
 */
struct scratch_at {
    size_t gathered, todo, len;
};

static struct scratch_at scratch_at(const struct kmeans_work *w)
{
    struct scratch_at at;
    at.gathered = w->chunk * (size_t)(w->k > w->trials ? w->k : w->trials);
    at.todo = at.gathered + w->chunk * (size_t)w->d;
    at.len = at.todo + (w->chunk + 1) / 2;
    return at;
}

static size_t scratch_per_thread(const struct kmeans_work *w)
{
    return scratch_at(w).len;
}

/*
 * E-step of one chunk: label = first argmin over j of |c_j|^2 - 2 x.c_j
 * (|x|^2 is the same for every centre and left out); with update, the
 * chunk's per-cluster sums for the M-step (sklearn _update_chunk_dense),
 * always over every row in order.
 *
 * Most rows keep their centre from one iteration to the next, and Hamerly's
 * bounds prove it without computing the k distances: upper >= the distance
 * to the own centre a, lower <= the distance to any other, carried from the
 * last computation by the triangle inequality (the own centre moved at most
 * moved[a], any other at most the largest other move), and any other centre
 * is at least apart[a] - upper away. Such a row is skipped only when the
 * bounds leave room for the rounding of the distances Lloyd would compute:
 * each computed |c|^2 - 2 x.c is within safe * (|x| + max |c|)^2 of the
 * exact value, so a gap L^2 - U^2 above twice that means the computed argmin
 * is a, strictly. The labels are therefore exactly those of computing every
 * distance (opts.exhaustive, test_pruning_exact). Rows not proven are
 * gathered into packed blocks and computed, and their bounds renewed.
 */
static void estep_chunk(struct kmeans_work *w, size_t chunk, double *scratch)
{
    size_t start = chunk * w->chunk;
    size_t rows = w->n - start < w->chunk ? w->n - start : w->chunk;
    int k = w->k, d = w->d;
    struct scratch_at at = scratch_at(w);
    double *dist = scratch, *gathered = scratch + at.gathered;
    int32_t *todo = (int32_t *)(scratch + at.todo);
    const double *c_sq = w->c_sq;
    int32_t *labels = w->labels + start;

    size_t m = 0;
    int changed = !w->bounded; /* a label of the chunk changed (or the labels are new) */
    const double *xp = w->Xp + start * (size_t)d;
    if (!w->bounded) {
        for (size_t i = 0; i < rows; i++)
            todo[m++] = (int32_t)i;
    } else {
        for (size_t i = 0; i < rows; i++) {
            size_t g = start + i;
            int a = labels[i];
            double u = (w->upper[g] + w->moved[a]) * (1 + PAD);
            double l = (w->lower[g] - w->moved_max[a == w->moved_arg]) * (1 - PAD);
            w->upper[g] = u, w->lower[g] = l;
            double by_apart = (w->apart[a] - u) - PAD * (w->apart[a] + u);
            l = by_apart > l ? by_apart : l;
            double r = w->x_norm[g] + w->c_max;
            if (!(l > u && (l - u) * (l + u) * (1 - PAD) > 2 * w->safe * r * r))
                todo[m++] = (int32_t)i;
        }
        if (m < rows) {
            /* The rows left into packed blocks, a block at a time so that each of its lines
             * is written whole; a last short block is padded with its last row. */
            for (size_t t0 = 0; t0 < m; t0 += BLOCK) {
                const double *x[BLOCK];
                for (size_t r = 0; r < BLOCK; r++)
                    x[r] = w->X + (start + (size_t)todo[t0 + r < m ? t0 + r : m - 1]) * (size_t)d;
                double *to = gathered + t0 * (size_t)d;
                for (int q = 0; q < d; q++, to += BLOCK)
                    for (size_t r = 0; r < BLOCK; r++)
                        to[r] = x[r][q];
            }
            xp = gathered;
        }
    }
    if (m > 0) w->kern->dots(xp, (m + BLOCK - 1) / BLOCK, d, w->centers, k, dist);
    for (size_t t = 0; t < m; t++) {
        const double *dt = dist + t / BLOCK * (size_t)k * BLOCK + t % BLOCK;
        double low = c_sq[0] + dt[0], next = INFINITY;
        int best = 0;
        for (int j = 1; j < k; j++) {
            double v = c_sq[j] + dt[(size_t)j * BLOCK];
            if (v < low)
                next = low, low = v, best = j;
            else if (v < next)
                next = v;
        }
        size_t i = (size_t)todo[t], g = start + i;
        changed |= labels[i] != best;
        labels[i] = best;
        if (w->prune) {
            double r = w->x_norm[g] + w->c_max, slack = w->safe * r * r;
            double up = w->x_sq[g] + low + slack, lo = w->x_sq[g] + next - slack;
            w->upper[g] = sqrt(up > 0 ? up : 0) * (1 + PAD);
            w->lower[g] = sqrt(lo > 0 ? lo : 0) * (1 - PAD);
        }
    }

    /* The chunk's sums as they stand are those of its labels, bit for bit, when none changed
     * (the last E-step left them, and only E-steps change labels). */
    if (!w->update || !changed) return;
    double *part = w->partial + chunk * (size_t)k * (size_t)(d + 1);
    memset(part, 0, (size_t)k * (size_t)(d + 1) * sizeof *part);
    w->kern->sums(part, labels, w->X + start * (size_t)d, rows, d);
}

/* k-means++ round of one chunk: cand[t][i] = min(closest_i, |x_i - x_cand_t|^2),
 * the distance by |a|^2 + |b|^2 - 2 a.b clipped at 0 like sklearn's
 * euclidean_distances; pot_part[chunk][t] = the chunk's sum of cand[t]. */
static void seed_chunk(struct kmeans_work *w, size_t chunk, double *g)
{
    size_t start = chunk * w->chunk;
    size_t rows = w->n - start < w->chunk ? w->n - start : w->chunk;
    int m = w->m, d = w->d;
    double *pot = w->pot_part + chunk * (size_t)w->trials;
    for (int t = 0; t < m; t++)
        pot[t] = 0.0;
    w->kern->dots(w->Xp + start * (size_t)d, (rows + BLOCK - 1) / BLOCK, d, w->cand_x, m, g);
    for (size_t b = 0; b < rows; b += BLOCK, g += (size_t)m * BLOCK) {
        size_t i0 = start + b, nr = rows - b < BLOCK ? rows - b : BLOCK;
        for (int t = 0; t < m; t++) {
            double xx = w->x_sq[w->cand_id[t]];
            double *out = w->cand + (size_t)t * w->n + i0;
            for (size_t r = 0; r < nr; r++) {
                double v = g[(size_t)t * BLOCK + r] + xx + w->x_sq[i0 + r];
                v = v > 0.0 ? v : 0.0;
                v = v < w->closest[i0 + r] ? v : w->closest[i0 + r];
                out[r] = v;
                pot[t] += v;
            }
        }
    }
}

// ---- a fixed set of worker threads for one fit ----

struct pool;

struct worker_arg {
    struct pool *p;
    int index;
};

/* A new job is a bump of gen under mu; the caller runs part 0 itself. */
struct pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen;
    int pending, quit, nthreads;
    chunk_fn *fn;
    struct kmeans_work *w;
    size_t scratch_len; /* doubles per thread */
    pthread_t tid[MAX_THREADS];
    struct worker_arg args[MAX_THREADS];
};

static void pool_part(struct pool *p, int t)
{
    struct kmeans_work *w = p->w;
    size_t lo = w->nchunks * (size_t)t / (size_t)p->nthreads;
    size_t hi = w->nchunks * (size_t)(t + 1) / (size_t)p->nthreads;
    for (size_t c = lo; c < hi; c++)
        p->fn(w, c, w->scratch + (size_t)t * p->scratch_len);
}

static void *worker_main(void *arg)
{
    struct worker_arg *a = arg;
    struct pool *p = a->p;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        pool_part(p, a->index);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0) pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Runs fn over all chunks and returns when every chunk is done. */
static void pool_run(struct pool *p, chunk_fn *fn)
{
    p->fn = fn;
    if (p->nthreads > 1) {
        pthread_mutex_lock(&p->mu);
        p->pending = p->nthreads - 1;
        p->gen++;
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
    }
    pool_part(p, 0);
    if (p->nthreads > 1) {
        pthread_mutex_lock(&p->mu);
        while (p->pending > 0)
            pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
}

static void pool_start(struct pool *p, struct kmeans_work *w, int nthreads, size_t scratch_len)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->w = w;
    p->scratch_len = scratch_len;
    p->nthreads = 1;
    for (int t = 1; t < nthreads; t++) {
        p->args[t] = (struct worker_arg){p, t};
        if (pthread_create(&p->tid[t], NULL, worker_main, &p->args[t]) != 0)
            break; /* fewer workers is slower, not wrong */
        p->nthreads = t + 1;
    }
}

static void pool_stop(struct pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int t = 1; t < p->nthreads; t++)
        pthread_join(p->tid[t], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
}

/* Labels for the current centres; with update, also the per-chunk sums. */
static void estep(struct pool *p, int update)
{
    struct kmeans_work *w = p->w;
    w->c_max = 0.0;
    for (int j = 0; j < w->k; j++) {
        const double *c = w->centers + (size_t)j * (size_t)w->d;
        double s = 0.0;
        for (int q = 0; q < w->d; q++)
            s += c[q] * c[q];
        w->c_sq[j] = s;
        w->c_max = fmax(w->c_max, sqrt(s));
    }
    w->update = update;
    pool_run(p, estep_chunk);
    w->bounded = w->prune;
}

// ---- M-step (sklearn _k_means_common.pyx) ----

/*
 * Clusters left empty by the E-step take the samples farthest from their own
 * centre, farthest first (sklearn: argpartition, whose order among the chosen
 * is unspecified; here ties go to the lower index). The sample's label is not
 * changed, as in sklearn. When every sample sits on its centre (fewer distinct
 * points than k) moving one gains nothing and the cluster stays empty
 * (SPEC.md §7.2, later sklearn; 1.2.1 moves a sample anyway).
 */
static void relocate_empty(struct kmeans_work *w)
{
    int *empty = w->empty;
    size_t *top = w->top;
    int k = w->k, d = w->d, n_empty = 0;
    for (int j = 0; j < k; j++)
        if (w->weights[j] == 0.0) empty[n_empty++] = j;
    if (n_empty == 0) return;
    double max_far = 0.0;
    for (size_t i = 0; i < w->n; i++) {
        const double *x = w->X + i * (size_t)d, *c = w->centers + (size_t)w->labels[i] * (size_t)d;
        double s = 0.0;
        for (int q = 0; q < d; q++)
            s += (x[q] - c[q]) * (x[q] - c[q]);
        w->far[i] = s;
        max_far = s > max_far ? s : max_far;
    }
    if (max_far == 0.0) return;
    /* the n_empty largest distances, kept sorted by insertion (n_empty <= k) */
    int m = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (m == n_empty && !(w->far[i] > w->far[top[m - 1]])) continue;
        int at = m < n_empty ? m++ : m - 1;
        while (at > 0 && w->far[i] > w->far[top[at - 1]]) {
            top[at] = top[at - 1];
            at--;
        }
        top[at] = i;
    }
    for (int e = 0; e < n_empty; e++) {
        const double *x = w->X + top[e] * (size_t)d;
        int from = w->labels[top[e]], to = empty[e];
        double *cf = w->centers_new + (size_t)from * (size_t)d;
        double *ct = w->centers_new + (size_t)to * (size_t)d;
        for (int q = 0; q < d; q++) {
            cf[q] -= x[q];
            ct[q] = x[q];
        }
        w->weights[to] = 1.0;
        w->weights[from] -= 1.0;
    }
}

/*
 * What the bounds need from an M-step: how far each centre moved (padded up,
 * the largest two and which moved most) and, of the new centres, how far each
 * is from its nearest other (padded down).
 */
static void bounds_after_mstep(struct kmeans_work *w)
{
    int k = w->k, d = w->d;
    w->moved_arg = 0;
    w->moved_max[0] = w->moved_max[1] = 0.0;
    for (int j = 0; j < k; j++) {
        double m = w->moved[j] = w->shift[j] * (1 + PAD);
        if (m > w->moved_max[0]) {
            w->moved_max[1] = w->moved_max[0];
            w->moved_max[0] = m, w->moved_arg = j;
        } else if (m > w->moved_max[1]) {
            w->moved_max[1] = m;
        }
        w->apart[j] = INFINITY;
    }
    for (int j = 0; j < k; j++)
        for (int i = j + 1; i < k; i++) {
            const double *a = w->centers_new + (size_t)j * (size_t)d;
            const double *b = w->centers_new + (size_t)i * (size_t)d;
            double s = 0.0;
            for (int q = 0; q < d; q++)
                s += (a[q] - b[q]) * (a[q] - b[q]);
            s = sqrt(s) * (1 - PAD);
            w->apart[j] = s < w->apart[j] ? s : w->apart[j];
            w->apart[i] = s < w->apart[i] ? s : w->apart[i];
        }
}

/* centers_new = mean of each cluster from the chunk sums; shift = |new - old|. */
static void mstep(struct kmeans_work *w)
{
    int k = w->k, d = w->d;
    size_t kd = (size_t)k * (size_t)d;
    memset(w->centers_new, 0, kd * sizeof *w->centers_new);
    memset(w->weights, 0, (size_t)k * sizeof *w->weights);
    for (size_t c = 0; c < w->nchunks; c++) {
        const double *part = w->partial + c * (size_t)k * (size_t)(d + 1);
        for (int j = 0; j < k; j++) {
            const double *s = part + (size_t)j * (size_t)(d + 1);
            double *cj = w->centers_new + (size_t)j * (size_t)d;
            for (int q = 0; q < d; q++)
                cj[q] += s[q];
            w->weights[j] += s[d];
        }
    }
    relocate_empty(w);
    int biggest = 0;
    for (int j = 0; j < k; j++) {
        if (w->weights[j] > w->weights[biggest]) biggest = j;
        if (w->weights[j] > 0) {
            double alpha = 1.0 / w->weights[j];
            double *cj = w->centers_new + (size_t)j * (size_t)d;
            for (int q = 0; q < d; q++)
                cj[q] *= alpha;
        }
    }
    /* Still empty (duplicate points): park on the biggest cluster, as SPEC.md §7.2 and
     * later sklearn do (1.2.1 leaves it at the data mean). sklearn copies the biggest
     * cluster whether or not it is averaged yet; here always after. */
    for (int j = 0; j < k; j++)
        if (!(w->weights[j] > 0))
            memcpy(w->centers_new + (size_t)j * (size_t)d,
                   w->centers_new + (size_t)biggest * (size_t)d, (size_t)d * sizeof(double));
    for (int j = 0; j < k; j++) {
        const double *a = w->centers_new + (size_t)j * (size_t)d;
        const double *b = w->centers + (size_t)j * (size_t)d;
        double s = 0.0;
        for (int q = 0; q < d; q++)
            s += (a[q] - b[q]) * (a[q] - b[q]);
        w->shift[j] = sqrt(s);
    }
    bounds_after_mstep(w);
}

// ---- k-means++ (SPEC.md §7.3) ----

/* First index with cumsum[i] >= v (np.searchsorted, side='left'), clipped to n-1. */
static size_t search_sorted(const double *cumsum, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cumsum[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n ? lo : n - 1;
}

/* cand[t] = min(closest, D^2 to the sample cand_id[t]) for t < m; returns
 * the potential (sum) of each in pot[t], added in chunk order. */
static void seed_round(struct pool *p, int m, double *pot)
{
    struct kmeans_work *w = p->w;
    for (int t = 0; t < m; t++)
        memcpy(w->cand_x + (size_t)t * (size_t)w->d, w->X + w->cand_id[t] * (size_t)w->d,
               (size_t)w->d * sizeof(double));
    w->m = m;
    pool_run(p, seed_chunk);
    for (int t = 0; t < m; t++) {
        pot[t] = 0.0;
        for (size_t c = 0; c < w->nchunks; c++)
            pot[t] += w->pot_part[c * (size_t)w->trials + (size_t)t];
    }
}

/*
 * Greedy k-means++ (SPEC.md §7.3): each new centre is the best (lowest
 * potential) of 2 + floor(ln k) samples drawn with probability D^2 / potential.
 */
static void kmeans_pp(struct pool *p, struct rng *r)
{
    struct kmeans_work *w = p->w;
    size_t n = w->n;
    int d = w->d;
    double pot[64];
    for (size_t i = 0; i < n; i++)
        w->closest[i] = INFINITY;
    w->cand_id[0] = (size_t)rng_below(r, n);
    seed_round(p, 1, pot);
    memcpy(w->closest, w->cand, n * sizeof(double));
    memcpy(w->centers, w->X + w->cand_id[0] * (size_t)d, (size_t)d * sizeof(double));
    double current = pot[0];

    for (int c = 1; c < w->k; c++) {
        double run = 0.0;
        for (size_t i = 0; i < n; i++)
            w->cumsum[i] = run += w->closest[i];
        for (int t = 0; t < w->trials; t++)
            w->cand_id[t] = search_sorted(w->cumsum, n, rng_uniform(r) * current);
        seed_round(p, w->trials, pot);
        int best = 0;
        for (int t = 1; t < w->trials; t++)
            if (pot[t] < pot[best]) best = t;
        memcpy(w->closest, w->cand + (size_t)best * n, n * sizeof(double));
        current = pot[best];
        memcpy(w->centers + (size_t)c * (size_t)d, w->X + w->cand_id[best] * (size_t)d,
               (size_t)d * sizeof(double));
    }
}

// ---- one restart, and the restarts ----

static double inertia_of(const struct kmeans_work *w)
{
    double total = 0.0;
    for (size_t i = 0; i < w->n; i++) {
        const double *x = w->X + i * (size_t)w->d;
        const double *c = w->centers + (size_t)w->labels[i] * (size_t)w->d;
        double s = 0.0;
        for (int q = 0; q < w->d; q++)
            s += (x[q] - c[q]) * (x[q] - c[q]);
        total += s;
    }
    return total;
}

/* sklearn _kmeans_single_lloyd: stop on unchanged labels (strict) or on a
 * total squared centre shift <= tol_abs; then relabel unless strict. */
static double run_once(struct pool *p, struct rng *r, const struct kmeans_opts *o,
                       const double *mean, double tol_abs, int *n_iter)
{
    struct kmeans_work *w = p->w;
    int max_iter = o->max_iter;
    if (o->init) {
        for (size_t c = 0; c < (size_t)w->k * (size_t)w->d; c++)
            w->centers[c] = o->init[c] - mean[c % (size_t)w->d];
    } else {
        kmeans_pp(p, r);
    }
    for (size_t i = 0; i < w->n; i++)
        w->labels_old[i] = -1;
    w->bounded = 0;
    int strict = 0, it;
    for (it = 0; it < max_iter; it++) {
        estep(p, 1);
        mstep(w);
        double *t = w->centers;
        w->centers = w->centers_new;
        w->centers_new = t;
        if (memcmp(w->labels, w->labels_old, w->n * sizeof *w->labels) == 0) {
            strict = 1;
            break;
        }
        double total = 0.0;
        for (int j = 0; j < w->k; j++)
            total += w->shift[j] * w->shift[j];
        if (total <= tol_abs) break;
        memcpy(w->labels_old, w->labels, w->n * sizeof *w->labels);
    }
    *n_iter = it < max_iter ? it + 1 : max_iter;
    if (!strict) estep(p, 0);
    return inertia_of(w);
}

/* sklearn _is_same_clustering: equal up to a renaming of the clusters. */
static int same_clustering(const int32_t *a, const int32_t *b, size_t n, int32_t *map, int k)
{
    for (int j = 0; j < k; j++)
        map[j] = -1;
    for (size_t i = 0; i < n; i++) {
        if (map[a[i]] == -1)
            map[a[i]] = b[i];
        else if (map[a[i]] != b[i])
            return 0;
    }
    return 1;
}

// ---- input, tolerance, workspace ----

void kmeans_opts_default(struct kmeans_opts *o, int k)
{
    *o = (struct kmeans_opts){.k = k, .n_init = 10, .max_iter = 300, .tol = 1e-4};
}

static int check_input(const double *X, size_t n, int d, const struct kmeans_opts *o, char *err)
{
    if (d < 1) return ftl_error(err, "kmeans: %d features, need at least 1", d);
    if (n > (size_t)INT32_MAX)
        return ftl_error(err, "kmeans: %zu samples, at most %d supported", n, INT32_MAX);
    if (o->k < 1 || (size_t)o->k > n)
        return ftl_error(err, "kmeans: k = %d clusters needs 1 <= k <= n = %zu samples", o->k, n);
    if (o->n_init < 1 || o->max_iter < 1)
        return ftl_error(err, "kmeans: n_init = %d and max_iter = %d must be at least 1", o->n_init,
                         o->max_iter);
    if (!(o->tol >= 0.0) || !isfinite(o->tol))
        return ftl_error(err, "kmeans: tol = %g must be finite and >= 0", o->tol);
    for (size_t i = 0; i < n * (size_t)d; i++)
        if (!isfinite(X[i]))
            return ftl_error(err, "kmeans: X[%zu][%zu] = %g is not finite", i / (size_t)d,
                             i % (size_t)d, X[i]);
    for (size_t i = 0; o->init && i < (size_t)o->k * (size_t)d; i++)
        if (!isfinite(o->init[i]))
            return ftl_error(err, "kmeans: initial centre %zu has a non-finite coordinate",
                             i / (size_t)d);
    return 0;
}

/* Column means into mean[d] and sklearn's tolerance: np.var over axis 0 adds
 * row after row; the mean of the d variances is a pairwise sum. */
static double column_stats(const double *X, size_t n, int d, double tol, double *mean)
{
    double *var = xcalloc((size_t)d, sizeof *var);
    for (int q = 0; q < d; q++)
        mean[q] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (int q = 0; q < d; q++)
            mean[q] += X[i * (size_t)d + q];
    for (int q = 0; q < d; q++)
        mean[q] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (int q = 0; q < d; q++) {
            double v = X[i * (size_t)d + q] - mean[q];
            var[q] += v * v;
        }
    for (int q = 0; q < d; q++)
        var[q] /= (double)n;
    double tol_abs = tol == 0.0 ? 0.0 : (0.0 + ftl_pairwise_sum(var, (size_t)d)) / d * tol;
    free(var);
    return tol_abs;
}

/* Sets the sizes; the same for every group, so every restart runs the same chunks. */
static void work_shape(struct kmeans_work *w, size_t n, int d, const struct kmeans_opts *o)
{
    memset(w, 0, sizeof *w);
    w->n = n, w->d = d, w->k = o->k;
    w->trials = 2 + (int)log((double)o->k);
    w->chunk = CHUNK;
    w->nchunks = (n + w->chunk - 1) / w->chunk;
}

static void work_alloc(struct kmeans_work *w, int threads)
{
    size_t n = w->n, kd = (size_t)w->k * (size_t)w->d, k = (size_t)w->k, d = (size_t)w->d;
    w->centers = xmallocarray(kd, sizeof(double));
    w->centers_new = xmallocarray(kd, sizeof(double));
    w->c_sq = xmallocarray(k, sizeof(double));
    w->weights = xmallocarray(k, sizeof(double));
    w->shift = xmallocarray(k, sizeof(double));
    w->labels = xmallocarray(n, sizeof(int32_t));
    w->labels_old = xmallocarray(n, sizeof(int32_t));
    w->scratch = xmallocarray((size_t)threads, scratch_per_thread(w) * sizeof(double));
    w->partial = xmallocarray(w->nchunks, k * (d + 1) * sizeof(double));
    w->far = xmallocarray(n, sizeof(double));
    w->empty = xmallocarray(k, sizeof(int));
    w->top = xmallocarray(k, sizeof(size_t));
    w->closest = xmallocarray(n, sizeof(double));
    w->cumsum = xmallocarray(n, sizeof(double));
    w->cand = xmallocarray((size_t)w->trials, n * sizeof(double));
    w->cand_x = xmallocarray((size_t)w->trials, d * sizeof(double));
    w->pot_part = xmallocarray(w->nchunks, (size_t)w->trials * sizeof(double));
    w->upper = xmallocarray(n, sizeof(double));
    w->lower = xmallocarray(n, sizeof(double));
    w->moved = xmallocarray(k, sizeof(double));
    w->apart = xmallocarray(k, sizeof(double));
}

static void work_free(struct kmeans_work *w)
{
    free(w->centers), free(w->centers_new), free(w->c_sq);
    free(w->weights), free(w->shift), free(w->labels), free(w->labels_old);
    free(w->scratch), free(w->partial), free(w->far), free(w->empty), free(w->top);
    free(w->closest), free(w->cumsum), free(w->cand), free(w->cand_x), free(w->pot_part);
    free(w->upper), free(w->lower), free(w->moved), free(w->apart);
}

/* X - column means into a new [n x d] array, with the squared row norms. */
static double *centred_copy(const double *X, size_t n, int d, const double *mean, double *x_sq)
{
    double *Xc = xmallocarray(n, (size_t)d * sizeof *Xc);
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (int q = 0; q < d; q++) {
            double v = X[i * (size_t)d + q] - mean[q];
            Xc[i * (size_t)d + q] = v;
            s += v * v;
        }
        x_sq[i] = s;
    }
    return Xc;
}

/* Xc [n x d] in blocks of BLOCK rows, each [d][BLOCK]; the last block zero-padded. */
static double *packed_copy(const double *Xc, size_t n, int d)
{
    size_t blocks = (n + BLOCK - 1) / BLOCK;
    double *Xp = xcalloc(blocks * BLOCK, (size_t)d * sizeof *Xp);
    for (size_t i = 0; i < n; i++)
        for (int q = 0; q < d; q++)
            Xp[(i / BLOCK * (size_t)d + (size_t)q) * BLOCK + i % BLOCK] = Xc[i * (size_t)d + q];
    return Xp;
}

/* The rng draws one restart makes, whatever the data: one rng_below(n) for the
 * first centre, then `trials` uniforms for each further one (kmeans_pp). */
static void skip_restart(struct rng *r, size_t n, int k, int trials)
{
    (void)rng_below(r, n);
    for (int c = 1; c < k; c++)
        for (int t = 0; t < trials; t++)
            (void)rng_uniform(r);
}

/*
 * Restarts run in groups: each group is a workspace with its own pool of
 * threads, and takes the next restart until none is left. Restart r starts
 * from the rng state it would have after restarts 0..r-1 in order (their
 * draws do not depend on the data, skip_restart), and a restart's chunks and
 * sums do not depend on its pool's size, so every restart's labels, centres
 * and inertia are those of a serial run bit for bit. With more restarts than
 * threads each group is one thread and never waits for another; n_init 1
 * gives one group of all the threads, split by chunks.
 */
struct group {
    struct kmeans_work w;
    struct pool pool;
    pthread_t tid;
    int started;
    struct fit *fit;
};

struct fit {
    const struct kmeans_opts *o;
    const double *mean;
    double tol_abs;
    int restarts;
    struct rng *start;  /* [restarts] rng state at each restart's start */
    int32_t *labels;    /* [restarts x n] */
    double *centers;    /* [restarts x k x d] */
    double *inertia;    /* [restarts] */
    int *n_iter;        /* [restarts] */
    pthread_mutex_t mu; /* guards next */
    int next;
};

static void *group_main(void *arg)
{
    struct group *g = arg;
    struct fit *f = g->fit;
    struct kmeans_work *w = &g->w;
    size_t kd = (size_t)w->k * (size_t)w->d;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        int r = f->next < f->restarts ? f->next++ : -1;
        pthread_mutex_unlock(&f->mu);
        if (r < 0) return NULL;
        struct rng rng = f->start[r];
        f->inertia[r] = run_once(&g->pool, &rng, f->o, f->mean, f->tol_abs, &f->n_iter[r]);
        memcpy(f->labels + (size_t)r * w->n, w->labels, w->n * sizeof *w->labels);
        memcpy(f->centers + (size_t)r * kd, w->centers, kd * sizeof *w->centers);
    }
}

int kmeans_fit(const double *X, size_t n, int d, const struct kmeans_opts *o,
               struct kmeans_result *r, char *err)
{
    memset(r, 0, sizeof *r);
    if (check_input(X, n, d, o, err) < 0) return -1;
    int k = o->k;
    size_t kd = (size_t)k * (size_t)d;
    struct kmeans_work shape;
    work_shape(&shape, n, d, o);
    long threads = o->threads > 0 ? o->threads : blas_single(); /* the thread budget */
    threads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;

    /* Centred data (sklearn: accuracy of |x|^2 + |c|^2 - 2 x.c); centres move back at the end. */
    double *mean = xmallocarray((size_t)d, sizeof *mean);
    double *x_sq = xmallocarray(n, sizeof *x_sq);
    r->tol_abs = column_stats(X, n, d, o->tol, mean);
    double *Xc = centred_copy(X, n, d, mean, x_sq);
    double *Xp = packed_copy(Xc, n, d);
    double *x_norm = xmallocarray(n, sizeof *x_norm);
    for (size_t i = 0; i < n; i++)
        x_norm[i] = sqrt(x_sq[i]);
    const struct kernels *kern = pick_kernels();

    struct fit f = {.o = o, .mean = mean, .tol_abs = r->tol_abs};
    f.restarts = o->init ? 1 : o->n_init;
    f.start = xmallocarray((size_t)f.restarts, sizeof *f.start);
    rng_seed(&f.start[0], o->seed);
    for (int i = 1; i < f.restarts; i++) {
        f.start[i] = f.start[i - 1];
        skip_restart(&f.start[i], n, k, shape.trials);
    }
    f.labels = xmallocarray((size_t)f.restarts, n * sizeof *f.labels);
    f.centers = xmallocarray((size_t)f.restarts, kd * sizeof *f.centers);
    f.inertia = xmallocarray((size_t)f.restarts, sizeof *f.inertia);
    f.n_iter = xmallocarray((size_t)f.restarts, sizeof *f.n_iter);
    pthread_mutex_init(&f.mu, NULL);

    int ngroups = (int)(threads < f.restarts ? threads : f.restarts);
    struct group *g = xcalloc((size_t)ngroups, sizeof *g);
    for (int i = 0; i < ngroups; i++) {
        int per = (int)(threads / ngroups) + (i < threads % ngroups);
        per = (size_t)per > shape.nchunks ? (int)shape.nchunks : per;
        g[i].w = shape;
        g[i].w.X = Xc, g[i].w.Xp = Xp, g[i].w.x_sq = x_sq, g[i].w.kern = kern;
        g[i].w.x_norm = x_norm, g[i].w.prune = !o->exhaustive;
        g[i].w.safe = 16.0 * (d + 3) * DBL_EPSILON > 1e-9 ? 16.0 * (d + 3) * DBL_EPSILON : 1e-9;
        g[i].fit = &f;
        work_alloc(&g[i].w, per);
        pool_start(&g[i].pool, &g[i].w, per, scratch_per_thread(&g[i].w));
    }
    for (int i = 1; i < ngroups; i++) /* a group that cannot start leaves its share to the others */
        g[i].started = pthread_create(&g[i].tid, NULL, group_main, &g[i]) == 0;
    group_main(&g[0]);
    for (int i = 0; i < ngroups; i++) {
        if (g[i].started) pthread_join(g[i].tid, NULL);
        pool_stop(&g[i].pool);
        work_free(&g[i].w);
    }
    free(g);
    pthread_mutex_destroy(&f.mu);

    /* The winner as a serial loop picks it: the first lowest inertia, where a lower
     * inertia for the same partition is rounding, not a better run. */
    int32_t *map = xmallocarray((size_t)k, sizeof *map);
    int best = 0;
    for (int i = 1; i < f.restarts; i++)
        if (f.inertia[i] < f.inertia[best] &&
            !same_clustering(f.labels + (size_t)i * n, f.labels + (size_t)best * n, n, map, k))
            best = i;
    r->labels = xmallocarray(n, sizeof *r->labels);
    r->centers = xmallocarray(kd, sizeof *r->centers);
    memcpy(r->labels, f.labels + (size_t)best * n, n * sizeof *r->labels);
    memcpy(r->centers, f.centers + (size_t)best * kd, kd * sizeof *r->centers);
    r->inertia = f.inertia[best];
    r->n_iter = f.n_iter[best];

    for (size_t c = 0; c < kd; c++)
        r->centers[c] += mean[c % (size_t)d];
    memset(map, 0, (size_t)k * sizeof *map);
    for (size_t i = 0; i < n; i++)
        map[r->labels[i]] = 1;
    for (int j = 0; j < k; j++)
        r->n_distinct += map[j];
    free(f.start), free(f.labels), free(f.centers), free(f.inertia), free(f.n_iter);
    free(mean), free(map), free(x_sq), free(Xc), free(Xp), free(x_norm);
    return 0;
}

void kmeans_result_free(struct kmeans_result *r)
{
    free(r->labels);
    free(r->centers);
    memset(r, 0, sizeof *r);
}

#else /* KERNEL_PASS: the distance kernel for VBYTES-wide vectors, named KERNEL(name) */

#define VLEN (VBYTES / (int)sizeof(double)) /* rows per vector */
#define NV (BLOCK / VLEN)                   /* vectors per block */
#define GROUP (4 / NV)                      /* blocks at a time: four vectors per centre */

/* A vector of rows, read where it lies (the packed copy is only 8-byte aligned). */
typedef double KERNEL(vrows) __attribute__((vector_size(VBYTES), aligned(8), may_alias));
#define vrows KERNEL(vrows)

/*
 * GROUP blocks (four vectors of rows) by two centres at a time: eight
 * independent sums, enough to keep the adder busy through its latency, where
 * one vector's sum per centre would wait on itself every coordinate. An odd
 * last centre is paired with itself; the last blocks short of a group go one
 * vector at a time. Vector v of a group is rows [v VLEN, (v + 1) VLEN) of it.
 */
static void KERNEL(block_dots)(const double *restrict xp, size_t nb, int d,
                               const double *restrict c, int k, double *restrict out)
{
    size_t dd = (size_t)d, bs = dd * BLOCK, os = (size_t)k * BLOCK;
    size_t b = 0;
    for (; b + GROUP <= nb; b += GROUP) {
        const double *x[4];
        double *o[4];
        for (int v = 0; v < 4; v++) {
            x[v] = xp + (b + (size_t)(v / NV)) * bs + (size_t)(v % NV * VLEN);
            o[v] = out + (b + (size_t)(v / NV)) * os + (size_t)(v % NV * VLEN);
        }
        for (int j = 0; j < k; j += 2) {
            const int two = j + 1 < k;
            const double *c0 = c + (size_t)j * dd, *c1 = two ? c0 + dd : c0;
            vrows a0[4] = {{0}}, a1[4] = {{0}};
            for (int q = 0; q < d; q++) {
#pragma GCC unroll 4
                for (int v = 0; v < 4; v++) {
                    vrows xv = *(const vrows *)(x[v] + (size_t)q * BLOCK);
                    a0[v] += xv * c0[q];
                    a1[v] += xv * c1[q];
                }
            }
#pragma GCC unroll 4
            for (int v = 0; v < 4; v++) {
                a0[v] *= -2.0, a1[v] *= -2.0;
                memcpy(o[v] + (size_t)j * BLOCK, &a0[v], sizeof a0[v]);
                if (two) memcpy(o[v] + (size_t)(j + 1) * BLOCK, &a1[v], sizeof a1[v]);
            }
        }
    }
    for (; b < nb; b++)
        for (int j = 0; j < k; j++)
            for (int v = 0; v < NV; v++) {
                const double *x0 = xp + b * bs + (size_t)(v * VLEN);
                vrows a0 = {0};
                for (int q = 0; q < d; q++)
                    a0 += *(const vrows *)(x0 + (size_t)q * BLOCK) * c[(size_t)j * dd + (size_t)q];
                a0 *= -2.0;
                memcpy(out + b * os + (size_t)j * BLOCK + (size_t)(v * VLEN), &a0, sizeof a0);
            }
}

/* The M-step's sums of one chunk: whole vectors of each row, then its last d % VLEN. */
static void KERNEL(chunk_sums)(double *restrict part, const int32_t *label,
                               const double *restrict x, size_t rows, int d)
{
    size_t ld = (size_t)d + 1;
    for (size_t i = 0; i < rows; i++, x += d) {
        double *sum = part + (size_t)label[i] * ld;
        int q = 0;
        for (; q + VLEN <= d; q += VLEN)
            *(vrows *)(sum + q) += *(const vrows *)(x + q);
        for (; q < d; q++)
            sum[q] += x[q];
        sum[d] += 1.0;
    }
}

#undef vrows
#undef GROUP
#undef NV
#undef VLEN

#endif /* KERNEL_PASS */
