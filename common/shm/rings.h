#pragma once
// Create-or-attach for the rings the replay service shares with other processes: the actor rings
// (seg::actor_ring(i); the service creates each one that is missing, and an actor that starts
// first may create it too) and the learner priority rings (seg::learner_priorities(rank)). Whoever
// creates a ring uses the run's owner as the segment owner, so the launcher cleans it up.
#include <string>

#include "common/run.h"
#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "common/time.h"

namespace shmrl::shm {

struct SharedRing {
  Segment seg;
  SpscRing ring;
};

// Attaches to segment `name` of the run if it exists (waiting, until the deadline, for its creator
// to format it), else creates and formats it with `opts`. An existing ring must have
// opts.record_bytes (std::runtime_error naming both sizes otherwise). std::runtime_error on timeout.
SharedRing open_or_create_ring(const RunContext& run, const std::string& name,
                               const RingOptions& opts, Deadline deadline);

// Attaches to an existing ring, waiting until it exists and is formatted. std::runtime_error on
// timeout naming the segment and `creator` (who should have created it).
SharedRing wait_for_ring(const RunContext& run, const std::string& name, const std::string& creator,
                         Deadline deadline);

}  // namespace shmrl::shm
