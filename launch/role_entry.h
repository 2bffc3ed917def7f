#pragma once
// The product's process roles (replay, actor, learner, evaluator) run inside a fork of the launcher, so the
// launcher's initial start does not pay each child's exec and LibTorch start-up again (see
// Supervisor::set_fork_entry). Launcher main thread.
#include <string>
#include <vector>

namespace shmrl::launch {

// Runs one role as its executable would: args = {"actor", "--run-id", ...} (the subcommand and its
// options). Returns the process's exit status (CLI errors included). In a forked child only.
int run_role(const std::vector<std::string>& args);

// Whether children may start as forks of this process: only where no CUDA device is present (a
// process that has initialised CUDA cannot hand it to a fork, and the launcher checks the GPUs
// before starting anything), so on a GPU server every child execs its role executable.
bool fork_start_safe();

}  // namespace shmrl::launch
