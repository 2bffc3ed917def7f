#pragma once
#include <CLI/CLI.hpp>

namespace shmrl::actors {
// Registers `shmrl actor` on the top-level app. Its callback runs the process; a non-zero exit is
// reported by throwing CLI::RuntimeError(code).
void add_actor_command(CLI::App& app);
}  // namespace shmrl::actors
