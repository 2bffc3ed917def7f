// The `shmrl` executable: every product process and tool is a subcommand.
#include <CLI/CLI.hpp>

#include "actors/command.h"
#include "actors/evaluator.h"
#include "bench/command.h"
#include "launch/command.h"
#include "learner/command.h"
#include "learner/cuda_loader.h"
#include "replay/command.h"

int main(int argc, char** argv) {
  // Before any LibTorch call (it caches whether CUDA exists): where a GPU is present, load LibTorch's
  // CUDA half; elsewhere nothing loads it.
  shmrl::learner::load_cuda_if_gpu();
  CLI::App app{"shmrl: shared-memory actor-learner deep RL"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every subcommand");
  shmrl::launch::add_train_command(app);
  shmrl::launch::add_eval_command(app);
  shmrl::launch::add_top_command(app);
  shmrl::launch::add_sweep_command(app);
  shmrl::launch::add_stress_command(app);
  shmrl::replay::add_replay_command(app);
  shmrl::actors::add_actor_command(app);
  shmrl::actors::add_evaluator_command(app);
  shmrl::learner::add_learner_command(app);
  shmrl::bench::add_bench_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
