#include "launch/accounting.h"

#include <stdexcept>

#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "replay/storage.h"

namespace shmrl::launch {

std::string TransitionAccount::describe() const {
  std::string s = "committed by actors " + std::to_string(committed) + " = stored " + std::to_string(stored) +
                  " + dropped " + std::to_string(dropped) + " + left in rings " + std::to_string(in_rings);
  if (skipped != 0) s += " + skipped (replaced rings) " + std::to_string(skipped);
  if (corrupt_stored != 0) s += "; stored records found corrupt (never trained on) " + std::to_string(corrupt_stored);
  s += "; " + (lost >= 0 ? "lost " + std::to_string(lost) : "stored twice " + std::to_string(-lost));
  return s;
}

std::optional<TransitionAccount> account_transitions(const RunContext& run, const TransitionSchema& schema,
                                                     int actors) {
  if (!replay::Storage::found(run)) return std::nullopt;
  const auto storage = replay::Storage::inspect(run, schema);
  const auto& h = storage.header();
  TransitionAccount t;
  uint64_t consumed = 0;
  for (int a = 0; a < actors; ++a) {
    const uint64_t pos = storage.ring_pos(static_cast<uint32_t>(a)).load();
    consumed += pos;
    if (!shm::Segment::exists(run.run_id, seg::actor_ring(a))) continue;
    auto seg = shm::Segment::open(run.run_id, seg::actor_ring(a));
    const auto ring = shm::SpscRing::attach(seg.data(), seg.size());
    t.committed += ring.pushed();
    t.in_rings += ring.pushed() > pos ? ring.pushed() - pos : 0;
  }
  t.stored = storage.committed() - h.restored.load();
  t.dropped = h.dropped.load();
  t.skipped = h.ring_pos_adjust.load();
  t.lost = static_cast<int64_t>(consumed) - t.skipped - static_cast<int64_t>(t.stored) -
           static_cast<int64_t>(t.dropped);
  t.replay_generation = storage.generation();
  t.corrupt_stored = h.corrupt_stored.load();
  return t;
}

}  // namespace shmrl::launch
