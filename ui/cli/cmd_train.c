/* `ftlab train` — headless training into a run directory. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "session.h"
#include "train_opts.h"
#include "util.h"

static volatile sig_atomic_t stop_requested; /* the signal that asked to stop, or 0 */

static void on_signal(int sig)
{
    stop_requested = sig;
}

static void fmt_time(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

/* Progress on stderr: a redrawn bar on a terminal, a plain line now and then otherwise. */
struct progress {
    int tty;
    uint64_t total_steps, first_step;
    double t0, last;
    size_t seqs;
};

static void progress_show(struct progress *p, const struct session *s, int force)
{
    const struct trainer *t = &s->tr;
    double now = ftl_now();
    if (!force && now - p->last < (p->tty ? 0.2 : 30.0)) return;
    p->last = now;
    double rate = p->seqs / fmax(now - p->t0, 1e-9);
    uint64_t done = t->step, todo = p->total_steps > done ? p->total_steps - done : 0;
    double steps_rate = (double)(done - p->first_step) / fmax(now - p->t0, 1e-9);
    char eta[32];
    fmt_time(steps_rate > 0 ? (double)todo / steps_rate : 0, eta, sizeof eta);
    double frac = p->total_steps ? (double)done / (double)p->total_steps : 1;
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr,
                "\r[%s] %3.0f%% step %llu/%llu epoch %llu  loss %.4f  %.0f seq/s  left %s  ", bar,
                100 * frac, (unsigned long long)done, (unsigned long long)p->total_steps,
                (unsigned long long)t->epoch + 1, t->last.total, rate, eta);
    } else {
        fprintf(stderr, "step %llu/%llu epoch %llu loss %.4f %.0f seq/s left %s\n",
                (unsigned long long)done, (unsigned long long)p->total_steps,
                (unsigned long long)t->epoch + 1, t->last.total, rate, eta);
    }
}

static void report_epoch(struct progress *p, const struct session *s)
{
    if (p->tty) fputc('\n', stderr);
    const struct trainer *t = &s->tr;
    fprintf(stderr, "epoch %llu: %s %.4f, loss %.4f, %.0f seq/s\n", (unsigned long long)t->epoch,
            t->cfg.task == TASK_CLASSIFY ? "test accuracy" : "test reconstruction error",
            s->test_metric, t->last.total, p->seqs / fmax(ftl_now() - p->t0, 1e-9));
}

static int cmd_train(int argc, char **argv);

const struct cli_cmd cmd_train_entry = {"train", "[OPTIONS] [--out RUN_DIR | --resume RUN_DIR]",
                                        "train a network headless, into a run directory",
                                        train_opts_help, cmd_train};

/* A run the workbench made without --epochs or --steps: headless, it would never end. */
static int trains_until_quit(const char *dir)
{
    struct trainer_config c;
    struct trainer_controls k;
    char err[FTL_ERRLEN];
    return session_read_config(dir, &c, &k, err) == 0 && c.epochs == 0 && c.steps == 0;
}

static int cmd_train(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_train_entry;
    struct train_opts o;
    int rc = train_opts_parse(self, argc, argv, &o);
    if (rc) return rc;
    if (o.paused)
        return cli_usage_error(self,
                               "--paused is for the workbench ('ftlab tui'); train runs at once");
    if (o.tui_given)
        return cli_usage_error(self, "--%s is for the workbench ('ftlab tui'); train draws nothing",
                               o.tui_given);
    if (o.record)
        return cli_usage_error(self, "--record is for the workbench ('ftlab tui'); 'ftlab replay "
                                     "RUN_DIR --render FILE.cast' draws a trained run's journal");
    char err[FTL_ERRLEN];
    struct session s;
    char *dir;
    int sample;
    if (o.resume && !o.set_epochs && !o.set_steps && trains_until_quit(o.resume))
        return cli_usage_error(self,
                               "%s trains until quit (a workbench run without --epochs or "
                               "--steps): say how far to train it headless, with --epochs or "
                               "--steps",
                               o.resume);
    if (train_opts_open(&o, &s, &dir, &sample, err) != 0) return cli_fail("%s", err);

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    const struct trainer *t = &s.tr;
    struct progress p = {.tty = !o.quiet && isatty(2), .first_step = t->step, .t0 = ftl_now()};
    p.total_steps =
        t->cfg.steps > 0 ? (uint64_t)t->cfg.steps : (uint64_t)t->cfg.epochs * t->steps_per_epoch;
    if (!o.quiet)
        fprintf(stderr, "training %s (%s loss, %zu sequences, %s) into %s\n",
                model_task_name(t->cfg.task), reg_table[t->ctl.loss].name, t->ntrain, t->cfg.data,
                dir);
    rc = EXIT_OK;
    int write_stop = 0;
    char note[FTL_ERRLEN];
    while (!trainer_finished(t) && !stop_requested) {
        int r = session_step(&s, err);
        if (session_take_notice(&s, note)) {
            if (p.tty) fputc('\n', stderr);
            fprintf(stderr, "ftlab: %s\n", note);
        }
        if (r == -2) {
            write_stop = 1;
            break;
        }
        if (r == -1) {
            if (p.tty) fputc('\n', stderr);
            rc = cli_fail("%s", t->message);
            break;
        }
        p.seqs += (size_t)t->batch.B;
        if (!o.quiet) {
            progress_show(&p, &s, 0);
            if (r == 1) report_epoch(&p, &s);
        }
    }
    uint64_t step = t->step;
    if (stop_requested) {
        /* Ctrl-C is the user's own stop, as 'q' in the workbench: exit 0 with final.ckpt.
         * SIGTERM comes from a scheduler or a script: the training asked for did not
         * happen, so exit 1, and `table1` does not evaluate a half-trained run. */
        if (p.tty) fputc('\n', stderr);
        fprintf(stderr, "ftlab: %s at step %llu; continue with 'ftlab train --resume %s'\n",
                stop_requested == SIGINT ? "stopped (Ctrl-C)" : "terminated",
                (unsigned long long)step, dir);
        trainer_note(&s.tr, "stop");
        rc = stop_requested == SIGINT ? EXIT_OK : EXIT_FAIL;
    } else if (rc == EXIT_OK && !write_stop) {
        trainer_note(&s.tr, "stop");
        if (!o.quiet) {
            if (p.tty) fputc('\n', stderr);
            fprintf(stderr, "done: %llu steps in %.1f s; run in %s\n", (unsigned long long)step,
                    t->elapsed, dir);
        }
    }
    if (write_stop && p.tty) fputc('\n', stderr);
    /* final.ckpt is tried even after a failed write: a full disk may still take it. */
    char close_err[FTL_ERRLEN];
    int close_rc = session_close(&s, close_err);
    if (write_stop || close_rc != 0) {
        /* One line: what failed, where training stopped, what is safe on disk. */
        char saved[160];
        if (close_rc == 0)
            snprintf(saved, sizeof saved, "final.ckpt holds step %llu", (unsigned long long)step);
        else
            snprintf(saved, sizeof saved,
                     "the last checkpoint written is checkpoints/%s (step %llu)", s.last_checkpoint,
                     (unsigned long long)s.last_checkpoint_step);
        rc = cli_fail("%s; %s at step %llu%s; %s; continue with 'ftlab train --resume %s'",
                      write_stop ? err : close_err,
                      write_stop ? "training stopped" : "training ended", (unsigned long long)step,
                      write_stop ? " (--on-write-error stop)" : "", saved, dir);
    }
    free(dir);
    return rc;
}
