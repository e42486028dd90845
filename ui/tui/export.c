/* export — figures in the background. See export.h. */
#include "export.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "live.h"
#include "run.h"
#include "util.h"

struct export_job {
    pthread_t thread;
    atomic_int running;
    char *dir;
    uint32_t *heat;
    int units, classes;
    const char *prefix; /* column names: digitN, gN or yN (evaluate.h) */
    struct live *live;
};

static int write_heat(const struct export_job *j, char *err)
{
    struct ftl_atomic a;
    char *path = run_path(j->dir, "actmap.csv");
    int rc = ftl_atomic_open(&a, path, err);
    free(path);
    if (rc != 0) return -1;
    fprintf(a.fp, "unit");
    for (int d = 0; d < j->classes; d++)
        fprintf(a.fp, ",%s%d", j->prefix, d);
    fprintf(a.fp, "\n");
    for (int u = 0; u < j->units; u++) {
        fprintf(a.fp, "%d", u);
        for (int d = 0; d < j->classes; d++)
            fprintf(a.fp, ",%u", j->heat[u * j->classes + d]);
        fprintf(a.fp, "\n");
    }
    return ftl_atomic_commit(&a, err);
}

static void *export_main(void *arg)
{
    struct export_job *j = arg;
    char err[FTL_ERRLEN];
    int done = 0;
    char *figdir = run_path(j->dir, "figures");
    int failed = 0;
    live_files_lock(j->live);
    int bad = ftl_mkdir_p(figdir, err) != 0 || (j->heat && write_heat(j, err) != 0);
    live_files_unlock(j->live);
    if (bad) {
        live_post(j->live, "export failed: %s", err);
        failed = 1;
    }
    const struct plot_opts png = plot_opts_default(GP_PNG);
    for (const struct plot_run_figure *f = plot_run_figures; !failed && f->name; f++) {
        int rc = f->draw(j->dir, figdir, &png, err);
        if (rc < 0) {
            live_post(j->live, "export failed: %s", err);
            failed = 1;
        } else if (rc == 0) {
            done++;
        }
    }
    /* The count and the folder, not every name: with the names the line ran past 80 columns
     * and lost its end (the folder lists them). */
    if (!failed)
        live_post(j->live, "%d figure%s (.png, .gp, .dat) in %s", done, done == 1 ? "" : "s",
                  figdir);
    free(figdir);
    atomic_store(&j->running, 0);
    return NULL;
}

void export_wait(struct export_job **job)
{
    struct export_job *j = *job;
    if (!j) return;
    pthread_join(j->thread, NULL);
    free(j->dir);
    free(j->heat);
    free(j);
    *job = NULL;
}

void export_cancel(struct export_job **job)
{
    if (*job && atomic_load(&(*job)->running)) gp_cancel();
    export_wait(job);
}

void export_start(struct export_job **job, const char *run_dir, const uint32_t *heat, int units,
                  const struct live_snapshot *s, struct live *l)
{
    if (*job && atomic_load(&(*job)->running)) {
        live_post(l, "an export is already running");
        return;
    }
    export_wait(job);
    struct export_job *j = xcalloc(1, sizeof *j);
    j->dir = xstrdup(run_dir);
    j->live = l;
    j->units = units;
    j->classes = s->classes;
    j->prefix = s->class_digits ? "digit" : s->class_grouped ? "g" : "y";
    if (heat && units > 0) {
        j->heat = xmallocarray((size_t)units * (size_t)s->classes, sizeof *j->heat);
        memcpy(j->heat, heat, (size_t)units * (size_t)s->classes * sizeof *j->heat);
    }
    atomic_store(&j->running, 1);
    live_post(l, "exporting figures...");
    if (pthread_create(&j->thread, NULL, export_main, j) != 0) {
        live_post(l, "export failed: cannot start a thread");
        free(j->dir);
        free(j->heat);
        free(j);
        return;
    }
    *job = j;
}
