#pragma once
// Each benchmark registers itself as `shmrl bench <name>` and prints JSON with --json.
#include <CLI/CLI.hpp>

namespace shmrl::bench {
void add_queue_bench(CLI::App& bench);    // bench/queue.cpp (issue 2)
void add_actor_bench(CLI::App& bench);    // bench/actor.cpp (issue 3)
void add_replay_bench(CLI::App& bench);   // bench/replay.cpp (issue 4)
void add_learner_bench(CLI::App& bench);  // bench/learner.cpp (issue 5)
}  // namespace shmrl::bench
