#pragma once
// Where every transition an actor committed went, read from the run's shared memory once the
// children have stopped (before the launcher removes the segments): the actor rings' committed
// counts against the replay storage's accounting totals (replay/storage.h). The figures that show
// a run lost nothing and stored nothing twice across crashes and restarts. Launcher main thread.
#include <cstdint>
#include <optional>
#include <string>

#include "common/run.h"
#include "common/schema.h"

namespace shmrl::launch {

struct TransitionAccount {
  uint64_t committed = 0;  // records the actors committed to their rings, over the run
  uint64_t stored = 0;     // of those, stored in the replay (checkpoint-restored items excluded)
  uint64_t dropped = 0;    // refused by the replay: failed checksum or non-finite fields
  uint64_t in_rings = 0;   // still in the rings when the run stopped (never consumed)
  int64_t skipped = 0;     // ring positions the replay moved past without reading (replaced rings)
  // consumed - skipped - stored - dropped: > 0 records lost, < 0 records stored twice.
  int64_t lost = 0;
  uint64_t replay_generation = 0;  // 1 + replay restarts that re-attached the storage
  uint64_t corrupt_stored = 0;     // stored records found failing their checksum (never sampled after)
  // "committed by actors 1200 = stored 1100 + dropped 0 + left in rings 100; lost 0".
  std::string describe() const;
};

// Reads seg::actor_ring(i) for i < actors and the replay storage. std::nullopt if the storage does
// not exist (the replay service never got going); a missing ring counts as empty.
std::optional<TransitionAccount> account_transitions(const RunContext& run, const TransitionSchema& schema,
                                                     int actors);

}  // namespace shmrl::launch
