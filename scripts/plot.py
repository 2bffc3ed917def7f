"""Plots of shmrl runs from their metrics.csv (run through ./launch/plot, which provides matplotlib).

For each run directory given: <run>/plots/return_vs_env_steps.png, return_vs_wall_time.png and
throughput.png. Training return is the actors' recent-episode mean; evaluation return is the
launcher's greedy (epsilon 0) evaluation mean; empty cells (no evaluation yet) are skipped.
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


def main(run_dirs):
    for run_dir in run_dirs:
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
