#pragma once
#include <CLI/CLI.hpp>

namespace shmrl::replay {
// Registers `shmrl replay` on the top-level app. Its callback runs the process; a non-zero exit is
// reported by throwing CLI::RuntimeError(code).
void add_replay_command(CLI::App& app);
}  // namespace shmrl::replay
