#include "replay/command.h"

#include <unistd.h>

#include <csignal>
#include <iostream>

#include "actors/envs/registry.h"
#include "common/proc.h"
#include "replay/process.h"

namespace shmrl::replay {
namespace {
struct Args {
  std::string run_id, run_dir, config;
  int owner_pid = 0;
};
}  // namespace

void add_replay_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("replay", "Run the replay service process of a run");
  auto args = std::make_shared<Args>();
  cmd->add_option("--run-id", args->run_id, "run id (names the shared-memory segments)")->required();
  cmd->add_option("--owner-pid", args->owner_pid,
                  "pid of the run's owner (the launcher); the service exits when it dies. "
                  "Default: this process (standalone)");
  cmd->add_option("--run-dir", args->run_dir, "run directory (checkpoints go to <dir>/checkpoints)")
      ->required();
  cmd->add_option("--config", args->config, "resolved TOML config ([replay], [run], [env], ...)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->callback([args] {
    // Launched by the owner: go when it goes (SIGTERM, handled as a clean stop).
    if (args->owner_pid > 0 && args->owner_pid == getppid()) die_with_parent(SIGTERM, args->owner_pid);
    int code = 1;
    try {
      const ReplayOptions opts = load_replay_options(args->config);
      // The transition schema comes from the env's spaces: the same make_env() the actors use.
      const auto env = envs::make_env(opts.env_id, opts.env_kwargs);
      const TransitionSchema schema(env->observation_space(), env->action_space());
      RunContext run{args->run_id,
                     args->owner_pid > 0 ? ProcessId::of(args->owner_pid) : ProcessId::self(),
                     args->run_dir};
      if (run.owner.start_ticks == 0) {
        std::cerr << "replay: --owner-pid " << args->owner_pid << " is not a running process\n";
      } else {
        code = run_replay_process(run, opts, schema);
      }
    } catch (const std::exception& e) {
      std::cerr << "replay: " << e.what() << "\n";
    }
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace shmrl::replay
