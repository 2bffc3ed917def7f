// `shmrl-replay replay ...`: the same command as `shmrl replay`, in an executable that links only what the
// replay process needs (see CMakeLists.txt), so `shmrl train` starts it faster.
#include <CLI/CLI.hpp>

#include "replay/command.h"

int main(int argc, char** argv) {
  CLI::App app{"shmrl replay process (started by shmrl train)"};
  app.require_subcommand(1);
  shmrl::replay::add_replay_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
