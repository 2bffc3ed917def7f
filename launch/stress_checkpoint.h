#pragma once
// `shmrl stress --scenario checkpoint-kill`: SIGKILL the learner inside its checkpoint writes, not at
// blind times. A write starts when its temporary file appears in <run>/checkpoints (learner/atomic_file.h:
// "<ckpt>.tmp.<pid>"; inotify sees it within microseconds); the writer named by that pid is killed at
// once, or after it completed 0 or 1 checkpoints (drawn from the seed), so that the newest complete
// checkpoint is sometimes the restarted learner's own, sometimes one from before. A kill struck the write when that temporary file is still there after the writer died (the
// rename that publishes a checkpoint never happened). At each kill the newest complete checkpoint is
// noted; after the run every restart's log line must say it continued from exactly that one, and every
// checkpoint file left must load. Launcher main thread.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <sys/types.h>
#include <vector>

namespace shmrl::launch {

class CheckpointStriker {
 public:
  // Watches `checkpoint_dir` (created if missing) until `strikes` writes were struck, or 3 x strikes
  // kills were tried. Throws std::runtime_error naming the directory if it cannot be watched.
  CheckpointStriker(std::string checkpoint_dir, int strikes, uint64_t seed);
  ~CheckpointStriker();
  CheckpointStriker(const CheckpointStriker&) = delete;
  CheckpointStriker& operator=(const CheckpointStriker&) = delete;

  // Waits up to `wait_ms` for a checkpoint write to start and kills its writer when it is a live child of
  // `launcher` (a learner). Returns what it did ("" when no write started). Blocks at most wait_ms + 1 s
  // (waits wait_ms once done()).
  std::string poll(pid_t launcher, int wait_ms);
  // Every strike done (or the attempts spent).
  bool done() const;
  int attempted() const { return static_cast<int>(expected_.size()); }
  int struck() const { return struck_; }

  // After the run: each of learner_log's restart lines ("learner 0: restarted: ...", one per kill, in
  // order) against the newest complete checkpoint at its kill, and every checkpoint file left opened
  // (learner::peek_checkpoint). {target, attempted, struck, restarts_logged, newest_loaded,
  // wrong_loads (what was expected, what was said), files_left, files_load, unloadable, temp_files_left,
  // ok}.
  nlohmann::ordered_json verify(const std::string& learner_log) const;

 private:
  std::string dir_;
  int target_;
  int fd_ = -1;
  int struck_ = 0;
  std::mt19937_64 rng_;
  int let_complete_ = 0, writes_seen_ = 0;  // writes to let through before the next kill; seen since the last
  std::vector<std::string> expected_;  // per kill: the newest complete checkpoint's file name ("" = none)
};

}  // namespace shmrl::launch
