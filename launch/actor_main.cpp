// `shmrl-actor actor ...`: the same command as `shmrl actor`, in an executable that links only what the
// actor process needs (see CMakeLists.txt), so `shmrl train` starts it faster.
#include <CLI/CLI.hpp>

#include "actors/command.h"

int main(int argc, char** argv) {
  CLI::App app{"shmrl actor process (started by shmrl train)"};
  app.require_subcommand(1);
  shmrl::actors::add_actor_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
