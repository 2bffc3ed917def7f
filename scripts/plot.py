"""Plots of shmrl runs from their metrics.csv, and of sweeps from their sweep.csv (run through
./launch/plot, which provides matplotlib).

For each run directory given: <run>/plots/return_vs_env_steps.png, return_vs_wall_time.png and
throughput.png. Training return is the actors' recent-episode mean; evaluation return is the
launcher's greedy (epsilon 0) evaluation mean; empty cells (no evaluation yet) are skipped.
For a sweep directory (it holds sweep.csv, written by `shmrl sweep`): <sweep>/plots/
throughput_vs_<axis>.png per axis, stages.png (where each group of processes spends its time, per
point) and, when the sweep had a target, time_to_target.png.
"""
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402


def read_metrics(run_dir):
    path = os.path.join(run_dir, "metrics.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"plot: {path} has no rows yet")
    cols = {}
    for name in rows[0]:
        cols[name] = [float(r[name]) if r[name] not in ("", None) else math.nan for r in rows]
    return cols


def title(run_dir):
    name = os.path.basename(os.path.normpath(run_dir))
    summary = os.path.join(run_dir, "summary.json")
    if os.path.exists(summary):
        with open(summary) as f:
            s = json.load(f)
        state = "solved" if s.get("solved") else "not solved"
        return f"{s.get('env', '')} ({name}): {state} in {s.get('wall_seconds', 0):.1f} s"
    return name


def returns_plot(cols, x_name, x_label, path, heading):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for y_name, label, style in (("train_return", "training (recent episodes)", "-"),
                                 ("eval_return", "greedy evaluation", "o-")):
        pts = [(x, y) for x, y in zip(cols[x_name], cols[y_name]) if not math.isnan(y)]
        if y_name == "eval_return":  # the CSV repeats the latest evaluation every row: one point each
            pts = [p for i, p in enumerate(pts) if i == 0 or p[1] != pts[i - 1][1]]
        if pts:
            ax.plot(*zip(*pts), style, label=label, markersize=3)
    ax.set_xlabel(x_label)
    ax.set_ylabel("episode return")
    ax.set_title(heading)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def throughput_plot(cols, path, heading):
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    top.plot(cols["wall_s"], cols["env_steps_per_s"], label="env steps/s")
    top.set_ylabel("env steps / s")
    top.grid(alpha=0.3)
    top.set_title(heading)
    bottom.plot(cols["wall_s"], cols["updates_per_s"], color="tab:orange", label="learner updates/s")
    bottom.set_ylabel("updates / s")
    bottom.set_xlabel("wall time (s)")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


SWEEP_FIGURES = "exit_code"  # the first column after the axes


def read_sweep(sweep_dir):
    with open(os.path.join(sweep_dir, "sweep.csv"), newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        names = reader.fieldnames
    axes = names[names.index("run_id") + 1:names.index(SWEEP_FIGURES)]
    return rows, axes


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def point_label(row, axes):
    return ", ".join(f"{a.split('.')[-1]}={row[a]}" for a in axes)


def sweep_throughput(rows, axes, axis, path):
    """env steps/s and updates/s against one axis, a line per combination of the other axes."""
    others = [a for a in axes if a != axis]
    lines = {}
    for r in rows:
        lines.setdefault(tuple(r[a] for a in others), []).append(r)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    for key, rs in sorted(lines.items()):
        xs = sorted({num(r[axis]) for r in rs})
        label = ", ".join(f"{a.split('.')[-1]}={v}" for a, v in zip(others, key)) or None
        for ax, col in ((top, "env_steps_per_s"), (bottom, "updates_per_s")):
            # mean over repeats
            ys = [sum(num(r[col]) for r in rs if num(r[axis]) == x) / sum(1 for r in rs if num(r[axis]) == x)
                  for x in xs]
            ax.plot(xs, ys, "o-", label=label)
    top.set_ylabel("env steps / s")
    bottom.set_ylabel("updates / s")
    bottom.set_xlabel(axis)
    top.set_title(f"throughput against {axis}")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def sweep_stages(rows, axes, path):
    """Stacked bars: each group's stage fractions over the run, one bar per run."""
    groups = ("actor", "replay_writer", "replay_sampler", "learner")
    fig, subplots = plt.subplots(len(groups), 1, figsize=(8, 2.6 * len(groups)), sharex=True)
    labels = [point_label(r, axes) + (f" #{int(num(r['repeat'])) + 1}" if r["repeat"] != "0" else "") for r in rows]
    for ax, g in zip(subplots, groups):
        cols = [c for c in rows[0] if c.startswith(g + "_") and c != g + "_accounted" and not c.endswith("_private_mb")]
        bottom = [0.0] * len(rows)
        for c in cols:
            vals = [0.0 if math.isnan(num(r[c])) else num(r[c]) for r in rows]
            ax.bar(range(len(rows)), vals, bottom=bottom, label=c[len(g) + 1:])
            bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_ylabel(g)
        ax.set_ylim(0, 1.05)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    subplots[0].set_title("where the time goes (fraction of wall time, per run)")
    subplots[-1].set_xticks(range(len(rows)))
    subplots[-1].set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def sweep_time_to_target(rows, axes, path):
    fig, ax = plt.subplots(figsize=(7, 4))
    vals = [num(r["time_to_target_s"]) for r in rows]
    ax.bar(range(len(rows)), [0 if math.isnan(v) else v for v in vals],
           color=["tab:blue" if not math.isnan(v) else "tab:gray" for v in vals])
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([point_label(r, axes) for r in rows], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("time to target (s); gray: not reached")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_sweep(sweep_dir):
    rows, axes = read_sweep(sweep_dir)
    if not rows:
        raise SystemExit(f"plot: {sweep_dir}/sweep.csv has no rows yet")
    out = os.path.join(sweep_dir, "plots")
    os.makedirs(out, exist_ok=True)
    paths = []
    for axis in axes:
        paths.append(os.path.join(out, f"throughput_vs_{axis.replace('.', '_')}.png"))
        sweep_throughput(rows, axes, axis, paths[-1])
    paths.append(os.path.join(out, "stages.png"))
    sweep_stages(rows, axes, paths[-1])
    if any(not math.isnan(num(r["time_to_target_s"])) for r in rows):
        paths.append(os.path.join(out, "time_to_target.png"))
        sweep_time_to_target(rows, axes, paths[-1])
    for p in paths:
        print(p)


def main(run_dirs):
    for run_dir in run_dirs:
        if os.path.exists(os.path.join(run_dir, "sweep.csv")):
            plot_sweep(run_dir)
            continue
        cols = read_metrics(run_dir)
        out = os.path.join(run_dir, "plots")
        os.makedirs(out, exist_ok=True)
        heading = title(run_dir)
        paths = [os.path.join(out, n) for n in
                 ("return_vs_env_steps.png", "return_vs_wall_time.png", "throughput.png")]
        returns_plot(cols, "env_steps", "env steps", paths[0], heading)
        returns_plot(cols, "wall_s", "wall time (s)", paths[1], heading)
        throughput_plot(cols, paths[2], heading)
        for p in paths:
            print(p)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: plot.py RUN_DIR [RUN_DIR...]")
    main(sys.argv[1:])
