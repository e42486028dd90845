#!/usr/bin/env python3
"""ftlab's two networks and its regularisers in PyTorch (SPEC.md §3, §5).

This file is the PyTorch twin of src/model.c, and the place to load ftlab's
weights into: `ftlab export RUN_DIR OUT_DIR` writes one float32 .npy per
parameter under the state_dict names of the classes below, so

    import model_ref
    net = model_ref.load_export("OUT_DIR")      # Classifier or Autoencoder
    logit, fc1 = net(x, lengths)

gives what ftlab computes (load_state_dict(strict=True) checks every name and
shape). Inputs are padded batches as in the upstream data files:
x (B, T, 4) float rows (dx, dy, eos, eod), trailing zero padding, and the
lengths (B,); sequence_lengths(x) recovers them (SPEC.md §2.3: padding rows
are exactly the all-zero rows).

  Classifier   GRU(4→H) → last valid state → FC1(H→K) + ReLU → FC2(K→1);
               task loss = BCE with logits, mean over the batch, label digit >= 5.
  Autoencoder  GRU enc(4→H) → last valid state → code(H→K) + ReLU;
               decoder GRU dec(K→H) fed the code at every step from the
               initial state tanh(dec_init(code)), out(H→4) per step;
               task loss = squared error summed over the valid rows and the
               4 columns, divided by the batch size.

The *target layer* is FC1 (classifier) or the code (autoencoder): its post-ReLU
activations are what DeCov and XCov penalise and KMeans clusters; its weight
(K x H, row = one unit's incoming weights) is what the proposed loss pushes
apart. The training objective is task + lambda * regulariser (objective()).

Run as a script, it writes tests/ref/model_ref.h, the reference numbers of
tests/test_model.c: every parameter set by a formula of its table position
and element index (param_value), a small dataset of unequal lengths
(dataset_rows, the formula of small_data() in tests/test_model.c), float64:

    /usr/bin/python3 tests/ref/model_ref.py
"""
import glob
import math
import os
import sys

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

REGULARISERS = ("baseline", "decov", "xcov", "proposed")  # ftlab's reg_table order


# ---- the networks ----

def _last_state(gru, x, lengths, h0=None):
    """Each sequence's state at its last valid step, in batch order (packing skips padding)."""
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    _, h_n = gru(packed, h0)
    return h_n[0]


class Classifier(nn.Module):
    """The binary classifier of the paper's Fig. 1 (SPEC.md §3.1)."""

    def __init__(self, H=128, K=32, D=4):
        super().__init__()
        self.gru = nn.GRU(D, H, batch_first=True)
        self.fc1 = nn.Linear(H, K)
        self.fc2 = nn.Linear(K, 1)

    def target_weight(self):
        return self.fc1.weight

    def forward(self, x, lengths):
        """x (B, T, 4), lengths (B,) -> logit (B,), FC1 activations after ReLU (B, K)."""
        a = torch.relu(self.fc1(_last_state(self.gru, x, lengths)))
        return self.fc2(a)[:, 0], a

    @staticmethod
    def task_loss(logit, digits):
        """Mean BCE of sigmoid(logit) against the binary label digit >= 5."""
        y = (digits >= 5).to(logit.dtype)
        return nn.functional.binary_cross_entropy_with_logits(logit, y)

    def losses(self, x, lengths, digits, margin):
        """Task loss, the target activations and every regulariser's value, as a dict."""
        logit, a = self(x, lengths)
        return {
            "task": self.task_loss(logit, digits),
            "activations": a,
            "correct": int(((logit > 0) == (digits >= 5)).sum()),
            "baseline": torch.zeros((), dtype=a.dtype),
            "decov": decov(a),
            "xcov": xcov(torch.sigmoid(logit)[:, None], a),  # predicted label vs FC1, SPEC §5.2a
            "proposed": proposed(self.fc1.weight, margin),
        }


class Autoencoder(nn.Module):
    """The sequence autoencoder of SPEC.md §3.2; the code is the clustered layer."""

    def __init__(self, H=128, K=32, D=4):
        super().__init__()
        self.enc = nn.GRU(D, H, batch_first=True)
        self.code = nn.Linear(H, K)
        self.dec_init = nn.Linear(K, H)
        self.dec = nn.GRU(K, H, batch_first=True)
        self.out = nn.Linear(H, D)

    def target_weight(self):
        return self.code.weight

    def forward(self, x, lengths):
        """x (B, T, 4), lengths (B,) -> reconstruction (B, T, 4; rows past a length are
        meaningless), code after ReLU (B, K)."""
        B, T, _ = x.shape
        c = torch.relu(self.code(_last_state(self.enc, x, lengths)))
        s0 = torch.tanh(self.dec_init(c))[None]
        # The code is the decoder's input at every step (no teacher forcing).
        fed = c[:, None, :].expand(B, T, c.shape[1])
        packed = pack_padded_sequence(fed, lengths.cpu(), batch_first=True, enforce_sorted=False)
        s, _ = self.dec(packed, s0)
        s, _ = pad_packed_sequence(s, batch_first=True, total_length=T)
        return self.out(s), c

    @staticmethod
    def task_loss(x, xhat, lengths):
        """Squared error summed over the valid rows and all 4 columns, / batch size."""
        valid = torch.arange(x.shape[1])[None, :] < lengths[:, None]
        return ((xhat - x)[valid] ** 2).sum() / x.shape[0]

    def losses(self, x, lengths, digits, margin):
        """Task loss, the code activations and every regulariser's value, as a dict."""
        xhat, c = self(x, lengths)
        half = c.shape[1] // 2
        return {
            "task": self.task_loss(x, xhat, lengths),
            "activations": c,
            "correct": 0,
            "baseline": torch.zeros((), dtype=c.dtype),
            "decov": decov(c),
            "xcov": xcov(c[:, :half], c[:, half:]),  # the code's two halves, SPEC §5.2b
            "proposed": proposed(self.code.weight, margin),
        }


# ---- the regularisers (SPEC.md §5), written the plain way ----

def decov(A):
    """DeCov: half the sum of the squared off-diagonal entries of the biased (1/B)
    covariance of A's columns."""
    Ac = A - A.mean(0, keepdim=True)
    C = Ac.T @ Ac / A.shape[0]
    return 0.5 * ((C ** 2).sum() - (torch.diagonal(C) ** 2).sum())


def xcov(Y, Z):
    """XCov: half the sum of squares of the cross-covariance of Y's and Z's columns."""
    X = (Y - Y.mean(0)).T @ (Z - Z.mean(0)) / Y.shape[0]
    return 0.5 * (X ** 2).sum()


def proposed(W, margin):
    """The KL-margin loss on W's rows: sum over ordered pairs i != j of
    max(0, margin - KL(softmax(W_i) || softmax(W_j)))."""
    logd = torch.log_softmax(W, dim=1)
    d = logd.exp()
    total = torch.zeros((), dtype=W.dtype)
    for i in range(W.shape[0]):
        for j in range(W.shape[0]):
            if i != j:
                total = total + torch.relu(margin - (d[i] * (logd[i] - logd[j])).sum())
    return total


def objective(terms, reg, lam):
    """The training objective, task + lambda * the chosen regulariser."""
    return terms["task"] + lam * terms[reg]


# ---- loading ftlab's output ----

def sequence_lengths(x):
    """Lengths of trailing-padded sequences (B, T, 4): the rows with any nonzero value."""
    return (x != 0).any(dim=2).sum(dim=1)


def load_export(directory, dtype=torch.float32):
    """The network whose weights `ftlab export` wrote to directory (one NAME.npy per
    state_dict entry), with every name and shape checked by load_state_dict(strict=True)."""
    import numpy

    state = {os.path.basename(f)[:-4]: torch.from_numpy(numpy.load(f))
             for f in glob.glob(os.path.join(directory, "*.npy"))}
    if "gru.weight_hh_l0" in state:
        K, H = state["fc1.weight"].shape
        net = Classifier(H, K, state["gru.weight_ih_l0"].shape[1])
    elif "enc.weight_hh_l0" in state:
        K, H = state["code.weight"].shape
        net = Autoencoder(H, K, state["enc.weight_ih_l0"].shape[1])
    else:
        raise ValueError("%s: no gru.* or enc.* weights" % directory)
    net.load_state_dict(state, strict=True)
    return net.to(dtype)


# ---- the reference numbers for tests/test_model.c ----

N_SEQ = 7        # sequences in the one batch
LAMBDA = 0.7     # regulariser weight
MARGIN = 0.115   # inside the spread of KL values of these weights: some pairs active, some not
SIZES = [(5, 4), (7, 6), (6, 5)]  # (H, K); K = 5 makes the autoencoder's XCov halves unequal
WIDE = [(5, 4, 6)]  # (H, K, D): another input width than the strokes' 4


def param_value(p, j):
    """Parameter p of the table (state_dict order), element j in row-major order."""
    return 0.5 * math.sin(0.7 * j + 1.3 * p + 0.1)


def dataset_rows(n, D=4):
    """small_data() of tests/test_model.c: n sequences of unequal lengths, rows like the
    real ones (absolute start point, small moves, eos every 4th row, eod last); columns
    c >= 4 of a wider row are 0.25 * ((7 i + 3 t + c) % 9 - 4)."""
    seqs, digits = [], []
    for i in range(n):
        length = 2 + (i * 5) % 7
        rows = []
        for t in range(length):
            dx = 5 + i % 7 if t == 0 else (i + t) % 3 - 1
            dy = 9 if t == 0 else (i * t) % 3 - 1
            eos = int(t + 1 == length or t % 4 == 3)
            eod = int(t + 1 == length)
            if dx == 0 and dy == 0 and not eos:
                dx = 1
            rows.append([dx, dy, eos, eod] + [0.25 * ((7 * i + 3 * t + c) % 9 - 4)
                                              for c in range(4, D)])
        seqs.append(rows)
        digits.append((i * 3) % 10)
    T = max(len(s) for s in seqs)
    x = torch.zeros(n, T, D, dtype=torch.float64)
    for i, rows in enumerate(seqs):
        x[i, :len(rows)] = torch.tensor(rows, dtype=torch.float64)
    return x, torch.tensor([len(s) for s in seqs]), torch.tensor(digits)


def set_params(net):
    with torch.no_grad():
        for p, (_, w) in enumerate(net.state_dict().items()):
            flat = torch.tensor([param_value(p, j) for j in range(w.numel())], dtype=w.dtype)
            w.copy_(flat.reshape(w.shape))


def emit_array(out, ctype, name, values, fmt):
    out.append("static const %s %s[%d] = {" % (ctype, name, len(values)))
    for k in range(0, len(values), 4):
        out.append("    " + ", ".join(fmt % v for v in values[k:k + 4]) + ",")
    out.append("};")


def reference_case(out, task, H, K, D=4):
    net = (Classifier if task == "classify" else Autoencoder)(H, K, D).to(torch.float64)
    set_params(net)
    x, lengths, digits = dataset_rows(N_SEQ, D)
    names = list(net.state_dict().keys())
    params = list(net.parameters())
    assert names == [n for n, _ in net.named_parameters()]
    grads, terms = [], None
    for reg in REGULARISERS:
        terms = net.losses(x, lengths, digits, MARGIN)
        g = torch.autograd.grad(objective(terms, reg, LAMBDA), params, allow_unused=True)
        grads += [v for gi, w in zip(g, params)
                  for v in (gi if gi is not None else torch.zeros_like(w)).reshape(-1).tolist()]
    a = terms["activations"].detach()
    kl_gap, active = kl_activity(net.target_weight().detach())
    relu_zero = int((a == 0).sum())
    print("%s H=%d K=%d: task %.6g, decov %.4g, xcov %.4g, proposed %.4g (%d pairs active, "
          "min |KL - m| %.3g), %d of %d activations zero" % (
              task, H, K, terms["task"], terms["decov"], terms["xcov"], terms["proposed"],
              active, kl_gap, relu_zero, a.numel()), file=sys.stderr)
    assert kl_gap > 1e-3 and 0 < relu_zero < a.numel()
    pre = "model_ref_%s_h%d_k%d" % (task, H, K) + ("_d%d" % D if D != 4 else "")
    emit_array(out, "char *const", pre + "_names", ['"%s"' % n for n in names], "%s")
    emit_array(out, "int", pre + "_shape", [d for n in names for d in _shape2(net, n)], "%d")
    emit_array(out, "double", pre + "_acts", a.reshape(-1).tolist(), "%.17g")
    emit_array(out, "double", pre + "_grad", grads, "%.17g")
    reg = ", ".join("%.17g" % float(terms[r]) for r in REGULARISERS)
    return ('    {"%s", %d, %d, %d, %d, %d, %.17g, {%s}, %d, %d, %s_names, %s_shape, %s_acts, %s_grad},'
            % (task, D, H, K, len(names), len(grads) // len(REGULARISERS), float(terms["task"]),
               reg, active, terms["correct"], pre, pre, pre, pre))


def _shape2(net, name):
    shape = net.state_dict()[name].shape
    return (shape[0], shape[1] if len(shape) == 2 else 1)


def kl_activity(W):
    """(smallest |KL - margin| over the ordered pairs, number of pairs with KL < margin)."""
    logd = torch.log_softmax(W, dim=1)
    kl = (logd.exp() * logd).sum(1)[:, None] - logd.exp() @ logd.T
    off = ~torch.eye(W.shape[0], dtype=torch.bool)
    return float((kl[off] - MARGIN).abs().min()), int((kl[off] < MARGIN).sum())


def main():
    torch.set_default_dtype(torch.float64)
    out = ["/* Generated by tests/ref/model_ref.py with PyTorch %s (float64). Do not edit. */"
           % torch.__version__,
           "#ifndef FTLAB_MODEL_REF_H", "#define FTLAB_MODEL_REF_H", "", "#include <math.h>",
           "#include <stddef.h>", "",
           "/* Parameter p of the table, element j (row-major): param_value() of the script. */",
           "#define MODEL_REF_PARAM(p, j) (0.5 * sin(0.7 * (double)(j) + 1.3 * (double)(p) + 0.1))",
           "#define MODEL_REF_N %d      /* sequences: small_data() of test_model.c, one batch */"
           % N_SEQ,
           "#define MODEL_REF_LAMBDA %r" % LAMBDA,
           "#define MODEL_REF_MARGIN %r" % MARGIN, ""]
    rows = [reference_case(out, task, H, K)
            for task in ("classify", "autoencode") for H, K in SIZES]
    rows += [reference_case(out, task, H, K, D)
             for task in ("classify", "autoencode") for H, K, D in WIDE]
    out += ["",
            "/* One network: task loss and reg[] (ftlab's reg_table order) on the batch of all",
            " * MODEL_REF_N sequences; acts = target layer after ReLU (N x K, dataset order);",
            " * grad = d(task + lambda * reg[r]) / d(parameters) for r = 0..3, each nparam_total",
            " * values in table order; shape = rows, cols (1 for vectors) of each parameter. */",
            "struct model_ref {",
            "    const char *task;",
            "    int D, H, K, nparam; /* D: values per step (4: pen strokes) */",
            "    size_t size;",
            "    double task_loss, reg[4];",
            "    int active_pairs, correct;",
            "    const char *const *names;",
            "    const int *shape;",
            "    const double *acts, *grad;",
            "};",
            "static const struct model_ref model_refs[] = {"] + rows + ["};", "", "#endif"]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model_ref.h")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
