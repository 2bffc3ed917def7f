#include "replay/priority_updates.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "common/shm/rings.h"

namespace shmrl::replay {

PriorityWriter PriorityWriter::attach(const RunContext& run, int rank, Deadline deadline) {
  auto r = shm::wait_for_ring(run, seg::learner_priorities(rank), "the replay service", deadline);
  if (r.ring.record_bytes() != sizeof(PriorityUpdate))
    throw std::runtime_error("priority ring " + r.seg.name() + " has " +
                             std::to_string(r.ring.record_bytes()) + "-byte records, expected " +
                             std::to_string(sizeof(PriorityUpdate)));
  r.ring.claim_producer();
  return PriorityWriter(std::move(r.seg), r.ring);
}

std::size_t PriorityWriter::push(std::span<const uint64_t> keys, std::span<const float> priorities,
                                 Deadline deadline) {
  if (keys.size() != priorities.size())
    throw std::invalid_argument("PriorityWriter::push: " + std::to_string(keys.size()) + " keys but " +
                                std::to_string(priorities.size()) + " priorities");
  std::size_t done = 0;
  Backoff backoff;
  while (done < keys.size()) {
    const std::size_t n = ring_.try_reserve(keys.size() - done);
    if (n == 0) {
      if (Clock::now() >= deadline) break;
      backoff.pause();
      continue;
    }
    backoff.reset();
    for (std::size_t i = 0; i < n; ++i) {
      const PriorityUpdate u{keys[done + i], priorities[done + i], 0};
      std::memcpy(ring_.reserved(i), &u, sizeof(u));
    }
    ring_.commit(n);
    done += n;
  }
  return done;
}

}  // namespace shmrl::replay
