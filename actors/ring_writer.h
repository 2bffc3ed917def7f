#pragma once
// The actor's end of its shared-memory ring: hands out reserved ring slots to the n-step builder
// (records are packed straight into them) and commits them push_batch at a time. When the ring is
// full it waits (heartbeating, re-checking `stop` every few milliseconds, counting the time as
// blocked) and never drops a record. Plain C++.
//
// Threading: one thread (the actor's loop).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "actors/nstep.h"
#include "common/run.h"
#include "common/shm/rings.h"
#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"

namespace shmrl::actors {

// Thrown out of next_record() when `stop` is set while the ring is full: the caller unwinds and
// exits; records written but not committed are discarded (they were never visible).
struct StopRequested : std::runtime_error {
  StopRequested() : std::runtime_error("stop requested") {}
};

// Sees each batch of records just before it is committed (made visible to the replay service): the
// last chance to edit them in place, e.g. to set their initial priorities. Called on the actor's
// thread, with the batch's records in order.
class CommitHook {
 public:
  virtual ~CommitHook() = default;
  virtual void before_commit(std::byte* const* records, std::size_t n) = 0;
};

class RingWriter final : public RecordSink {
 public:
  // Creates segment seg::actor_ring(actor_id) of `run` (owned by run.owner) if it does not exist,
  // else attaches (the replay service may have created it; a restarted actor continues after the
  // last committed record), waiting up to 30 s for its creator to format it; then claims the
  // producer side. Throws std::runtime_error if an existing ring's record size differs.
  RingWriter(const RunContext& run, int actor_id, uint32_t record_bytes, uint32_t capacity,
             std::size_t push_batch, const std::atomic<bool>& stop);

  // A reserved slot for the next record; commits the previous batch first when it is full.
  // Blocks while the ring is full; throws StopRequested if stop is set meanwhile.
  std::byte* next_record() override;
  // Commits every record handed out so far. Cheap when there is none.
  void flush();
  // hook (null = none) must outlive the writer's use of it.
  void set_commit_hook(CommitHook* hook) { hook_ = hook; }
  // Stamps the producer heartbeat (once per vector step).
  void heartbeat() { shared_.ring.heartbeat(); }

  uint64_t committed() const { return shared_.ring.pushed(); }
  double blocked_seconds() const { return blocked_ns_ * 1e-9; }
  uint64_t blocked_ns() const { return blocked_ns_; }

 private:
  void reserve_batch();  // reserves up to push_batch slots, waiting while there is no room
  void commit_written();  // the hook, then commit of the written records

  shm::SharedRing shared_;
  std::size_t push_batch_;
  const std::atomic<bool>& stop_;
  std::size_t reserved_ = 0, written_ = 0;
  uint64_t blocked_ns_ = 0;
  CommitHook* hook_ = nullptr;
  std::vector<std::byte*> batch_ptrs_;  // the hook's argument, reused
};

}  // namespace shmrl::actors
