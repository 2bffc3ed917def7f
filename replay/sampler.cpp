// The sampler threads of ReplayService: one per learner rank.
#include <cmath>
#include <cstring>

#include "replay/service.h"

namespace shmrl::replay {
namespace {
constexpr std::size_t kUpdateChunk = 1024;
}  // namespace

bool ReplayService::forward_priority_updates(int rank, moodycamel::ProducerToken& tok) {
  auto& ring = prio_rings_[rank].ring;
  const auto span = ring.peek(kUpdateChunk);
  if (span.size() == 0) {
    if (ring.size() > 0 && ring.skip_corrupt()) c_.prio_rejected.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  PriorityUpdate buf[kUpdateChunk];
  std::size_t n = 0;
  uint64_t rejected = 0, ignored = 0;
  const bool prioritized = opts_.selector == SelectorKind::Prioritized;
  for (std::size_t i = 0; i < span.size(); ++i) {
    PriorityUpdate u;
    std::memcpy(&u, span.record(i), sizeof u);
    if (!(u.priority >= 0) || !std::isfinite(u.priority)) ++rejected;  // NaN, negative, inf
    else if (!prioritized) ++ignored;
    else buf[n++] = u;
  }
  if (n > 0) prio_queue_.enqueue_bulk(tok, buf, n);
  ring.release(span.size());
  c_.prio_received.fetch_add(span.size(), std::memory_order_relaxed);
  c_.prio_rejected.fetch_add(rejected, std::memory_order_relaxed);
  c_.prio_ignored.fetch_add(ignored, std::memory_order_relaxed);
  return true;
}

void ReplayService::sampler_loop(int rank) {
  moodycamel::ProducerToken tok(prio_queue_);
  // Distinct streams per rank and per service generation (a restart does not replay old draws).
  std::seed_seq seq{opts_.seed, static_cast<uint64_t>(rank), storage_.generation()};
  std::mt19937_64 rng(seq);
  auto& out = batches_[rank];
  const std::size_t B = opts_.batch_size;
  const uint64_t generation = storage_.generation();
  std::vector<const std::byte*> records(B);
  std::vector<uint64_t> slots(B);
  std::vector<uint32_t> sums(B);
  // Frame layout: each sampled record is rebuilt here first (whole records are gathered in place).
  std::vector<std::byte> rebuilt(storage_.frames() ? B * schema_.record_bytes() : 0);
  int slot = -1;
  using stages::ReplaySampler;
  StageClock& clock = *sampler_clocks_[rank];
  clock.restart();
  while (!stop_.load(std::memory_order_relaxed)) {
    const bool forwarded = forward_priority_updates(rank, tok);
    clock.lap(ReplaySampler::Priorities);
    // Asleep until the learner frees a slot, in short naps so priority updates keep flowing.
    if (slot < 0) slot = forwarded ? out.try_claim() : out.claim(deadline_in(std::chrono::milliseconds(1)));
    clock.lap(ReplaySampler::WaitSlot);
    if (slot < 0) {  // the learner holds every slot
      out.heartbeat();
      continue;
    }
    // Short waits so priority updates keep flowing while the limiter holds sampling back.
    const bool allowed = limiter_.sample(B, deadline_in(std::chrono::milliseconds(2)));
    clock.lap(ReplaySampler::WaitSample);
    if (!allowed) continue;
    const double beta = beta_now();
    uint64_t* keys = out.keys(slot);
    std::byte* batch = out.batch(slot);
    {
      std::lock_guard lock(mu_);
      selector_->sample(storage_.begin(), storage_.committed(), B, beta, rng, keys, out.weights(slot));
      clock.lap(ReplaySampler::Sample);
      // slot = key % capacity without a division per key: keys lie in [begin, begin + capacity).
      const uint64_t begin = storage_.begin(), begin_slot = begin % opts_.capacity;
      for (std::size_t i = 0; i < B; ++i) {
        uint64_t slot_i = keys[i] - begin + begin_slot;
        slot_i -= slot_i >= opts_.capacity ? opts_.capacity : 0;
        slots[i] = slot_i;
        if (rebuilt.empty()) {
          records[i] = storage_.record_at_slot(slot_i);
          __builtin_prefetch(records[i]);
          __builtin_prefetch(storage_.checksums() + slot_i);
        } else {
          records[i] = rebuilt.data() + i * schema_.record_bytes();
          storage_.read(keys[i], rebuilt.data() + i * schema_.record_bytes());
        }
      }
      gatherer_.gather(batch, records.data(), B);
      // Verified after the gather, which brought the records into cache; rows that fail are
      // replaced and the batch gathered again (no intact row at all: draw again).
      const std::size_t intact = verify_rows(keys, slots.data(), records.data(), out.weights(slot), sums.data(), B);
      if (intact == 0) continue;
      if (intact < B) gatherer_.gather(batch, records.data(), B);
    }
    storage_.header().samples.fetch_add(B, std::memory_order_relaxed);
    out.publish(slot, beta, generation);
    out.heartbeat();
    slot = -1;
    c_.samples.fetch_add(B, std::memory_order_relaxed);
    c_.batches.fetch_add(1, std::memory_order_relaxed);
    clock.lap(ReplaySampler::WriteSlots);
  }
  if (slot >= 0) out.abandon(slot);
}

}  // namespace shmrl::replay
