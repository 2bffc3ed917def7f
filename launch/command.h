#pragma once
#include <CLI/CLI.hpp>

namespace shmrl::launch {
// `shmrl train`: the launcher (config, supervision, progress, summary).
void add_train_command(CLI::App& app);
// `shmrl eval --checkpoint PATH --episodes N`: greedy returns of a checkpoint.
void add_eval_command(CLI::App& app);
// `shmrl top runs/<run-id> [--once]`: live per-process view of a running run.
void add_top_command(CLI::App& app);
// `shmrl sweep SPEC.toml [--out DIR]`: every point of a sweep as a real training run; sweep.csv/json.
void add_sweep_command(CLI::App& app);
// `shmrl stress`: launch/stress.h.
void add_stress_command(CLI::App& app);
}  // namespace shmrl::launch
