#include <iostream>

#include "actors/command.h"

namespace shmrl::actors {
void add_actor_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("actor", "Run one actor process (not built yet: issue 3)");
  cmd->allow_extras();
  cmd->callback([] {
    std::cerr << "shmrl actor: not implemented yet (issue 3)\n";
    throw CLI::RuntimeError(2);
  });
}
}  // namespace shmrl::actors
