#!/usr/bin/env python3
"""A linear Barlow Twins run exported by stepwise, as a standalone NumPy script.

"On the Stepwise Nature of Self-Supervised Learning" (Simon et al., ICML 2023), Sections 3-4.
This script needs only Python 3 and NumPy. It reads, from its own folder:

    config.json         the run's resolved configuration (η = `lr` and `steps` filled in);
                        `stepwise run config.json` reads the same file
    export.json         what stepwise knew about the data: its digest, the number of your own
                        images the patches were cut from (if any), the stepwise version
    x.npy, x_prime.npy  the n positive pairs (n x m, float32) exactly as stepwise used them
                        (after centering when `dataset.center` is true)
    w0.npy              W(0) (d x m, float32): i.i.d. N(0, α²) entries, α = `init_scale`

and runs the gradient descent of the linear model (docs/math.md §2, the paper's Sec. 3):

    Γ = (1/2n) Σ_i (x_i x'_iᵀ + x'_i x_iᵀ)     (m x m, symmetric)
    C = W Γ Wᵀ                                 (d x d)
    L = ||C − I||_F²,  ∇_W L = 4 (C − I) W Γ
    W ← W − η · 4 (C − I) W Γ,                 effective time t = η · step

recording the loss L and the eigenvalues of C (descending) every `record_every` steps (with
early records at steps 1, 2, …, 8, 10, 12, 15, … below the first) and at
the last step, next to the closed-form theory (Prop. 4.1, Result 4.6):

    s_j(0) = |R_jj|, R from the QR of W(0) [v_1 … v_d]   (v_j: unit eigenvectors of Γ)
    λ_j(t) = 1 / (1 + (1/(γ_j s_j(0)²) − 1) · exp(−r_j t))
    τ_j    = ln(1/(γ_j s_j(0)²)) / r_j

with r_j = 2 ln(1 + 4ηγ_j)/η for gradient descent at step η (`theory_time` "discrete", the
default: a step multiplies a small λ_j by (1 + 4ηγ_j)²) or r_j = 8γ_j for the paper's gradient
flow (`theory_time` "flow", Eq. 10 and 16).

Two solvers compute the same trajectory:
  literal     W ← W − 4η (C − I) W Γ as written: d·m² per step.
  eigenbasis  A = W V with Γ = V Λ Vᵀ: A ← A − 4η (C − I) A Λ, C = A Λ Aᵀ: d²·m per step, and
              each mode keeps its own column, so tiny modes keep full float32 precision.
The default is `eigenbasis` whatever the run's `solver`: it reproduces stepwise's eigenvalues
to about 1e-6. In float32 the literal solver's tiny modes (λ ~ 1e-12 next to learned ones
~ 1) are rounding noise, which any two float32 implementations round differently: their
eigenvalues differ by up to a few 1e-2 before each mode's step; `--solver literal --dtype
float64` follows the exact trajectory again. stepwise's `truncated` solver keeps only Γ's top
modes; here it runs as `eigenbasis` on all of them.

Output: the JSON schema of `stepwise run --out` (config, backend, m, gamma_top, data_digest,
records, theory {s0, tau, records}, local_images), so the two files can be diffed.
`data_digest` (FNV-1a of the data's bits) and `local_images` are copied from export.json.

Usage: python3 run_linear.py [--solver literal|eigenbasis] [--dtype float32|float64]
                             [--steps N] [--lr ETA] [--out result.json]
"""

import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# Entries of C beyond this magnitude count as divergence (C → I when training works).
DIVERGENCE_BOUND = 1e6
# How many of Γ's top eigenvalues the result lists (at least d + 1).
GAMMA_TOP = 32


def load(folder):
    """The resolved configuration, the export's facts and the arrays, as stepwise wrote them."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(folder, "export.json")) as f:
        export = json.load(f)
    arrays = {k: np.load(os.path.join(folder, f"{k}.npy")) for k in ("x", "x_prime", "w0")}
    return config, export, arrays


def gamma_matrix(x, x_prime):
    """Γ = (1/2n) Σ_i (x_i x'_iᵀ + x'_i x_iᵀ), in float64."""
    x, x_prime = x.astype(np.float64), x_prime.astype(np.float64)
    cross = x.T @ x_prime
    return (cross + cross.T) / (2 * x.shape[0])


def spectrum(gamma):
    """Eigenvalues γ_1 ≥ γ_2 ≥ … of Γ and its unit eigenvectors (columns), descending."""
    values, vectors = np.linalg.eigh(gamma)
    return values[::-1].copy(), vectors[:, ::-1].copy()


def observe(c, step, lr):
    """One record: t = η·step, L = ||C − I||_F² and the eigenvalues of C (descending), all
    from the symmetric part of C in float64."""
    c = c.astype(np.float64)
    c = 0.5 * (c + c.T)
    if not np.all(np.isfinite(c)) or np.abs(c).max() > DIVERGENCE_BOUND:
        sys.exit(f"the run diverged by step {step}: the learning rate η = {lr:.4e} is too large")
    eigenvalues = np.linalg.eigvalsh(c)[::-1]
    loss = float(((c - np.eye(c.shape[0])) ** 2).sum())
    return {"t": lr * step, "step": step, "loss": loss, "eigenvalues": eigenvalues.tolist()}


def record_steps(steps, every):
    """stepwise's record schedule (src/experiment/schedule.rs): every `every` steps and the
    last one, plus the early steps 1, 2, …, 8, 10, 12, 15, … (each a quarter past the previous,
    at least one further) below `every`, so that a step within the first interval is resolved.
    """
    every = max(every, 1)
    out, step = {0, steps}, 1
    while step < min(every, steps):
        out.add(step)
        step += max(1, step // 4)
    out.update(range(0, steps + 1, every))
    return out


def descend(w, diag, gamma, lr, steps, every, dtype):
    """Gradient descent from `w`, recording on stepwise's schedule (`record_steps`).

    With `diag` (Γ's eigenvalues Λ, eigenbasis solver) the operator is diagonal: P = A Λ;
    otherwise `gamma` is Γ itself (literal solver): P = W Γ. Either way C = P Wᵀ and the step is
    W ← W − 4η (C − I) P.
    """
    eye = np.eye(w.shape[0], dtype=dtype)
    step_size = dtype.type(4.0) * dtype.type(lr)
    records = []
    due = record_steps(steps, every)
    for step in range(steps + 1):
        p = w * diag if diag is not None else w @ gamma  # P = W Γ
        c = p @ w.T  # C = W Γ Wᵀ
        if step in due:
            records.append(observe(c, step, lr))
        if step < steps:
            w = w - step_size * ((c - eye) @ p)  # W ← W − η · 4 (C − I) W Γ
    return records


def theory_rates(gamma_d, lr, theory_time):
    """Growth rate r_j of a small λ_j per unit time t."""
    rate = 8.0 * gamma_d  # gradient flow (Eq. 10)
    if theory_time == "discrete":
        growth = 1.0 + 4.0 * lr * gamma_d
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(growth > 0, 2.0 * np.log(np.where(growth > 0, growth, 1.0)) / lr, rate)
    return rate


def theory(values, vectors, w0, lr, theory_time, records):
    """Result 4.6: s_j(0), τ_j and λ_j(t), L(t) on the records' time grid."""
    d = w0.shape[0]
    g = values[:d]
    r = np.linalg.qr(w0.astype(np.float64) @ vectors[:, :d], mode="r")
    s0 = np.abs(np.diag(r))
    rate = theory_rates(g, lr, theory_time)
    l0 = g * s0 * s0  # λ_j(0) = γ_j s_j(0)²
    tau = [float(np.log(1.0 / l) / k) if gj > 0 else None for gj, l, k in zip(g, l0, rate)]
    out = []
    for rec in records:
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            lam = 1.0 / (1.0 + (1.0 / l0 - 1.0) * np.exp(-rate * rec["t"]))
        lam = np.where((l0 != 0) & np.isfinite(lam), lam, 0.0)
        loss = float(((1.0 - lam) ** 2).sum())  # L(t) ≈ Σ_j (1 − λ_j(t))²
        out.append({"t": rec["t"], "step": rec["step"], "loss": loss, "eigenvalues": lam.tolist()})
    return {"s0": s0.tolist(), "tau": tau, "records": out}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--solver", choices=["literal", "eigenbasis"], default="eigenbasis",
                    help="how to integrate the descent (default: eigenbasis)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                    help="precision of the descent (default: float32, as stepwise)")
    ap.add_argument("--steps", type=int, default=None, help="override the number of steps")
    ap.add_argument("--lr", type=float, default=None, help="override the step size η")
    ap.add_argument("--out", default=os.path.join(HERE, "result.json"),
                    help="where to write the result JSON (default: result.json beside this script)")
    return ap.parse_args()


def main():
    args = parse_args()
    config, export, arrays = load(HERE)
    if args.steps is not None:
        config["steps"] = args.steps
    if args.lr is not None:
        config["lr"] = args.lr
    dtype = np.dtype(args.dtype)
    lr, steps, every = float(config["lr"]), int(config["steps"]), int(config["record_every"])
    x, x_prime, w0 = arrays["x"], arrays["x_prime"], arrays["w0"]
    m, d = x.shape[1], w0.shape[0]

    gamma = gamma_matrix(x, x_prime)
    values, vectors = spectrum(gamma)
    if values[0] <= 0:
        sys.exit("Γ has no positive eigenvalue: no mode can be learned")
    if args.solver == "literal":
        records = descend(w0.astype(dtype), None, gamma.astype(dtype), lr, steps, every, dtype)
    else:
        # A(0) = W(0) V, in float64 before rounding, as stepwise does
        a0 = (w0.astype(np.float64) @ vectors).astype(dtype)
        records = descend(a0, values.astype(dtype), None, lr, steps, every, dtype)

    bits = "f32" if dtype == np.float32 else "f64"
    result = {
        "config": config,
        "backend": f"numpy-{bits}-{args.solver}",
        "m": m,
        "gamma_top": values[: min(max(d + 1, GAMMA_TOP), m)].tolist(),
        "data_digest": export["data_digest"],
        "records": records,
        "theory": theory(values, vectors, w0, lr, config["theory_time"], records),
    }
    if export.get("local_images") is not None:
        result["local_images"] = export["local_images"]
    with open(args.out, "w") as f:
        json.dump(result, f, allow_nan=False)

    gap = max(abs(a - b) for r, th in zip(records, result["theory"]["records"])
              for a, b in zip(r["eigenvalues"], th["eigenvalues"]))
    print(f"backend     {result['backend']}")
    print(f"m, d        {m}, {d}")
    print(f"gamma_1     {values[0]:.4f}")
    print(f"lr, steps   {lr:.4e}, {steps}")
    print(f"final loss  {records[-1]['loss']:.4e}")
    print(f"max |λ_sim − λ_theory|  {gap:.4f}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
