#pragma once
// `shmrl learner` as a function (the CLI parses into LearnerProcessArgs; tests fork and call it):
// signal and parent-death handling, the run context, set-up, the training loop, the final
// checkpoint, errors to stderr.
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace shmrl::learner {

struct LearnerProcessArgs {
  std::string run_id;   // the run (segments); required
  pid_t owner_pid = 0;  // the run's owner (the launcher); the learner exits when it dies
  std::string run_dir;  // runs/<run-id>/: checkpoints/ lives here
  std::string config;   // TOML file (configs/cartpole.toml format)
  int rank = 0;
  bool resume = false;       // load the latest checkpoint of run_dir/checkpoints first
  // A crashed learner of this run restarted: continue from the newest checkpoint or the weight
  // board, whichever is newer (neither: from scratch).
  bool restart = false;
  int rendezvous_epoch = 0;  // DistOptions::epoch
  uint64_t max_updates = 0;  // stop after this many updates (0 = until SIGTERM / SIGINT / parent death)
};

// Runs one learner until stopped. Returns the exit status: 0 after a clean stop (final checkpoint
// written by rank 0), 1 on any error (bad config, checkpoint refused, shm or rendezvous failure) with
// one "shmrl learner: error: ..." line on stderr.
int run_learner_process(const LearnerProcessArgs& args);

}  // namespace shmrl::learner
