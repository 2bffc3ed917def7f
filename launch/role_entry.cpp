#include "launch/role_entry.h"

#include <torch/cuda.h>

#include <CLI/CLI.hpp>

#include "actors/command.h"
#include "actors/evaluator.h"
#include "learner/command.h"
#include "replay/command.h"

namespace shmrl::launch {

int run_role(const std::vector<std::string>& args) {
  CLI::App app{"shmrl process role"};
  app.require_subcommand(1);
  replay::add_replay_command(app);
  actors::add_actor_command(app);
  actors::add_evaluator_command(app);
  learner::add_learner_command(app);
  std::vector<std::string> store = {"shmrl"};
  store.insert(store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : store) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}

bool fork_start_safe() { return !torch::cuda::is_available(); }

}  // namespace shmrl::launch
