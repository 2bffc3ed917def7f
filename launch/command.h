#pragma once
#include <CLI/CLI.hpp>

namespace shmrl::launch {
// `shmrl train`: the launcher (config, supervision, progress, summary).
void add_train_command(CLI::App& app);
// `shmrl eval --checkpoint PATH --episodes N`: greedy returns of a checkpoint.
void add_eval_command(CLI::App& app);
}  // namespace shmrl::launch
