/*
 * sweep_slurm — a sweep as a Slurm job array: the script, and submitting
 * it. See sweep.h. Each array task is one shard, writing into its own
 * OUT/shards/I, so a failed task is resubmitted alone (sbatch --array=I)
 * and `ftlab sweep --collect OUT` merges whatever finished.
 */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"
#include "sweep.h"
#include "util.h"

extern char **environ;

/* Arguments to a POSIX shell, single-quoted: nothing in them is expanded. */
static void put_quoted(FILE *fp, const char *s)
{
    fputc('\'', fp);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", fp);
        else
            fputc(*s, fp);
    fputc('\'', fp);
}

/*
 * The sbatch time limit in minutes: a rough upper bound from the grid (a
 * minute per epoch and two for the evaluation of each run in the busiest
 * shard, at two CPUs on the MNIST strokes, which take ~10 s an epoch there),
 * plus ten. --slurm-opt time=... replaces it.
 */
static long time_minutes(const struct sweep_spec *s, int shards)
{
    long runs = sweep_runs(s), per_shard = (runs + shards - 1) / shards;
    double epochs = 0;
    for (int i = 0; i < s->n[SWEEP_EPOCHS]; i++)
        if (s->v[SWEEP_EPOCHS][i] > epochs) epochs = s->v[SWEEP_EPOCHS][i];
    return 10 + per_shard * ((long)epochs + 2);
}

/* KEY=VALUE of --slurm-opt: KEY letters, digits and '-'; VALUE one line. */
static int slurm_opt_ok(const char *kv, char *key, size_t cap)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || (size_t)(eq - kv) >= cap || strchr(kv, '\n')) return 0;
    for (const char *p = kv; p < eq; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return 0;
    snprintf(key, cap, "%.*s", (int)(eq - kv), kv);
    return 1;
}

int sweep_slurm_check_opt(const char *kv, char *err)
{
    char key[64];
    if (slurm_opt_ok(kv, key, sizeof key)) return 0;
    return ftl_error(
        err, "--slurm-opt: '%s' is not KEY=VALUE (an sbatch option, e.g. time=2:00:00)", kv);
}

/* The `ftlab sweep` arguments of the grid: the data and every axis explicit. */
static void put_sweep_args(FILE *fp, const struct sweep_spec *s)
{
    char buf[4096];
    for (int a = 0; a < SWEEP_AXES; a++) {
        size_t len = 0;
        buf[0] = '\0';
        if (a == SWEEP_LAMBDA && !s->n[a]) {
            for (int l = 0; l < REG_COUNT; l++)
                len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s=%.15g", l ? "," : "",
                                        reg_table[l].name, s->loss_lambda[l]);
        }
        for (int i = 0; i < s->n[a]; i++) {
            char v[32];
            sweep_format((enum sweep_axis)a, s->v[a][i], v, sizeof v);
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? "," : "", v);
        }
        fprintf(fp, " --%s ", sweep_axes[a].option);
        put_quoted(fp, buf);
    }
    size_t len = 0;
    for (int i = 0; i < s->nseeds; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%ld", i ? "," : "", s->seeds[i]);
    fputs(" --seeds ", fp);
    put_quoted(fp, buf);
    len = 0;
    for (int i = 0; i < s->nk; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d", i ? "," : "", s->k[i]);
    fputs(" --k ", fp);
    put_quoted(fp, buf);
    if (s->limit > 0) fprintf(fp, " --limit %ld", s->limit);
    if (s->quick) fputs(" --quick", fp);
    if (s->sample)
        fputs(" --sample", fp);
    else if (s->data[0]) {
        fputs(" --data ", fp);
        put_quoted(fp, s->data);
    }
}

static int write_script(const struct sweep_spec *s, const struct sweep_slurm *sl, int shards,
                        const char *out, const char *exe, const char *path, char *err)
{
    static const char *const keys[] = {"job-name", "array", "cpus-per-task", "time", "output"};
    char def[5][PATH_MAX + 64];
    snprintf(def[0], sizeof def[0], "ftlab-sweep");
    snprintf(def[1], sizeof def[1], "1-%d", shards);
    snprintf(def[2], sizeof def[2], "2");
    snprintf(def[3], sizeof def[3], "%ld", time_minutes(s, shards));
    /* %a: the array index, which is the shard's number. */
    snprintf(def[4], sizeof def[4], "%s/slurm/shard-%%a.log", out);
    struct ftl_atomic a;
    if (ftl_atomic_open(&a, path, err) != 0) return -1;
    FILE *fp = a.fp;
    fprintf(fp,
            "#!/bin/sh\n"
            "# Written by ftlab: a sweep as a job array, task I running shard I of %d into\n"
            "# %s/shards/I. Submit with: sbatch %s\n"
            "# Run one failed shard again alone with: sbatch --array=I %s\n"
            "# Then: ftlab sweep --collect %s\n",
            shards, out, path, path, out);
    for (int k = 0; k < 5; k++) {
        int replaced = 0;
        char key[64];
        for (int i = 0; i < sl->nopts; i++)
            replaced |= slurm_opt_ok(sl->opt[i], key, sizeof key) && strcmp(key, keys[k]) == 0;
        if (!replaced) fprintf(fp, "#SBATCH --%s=%s\n", keys[k], def[k]);
    }
    for (int i = 0; i < sl->nopts; i++)
        fprintf(fp, "#SBATCH --%s\n", sl->opt[i]);
    fprintf(fp, "set -eu\ni=${SLURM_ARRAY_TASK_ID:?run this script with sbatch}\nexec ");
    put_quoted(fp, exe);
    fputs(" sweep", fp);
    put_sweep_args(fp, s);
    fprintf(fp, " --shard \"$i/%d\" --out ", shards);
    put_quoted(fp, out);
    fputs("/shards/\"$i\"\n", fp);
    if (ftl_atomic_commit(&a, err) != 0) return -1;
    chmod(path, 0755);
    return 0;
}

/* Runs `sbatch --parsable SCRIPT`; the job id into id. 0 or -1 with err. */
static int submit(const char *script, char *id, size_t cap, char *err)
{
    int fds[2];
    if (pipe(fds) != 0) return ftl_error(err, "pipe: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char *argv[] = {"sbatch", "--parsable", (char *)script, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, "sbatch", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return ftl_error(err,
                         "sbatch: %s (is Slurm installed here? --dry-run only writes the script)",
                         strerror(rc));
    }
    size_t len = 0;
    ssize_t got;
    while (len + 1 < cap &&
           ((got = read(fds[0], id + len, cap - 1 - len)) > 0 || (got < 0 && errno == EINTR)))
        len += got > 0 ? (size_t)got : 0;
    id[len] = '\0';
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    /* --parsable prints "JOBID" or "JOBID;CLUSTER". */
    id[strcspn(id, ";\n")] = '\0';
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !id[0])
        return ftl_error(err, "sbatch %s failed (exit %d); its message is above", script,
                         WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}

int sweep_slurm_submit(const struct sweep_spec *s, const struct sweep_slurm *sl, const char *out,
                       const char *command, const char *collect_hint, char *err)
{
    char key[64], exe[PATH_MAX];
    for (int i = 0; i < sl->nopts; i++)
        if (!slurm_opt_ok(sl->opt[i], key, sizeof key))
            return ftl_error(err, "--slurm-opt: '%s' is not KEY=VALUE (an sbatch option)",
                             sl->opt[i]);
    long runs = sweep_runs(s);
    int shards = sl->shards ? sl->shards : (int)(runs < 1000 ? runs : 1000);
    if (shards > runs) shards = (int)runs;
    /* The binary and the folder as absolute paths: the job runs from wherever sbatch starts it. */
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return ftl_error(err, "/proc/self/exe: %s", strerror(errno));
    exe[n] = '\0';
    char *slurm = ftl_path_join(out, "slurm");
    if (ftl_mkdir_p(slurm, err) != 0) {
        free(slurm);
        return -1;
    }
    char *abs = realpath(out, NULL);
    char *grid = ftl_path_join(abs, "grid"), *dir = ftl_path_join(abs, "slurm"),
         *script = ftl_path_join(dir, "sweep.sbatch");
    int rc = sweep_write_grid(s, command, 1, 1, grid, err);
    if (rc == 0) rc = write_script(s, sl, shards, abs, exe, script, err);
    if (rc == 0) {
        /* How many shards there are, for --collect to name the missing ones before any ran. */
        char text[32], *path = ftl_path_join(dir, "shards");
        int len = snprintf(text, sizeof text, "%d\n", shards);
        rc = ftl_write_file(path, text, (size_t)len, err);
        free(path);
    }
    if (rc == 0 && sl->dry_run) {
        printf("wrote %s: %d array task%s (shards 1-%d of %ld runs)\n"
               "submit it with: sbatch %s\n"
               "when it has finished: %s\n",
               script, shards, shards == 1 ? "" : "s", shards, runs, script, collect_hint);
    } else if (rc == 0) {
        char id[128];
        rc = submit(script, id, sizeof id, err);
        if (rc == 0)
            printf("submitted job %s: %d array task%s (shards 1-%d of %ld runs), logs in "
                   "%s/shard-I.log\n"
                   "a failed shard I runs again with: sbatch --array=I %s\n"
                   "when it has finished: %s\n",
                   id, shards, shards == 1 ? "" : "s", shards, runs, dir, script, collect_hint);
    }
    free(slurm);
    free(abs);
    free(grid);
    free(dir);
    free(script);
    return rc;
}

int sweep_slurm_option(int c, const char *arg, int *slurm, struct sweep_slurm *sl, char *err)
{
    long v;
    switch (c) {
    case SWEEP_O_SLURM:
        *slurm = 1;
        return 1;
    case SWEEP_O_SHARDS:
        if (cli_parse_long(arg, 1, 1000, &v))
            return ftl_error(err, "--shards needs an integer in 1..1000, not '%s'", arg);
        sl->shards = (int)v;
        return 1;
    case SWEEP_O_SLURM_OPT:
        if (sl->nopts == SWEEP_SLURM_MAX_OPTS)
            return ftl_error(err, "--slurm-opt: at most %d", SWEEP_SLURM_MAX_OPTS);
        if (sweep_slurm_check_opt(arg, err) != 0) return -1;
        sl->opt[sl->nopts++] = arg;
        return 1;
    case SWEEP_O_DRY_RUN:
        sl->dry_run = 1;
        return 1;
    default:
        return 0;
    }
}
