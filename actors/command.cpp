#include "actors/command.h"

#include "actors/actor_process.h"

namespace shmrl::actors {
void add_actor_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("actor", "Run one actor process (envs + policy -> its ring)");
  auto args = std::make_shared<ActorProcessArgs>();
  auto seed = std::make_shared<uint64_t>(0);
  cmd->add_option("--run-id", args->run_id, "Run id (omit: standalone, a fresh run owned by itself)");
  cmd->add_option("--owner-pid", args->owner_pid, "Owner of the run's segments (the launcher)");
  cmd->add_option("--run-dir", args->run_dir, "Run directory");
  cmd->add_option("--config", args->config, "Configuration file (TOML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--actor-id", args->actor_id, "This actor's index i (0 <= i < N)")->default_val(0);
  cmd->add_option("--num-actors", args->num_actors, "Number of actors N")->default_val(1);
  auto* seed_opt = cmd->add_option("--seed", *seed, "Seed (overrides [run] seed)");
  cmd->add_option("--max-steps", args->max_steps, "Exit after this many env steps (0 = never)")
      ->default_val(0);
  cmd->callback([args, seed, seed_opt] {
    if (seed_opt->count() > 0) args->seed = *seed;
    if (const int rc = run_actor_process(*args); rc != 0) throw CLI::RuntimeError(rc);
  });
}
}  // namespace shmrl::actors
