#!/usr/bin/env python3
"""The obvious NumPy script for docs/math.md §2, as a researcher would write it: the reference that
`stepwise bench` times our implementation against.

Reads the data of a run exactly as stepwise used it (x, x_prime, W(0) and the resolved
configuration: `stepwise run fig1 --export-data --out data.json` writes it, and so does
`stepwise bench`), then does the literal gradient descent

    Γ = (1/2n) Σ_i (x_i x'_iᵀ + x'_i x_iᵀ),  C = W Γ Wᵀ,  W ← W − η · 4 (C − I) W Γ

in float32 (or --dtype float64), recording the loss ||C − I||² and the eigenvalues of C
every `record_every` steps (and at stepwise's early steps 1, 2, …, 8, 10, 12, 15, … below the
first) and at the last step, plus the closed-form theory of docs/math.md §4–5
(Result 4.6, discrete time: rate 2 ln(1 + 4ηγ_j)/η, as stepwise's default `theory_time`).

Writes JSON: {"records", "theory": {"tau", "records"}, "timing": {...seconds...}}. The timed
work starts after the input is parsed: Γ, its eigendecomposition, the theory, every step.

Usage: reference_linear.py DATA.json OUT.json [--dtype float32|float64] [--steps N]
"""

import argparse
import json
import time

import numpy as np


def record_steps(steps, every):
    """stepwise's record schedule (src/experiment/schedule.rs)."""
    every = max(every, 1)
    out, step = {0, steps}, 1
    while step < min(every, steps):
        out.add(step)
        step += max(1, step // 4)
    out.update(range(0, steps + 1, every))
    return out


def theory(gamma_vals, gamma_vecs, w0, lr, times):
    """Step times τ_j and λ_j(t) of Result 4.6 for gradient descent at step lr."""
    d = w0.shape[0]
    g = gamma_vals[:d]
    # s_j(0) = |R_jj| of the QR of W(0) [v_1 … v_d]
    r = np.linalg.qr(w0.astype(np.float64) @ gamma_vecs[:, :d], mode="r")
    s0 = np.abs(np.diag(r))
    rate = np.where(g > 0, 2.0 * np.log1p(4.0 * lr * g) / lr, 8.0 * g)
    l0 = g * s0 * s0
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        tau = np.where(g > 0, np.log(1.0 / l0) / rate, np.nan)
        lam = 1.0 / (1.0 + (1.0 / l0 - 1.0) * np.exp(-np.outer(times, rate)))
    lam = np.where(np.isfinite(lam), lam, 0.0)
    loss = ((1.0 - lam) ** 2).sum(axis=1)
    tau_list = [None if np.isnan(t) else float(t) for t in tau]
    return tau_list, lam, loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--steps", type=int, default=None, help="override the step count")
    args = ap.parse_args()
    dtype = np.dtype(args.dtype)

    with open(args.data) as f:
        run = json.load(f)
    cfg = run["config"]
    lr, every = float(cfg["lr"]), int(cfg["record_every"])
    steps = int(args.steps if args.steps is not None else cfg["steps"])
    x = np.asarray(run["data"]["x"], dtype=np.float32).astype(dtype)
    xp = np.asarray(run["data"]["x_prime"], dtype=np.float32).astype(dtype)
    w = np.asarray(run["data"]["w0"], dtype=np.float32).astype(dtype)
    n, d = x.shape[0], w.shape[0]

    t0 = time.perf_counter()
    gamma = (x.T @ xp + xp.T @ x) / dtype.type(2 * n)
    t_gamma = time.perf_counter()
    vals, vecs = np.linalg.eigh(gamma.astype(np.float64))
    vals, vecs = vals[::-1], vecs[:, ::-1]
    t_eigh = time.perf_counter()

    eye = np.eye(d, dtype=dtype)
    step_lr = dtype.type(4.0 * lr)
    records = []
    due = record_steps(steps, every)
    for step in range(steps + 1):
        p = w @ gamma
        c = p @ w.T
        if step in due:
            c64 = 0.5 * (c + c.T).astype(np.float64)
            ev = np.linalg.eigvalsh(c64)[::-1]
            loss = float(((c64 - np.eye(d)) ** 2).sum())
            records.append({"t": lr * step, "step": step, "loss": loss, "eigenvalues": ev.tolist()})
        if step < steps:
            w -= step_lr * ((c - eye) @ p)
    t_gd = time.perf_counter()

    times = np.array([r["t"] for r in records])
    w0_64 = np.asarray(run["data"]["w0"], dtype=np.float64)
    tau, lam, loss = theory(vals, vecs, w0_64, lr, times)
    theory_records = [
        {"t": r["t"], "step": r["step"], "loss": float(l), "eigenvalues": ev.tolist()}
        for r, l, ev in zip(records, loss, lam)
    ]
    t_end = time.perf_counter()

    out = {
        "dtype": args.dtype,
        "numpy": np.__version__,
        "steps": steps,
        "records": records,
        "theory": {"tau": tau, "records": theory_records},
        "timing": {
            "gamma_s": t_gamma - t0,
            "eigh_s": t_eigh - t_gamma,
            "steps_s": t_gd - t_eigh,
            "theory_s": t_end - t_gd,
            "total_s": t_end - t0,
            "per_step_s": (t_gd - t_eigh) / max(steps, 1),
        },
    }
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
