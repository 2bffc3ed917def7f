// `shmrl-actor actor ...` and `shmrl-actor evaluator ...`: the same commands as `shmrl actor` and
// `shmrl evaluator`, in an executable that links only what these processes need (see CMakeLists.txt),
// so `shmrl train` starts them faster.
#include <CLI/CLI.hpp>

#include "actors/command.h"
#include "actors/evaluator.h"

int main(int argc, char** argv) {
  CLI::App app{"shmrl actor and evaluator processes (started by shmrl train)"};
  app.require_subcommand(1);
  shmrl::actors::add_actor_command(app);
  shmrl::actors::add_evaluator_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
