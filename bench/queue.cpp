#include <iostream>

#include "bench/benches.h"

namespace shmrl::bench {
void add_queue_bench(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("queue", "queue benchmark (not built yet: issue 2)");
  cmd->allow_extras();
  cmd->callback([] {
    std::cerr << "shmrl bench queue: not implemented yet (issue 2)\n";
    throw CLI::RuntimeError(2);
  });
}
}  // namespace shmrl::bench
