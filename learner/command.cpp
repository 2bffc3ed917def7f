#include "learner/command.h"

#include <memory>

#include "learner/process.h"

namespace shmrl::learner {
void add_learner_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("learner", "Run one learner process (Ape-X DQN on the replay's batches)");
  auto args = std::make_shared<LearnerProcessArgs>();
  cmd->add_option("--run-id", args->run_id, "Run id (the replay service's batches and the weight board)")
      ->required();
  cmd->add_option("--owner-pid", args->owner_pid, "Owner of the run (the launcher); exit when it dies");
  cmd->add_option("--run-dir", args->run_dir, "Run directory (checkpoints/ is written there)");
  cmd->add_option("--config", args->config, "Configuration file (TOML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--rank", args->rank, "This learner's rank r in [0, run.learners); CUDA: uses cuda:r")
      ->default_val(0);
  cmd->add_flag("--resume", args->resume, "Continue from the latest checkpoint in <run-dir>/checkpoints");
  cmd->add_flag("--restart", args->restart,
                "A restart of this run's crashed learner: continue from the newest checkpoint or the weight "
                "board, whichever is newer");
  cmd->add_option("--rendezvous-epoch", args->rendezvous_epoch,
                  "Store prefix number of this learner group (the launcher bumps it per group restart)")
      ->default_val(0);
  cmd->add_option("--max-updates", args->max_updates, "Stop after this many updates (0 = never)")
      ->default_val(0);
  cmd->callback([args] {
    if (const int rc = run_learner_process(*args); rc != 0) throw CLI::RuntimeError(rc);
  });
}
}  // namespace shmrl::learner
