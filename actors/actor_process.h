#pragma once
// `shmrl actor` as a function (the CLI parses into ActorProcessArgs; tests fork and call it):
// signal handling, parent-death handling, run context, the actor loop, errors to stderr.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace shmrl::actors {

struct ActorProcessArgs {
  std::string run_id;    // "" = standalone: a fresh run id, this process owns (and removes) it
  pid_t owner_pid = 0;   // the run's owner (the launcher); required with run_id
  std::string run_dir;   // runs/<run-id>/ (informational for the actor)
  std::string config;    // TOML file (configs/cartpole.toml format)
  int actor_id = 0;
  int num_actors = 1;
  std::optional<uint64_t> seed;  // overrides [run] seed
  uint64_t max_steps = 0;        // env steps, 0 = until SIGTERM / SIGINT / parent death
};

// Runs one actor process until done. Returns the exit status: 0 after a clean stop (SIGTERM,
// SIGINT, max_steps), 1 on any error (bad config, unknown env, bad env output, shm failure), with
// one "shmrl actor: error: ..." line on stderr. Installs SIGTERM/SIGINT handlers; with an owner
// it also asks for SIGTERM when its parent dies.
int run_actor_process(const ActorProcessArgs& args);

}  // namespace shmrl::actors
