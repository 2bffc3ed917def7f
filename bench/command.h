#pragma once
#include <CLI/CLI.hpp>

namespace shmrl::bench {
// Registers `shmrl bench` on the top-level app. Its callback runs the process; a non-zero exit is
// reported by throwing CLI::RuntimeError(code).
void add_bench_command(CLI::App& app);
}  // namespace shmrl::bench
