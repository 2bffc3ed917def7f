#pragma once
// Where a learner continues from: a resumed run (--resume) from its newest readable checkpoint; a
// restarted learner of a running run (--restart, after a crash or a stall kill) from that checkpoint
// or the run's weight board, whichever is newer. The board carries only the network the actors run
// (learner.policy()) at version = updates, so from it come that network's parameters and the update
// count; everything else (target networks, critics, optimizer state) comes from the checkpoint, or
// stays as constructed when there is none. Training thread, before the training loop.
#include <optional>
#include <string>

#include "common/run.h"
#include "learner/algorithm.h"
#include "learner/checkpoint.h"

namespace shmrl::learner {

// Loads the newest checkpoint of `dir` that opens into `l` (update count included); returns what it
// did for the log, std::nullopt when `dir` holds none. Throws CheckpointError when none opens or
// the one that opens does not fit `meta`.
std::optional<std::string> load_newest_checkpoint(Learner& l, const CheckpointMeta& meta, const std::string& dir);

// A restart: load_newest_checkpoint (none, or none that opens: from scratch), then the weight board
// of `run` when it holds a newer version. Returns one line for the log saying what it continued from.
std::string restore_for_restart(Learner& l, const CheckpointMeta& meta, const std::string& dir, const RunContext& run);

}  // namespace shmrl::learner
