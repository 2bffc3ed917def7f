#pragma once
#include <CLI/CLI.hpp>

namespace shmrl::learner {
// Registers `shmrl learner` on the top-level app. Its callback runs the process; a non-zero exit is
// reported by throwing CLI::RuntimeError(code).
void add_learner_command(CLI::App& app);
}  // namespace shmrl::learner
