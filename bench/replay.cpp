#include <iostream>

#include "bench/benches.h"

namespace shmrl::bench {
void add_replay_bench(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("replay", "replay benchmark (not built yet: issue 4)");
  cmd->allow_extras();
  cmd->callback([] {
    std::cerr << "shmrl bench replay: not implemented yet (issue 4)\n";
    throw CLI::RuntimeError(2);
  });
}
}  // namespace shmrl::bench
