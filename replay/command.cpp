#include <iostream>

#include "replay/command.h"

namespace shmrl::replay {
void add_replay_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("replay", "Run the replay service process (not built yet: issue 4)");
  cmd->allow_extras();
  cmd->callback([] {
    std::cerr << "shmrl replay: not implemented yet (issue 4)\n";
    throw CLI::RuntimeError(2);
  });
}
}  // namespace shmrl::replay
