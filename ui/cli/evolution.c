/* evolution — Figure 2 at several checkpoints of one run. See evolution.h. */
#include "evolution.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "branch.h"
#include "checkpoint.h"
#include "evaluate.h"
#include "plotdata.h"
#include "run.h"
#include "util.h"

int evolution_parse_at(const char *s, struct evolution_opts *e)
{
    e->nat = 0;
    const char *p = s;
    while (*p) {
        char item[32];
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item || e->nat == EVOLUTION_MAX_AT) return -1;
        memcpy(item, p, len);
        item[len] = '\0';
        uint64_t v;
        if (cli_parse_u64(item, &v) != 0) return -1;
        if (e->nat > 0 && v <= e->at[e->nat - 1]) return -1; /* training order, no repeats */
        e->at[e->nat++] = v;
        p += len;
        if (*p == ',' && !*++p) return -1; /* "0,1," */
    }
    return e->nat > 0 ? 0 : -1;
}

/* The run's checkpoints by step: branch_checkpoints' and final.ckpt, which it leaves out (a
 * run stopped mid-epoch has its last step there only). */
static int list_checkpoints(const char *run, struct branch_point **cp, size_t *n, char *err)
{
    if (branch_checkpoints(run, cp, n, err) != 0) return -1;
    char *final = run_path(run, "checkpoints/final.ckpt");
    struct ckpt c;
    uint64_t step;
    char e2[FTL_ERRLEN];
    if (ftl_is_file(final) && ckpt_read(final, &c, e2) == 0) {
        if (ckpt_get_u64(&c, "trainer/step", &step, e2) == 0) {
            *cp = xrealloc(*cp, (*n + 1) * sizeof **cp);
            snprintf((*cp)[*n].name, sizeof(*cp)[*n].name, "final");
            (*cp)[(*n)++].step = step;
        }
        ckpt_free(&c);
    }
    free(final);
    return 0;
}

/* The epoch a checkpoint name stands for: initial is 0, epoch-N is N; else -1. */
static long name_epoch(const char *name)
{
    if (strcmp(name, "initial") == 0) return 0;
    unsigned long e;
    int used = 0;
    if (sscanf(name, "epoch-%lu%n", &e, &used) == 1 && name[used] == '\0' && e > 0) return (long)e;
    return -1;
}

/* A point to draw: the checkpoint and the panel's title. */
struct point {
    const struct branch_point *cp;
    char label[32];
};

/* Every epoch checkpoint, at most EVOLUTION_MAX_AT chosen evenly, the first and last kept. */
static int default_points(const char *run, const struct evolution_opts *e,
                          const struct branch_point *cp, size_t n, struct point *pt)
{
    const struct branch_point *ep[4096];
    size_t m = 0;
    for (size_t i = 0; i < n && m < sizeof ep / sizeof ep[0]; i++)
        if (name_epoch(cp[i].name) >= 0) ep[m++] = &cp[i];
    if (m == 0) {
        cli_fail("%s/checkpoints: no epoch checkpoints (initial.ckpt, epoch-N.ckpt) to draw", run);
        return -1;
    }
    int k = m < EVOLUTION_MAX_AT ? (int)m : EVOLUTION_MAX_AT;
    for (int j = 0; j < k; j++) {
        size_t i = k == 1 ? m - 1 : (size_t)((double)j * (double)(m - 1) / (k - 1) + 0.5);
        pt[j].cp = ep[i];
        if (e->steps) /* --at-unit step alone: the same checkpoints, titled by their step */
            snprintf(pt[j].label, sizeof pt[j].label, "step %llu", (unsigned long long)ep[i]->step);
        else
            snprintf(pt[j].label, sizeof pt[j].label, "epoch %ld", name_epoch(ep[i]->name));
    }
    return k;
}

/* The points asked for with --at; -1 after saying which one the run lacks. */
static int asked_points(const char *run, const struct evolution_opts *e,
                        const struct branch_point *cp, size_t n, struct point *pt)
{
    for (int j = 0; j < e->nat; j++) {
        pt[j].cp = NULL;
        for (size_t i = 0; i < n && !pt[j].cp; i++)
            if (e->steps ? cp[i].step == e->at[j] : name_epoch(cp[i].name) == (long)e->at[j])
                pt[j].cp = &cp[i];
        if (pt[j].cp) {
            snprintf(pt[j].label, sizeof pt[j].label, "%s %llu", e->steps ? "step" : "epoch",
                     (unsigned long long)e->at[j]);
            continue;
        }
        if (e->steps) {
            char steps[160] = "";
            for (size_t i = 0; i < n && strlen(steps) < sizeof steps - 24; i++)
                if (i == 0 || cp[i].step != cp[i - 1].step)
                    snprintf(steps + strlen(steps), sizeof steps - strlen(steps), "%s%llu",
                             i ? ", " : "", (unsigned long long)cp[i].step);
            cli_fail("%s/checkpoints: no checkpoint at step %llu (%s%s)", run,
                     (unsigned long long)e->at[j], n ? "its checkpoints are at steps " : "none",
                     steps);
        } else if (e->at[j] == 0)
            cli_fail("%s/checkpoints/initial.ckpt: missing: the run did not save its initial "
                     "weights, so there is no epoch 0",
                     run);
        else
            cli_fail("%s/checkpoints/epoch-%llu.ckpt: missing: the run has no epoch %llu", run,
                     (unsigned long long)e->at[j], (unsigned long long)e->at[j]);
        return -1;
    }
    return e->nat;
}

/* Is dir's Figure 2 table there, and its eval.csv of the checkpoint's step? */
static int evaluated(const char *dir, uint64_t step)
{
    char *actmap = run_path(dir, "actmap.csv"), *eval = run_path(dir, "eval.csv"), err[FTL_ERRLEN];
    struct plotdata_csv t;
    int yes = 0;
    if (ftl_is_file(actmap) && ftl_is_file(eval) && plotdata_csv_read(eval, &t, err) == 0) {
        int cs = plotdata_csv_col(&t, "step");
        yes = cs >= 0 && t.nrow > 0 && t.v[cs] == (double)step;
        plotdata_csv_free(&t);
    }
    free(actmap);
    free(eval);
    return yes;
}

int evolution_plot(const char *run, const struct evolution_opts *e, const char *out,
                   const struct plot_opts *o)
{
    char err[FTL_ERRLEN];
    struct branch_point *cp = NULL;
    size_t ncp = 0;
    if (list_checkpoints(run, &cp, &ncp, err) != 0) return cli_fail("%s", err);
    struct point pt[EVOLUTION_MAX_AT];
    int n = e->nat ? asked_points(run, e, cp, ncp, pt) : default_points(run, e, cp, ncp, pt);
    char *dirs[EVOLUTION_MAX_AT] = {0};
    int rc = n > 0 ? EXIT_OK : EXIT_FAIL;
    for (int i = 0; i < n && rc == EXIT_OK; i++) {
        char name[96];
        snprintf(name, sizeof name, "checkpoints/%s.ckpt", pt[i].cp->name);
        char *ckpt = run_path(run, name);
        dirs[i] = cli_eval_dir(ckpt, pt[i].cp->step);
        if (!evaluated(dirs[i], pt[i].cp->step)) {
            /* The same evaluation `ftlab eval CKPT` runs, into the same folder, so the
             * next plot (or eval) finds it. */
            fprintf(stderr, "ftlab plot: evaluating %s (no Figure 2 table of it yet)\n", ckpt);
            struct eval_opts eo;
            eval_opts_default(&eo);
            rc = cli_eval(ckpt, &e->data, &eo, 0, 0, NULL, NULL, NULL);
        }
        free(ckpt);
    }
    if (rc == EXIT_OK) {
        struct plot_evolution_point p[EVOLUTION_MAX_AT];
        for (int i = 0; i < n; i++)
            p[i] = (struct plot_evolution_point){pt[i].label, dirs[i]};
        if (plot_evolution(run, p, n, out, o, err) != 0) rc = cli_fail("%s", err);
    }
    for (int i = 0; i < n; i++)
        free(dirs[i]);
    free(cp);
    return rc;
}
