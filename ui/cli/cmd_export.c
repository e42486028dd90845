/* `ftlab export CKPT OUT_DIR` — the weights as one .npy per PyTorch state_dict entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npy.h"
#include "session.h"
#include "util.h"

static int cmd_export(int argc, char **argv);

const struct cli_cmd cmd_export_entry = {
    "export", "CKPT|RUN_DIR OUT_DIR",
    "write a checkpoint's weights as one .npy per PyTorch state_dict entry",
    "  Writes OUT_DIR/NAME.npy (float32) for every parameter, under PyTorch's names\n"
    "  (gru.weight_ih_l0, fc1.weight, ...). To load them into a torch.nn module with\n"
    "  the same attribute names (tests/ref/model_ref.py defines both networks):\n"
    "    import glob, os, numpy, torch\n"
    "    model.load_state_dict({os.path.basename(f)[:-4]: torch.from_numpy(numpy.load(f)) for f in "
    "glob.glob('OUT_DIR/*.npy')})\n",
    cmd_export};

static int cmd_export(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_export_entry;
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-') return cli_usage_error(self, "unknown option '%s'", argv[i]);
    if (argc > 3) return cli_usage_error(self, "unexpected argument '%s'", argv[3]);
    if (argc != 3)
        return cli_usage_error(self, "needs a checkpoint (or run directory) and an output folder");
    char err[FTL_ERRLEN];
    struct model m;
    if (session_load_model(argv[1], &m, NULL, NULL, err) != 0) return cli_fail("%s", err);
    int rc = EXIT_OK;
    if (ftl_mkdir_p(argv[2], err) != 0) {
        rc = cli_fail("%s", err);
        goto out;
    }
    for (int i = 0; i < m.nparam && rc == EXIT_OK; i++) {
        const struct model_param *p = &m.param[i];
        char file[128];
        snprintf(file, sizeof file, "%s.npy", p->name);
        char *path = ftl_path_join(argv[2], file);
        size_t shape[2] = {(size_t)p->rows, (size_t)p->cols};
        if (npy_write(path, NPY_F4, p->ndim, shape, m.w + p->offset, err) != 0)
            rc = cli_fail("%s", err);
        else
            printf("%s\n", path);
        free(path);
    }
out:
    model_free(&m);
    return rc;
}
