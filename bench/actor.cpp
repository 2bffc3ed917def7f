#include <iostream>

#include "bench/benches.h"

namespace shmrl::bench {
void add_actor_bench(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("actor", "actor benchmark (not built yet: issue 3)");
  cmd->allow_extras();
  cmd->callback([] {
    std::cerr << "shmrl bench actor: not implemented yet (issue 3)\n";
    throw CLI::RuntimeError(2);
  });
}
}  // namespace shmrl::bench
