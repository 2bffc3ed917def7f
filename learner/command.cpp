#include <iostream>

#include "learner/command.h"

namespace shmrl::learner {
void add_learner_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("learner", "Run one learner process (not built yet: issue 5)");
  cmd->allow_extras();
  cmd->callback([] {
    std::cerr << "shmrl learner: not implemented yet (issue 5)\n";
    throw CLI::RuntimeError(2);
  });
}
}  // namespace shmrl::learner
