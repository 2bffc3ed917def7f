#include <iostream>

#include "launch/command.h"

namespace shmrl::launch {
namespace {
void add_stub(CLI::App& app, const char* name, const char* what) {
  auto* cmd = app.add_subcommand(name, std::string(what) + " (not built yet: issue 5)");
  cmd->allow_extras();
  cmd->callback([name] {
    std::cerr << "shmrl " << name << ": not implemented yet (issue 5)\n";
    throw CLI::RuntimeError(2);
  });
}
}  // namespace
void add_train_command(CLI::App& app) { add_stub(app, "train", "Train: start and supervise all processes"); }
void add_eval_command(CLI::App& app) { add_stub(app, "eval", "Greedy evaluation of a checkpoint"); }
}  // namespace shmrl::launch
