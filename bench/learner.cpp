#include <iostream>

#include "bench/benches.h"

namespace shmrl::bench {
void add_learner_bench(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("learner", "learner benchmark (not built yet: issue 5)");
  cmd->allow_extras();
  cmd->callback([] {
    std::cerr << "shmrl bench learner: not implemented yet (issue 5)\n";
    throw CLI::RuntimeError(2);
  });
}
}  // namespace shmrl::bench
