#include "bench/command.h"

#include "bench/benches.h"

namespace shmrl::bench {
void add_bench_command(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Benchmarks (JSON with --json)");
  bench->require_subcommand(1);
  add_queue_bench(*bench);
  add_actor_bench(*bench);
  add_replay_bench(*bench);
  add_learner_bench(*bench);
}
}  // namespace shmrl::bench
