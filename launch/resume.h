#pragma once
// What `--resume runs/<id>` checks and sets up before any process starts: the learner checkpoint
// it continues from (the newest that opens; a corrupt newer one is skipped, and said so) must hold
// the network the configuration builds, else the run is refused naming the keys and both shapes;
// and the replay buffer the run saved at exit (checkpoints/replay.ckpt) is restored with it.
// Launcher main thread.
#include <string>
#include <vector>

#include "launch/config.h"

namespace shmrl::launch {

// Checks `config` against the run in resume_dir and sets replay.restore_from to its replay
// checkpoint when there is one and the key is "". Returns messages for the console (skipped
// checkpoints, what is restored). Throws ConfigError (shape or env mismatch, no checkpoint that
// opens).
std::vector<std::string> prepare_resume(Config& config, const std::string& resume_dir);

}  // namespace shmrl::launch
