#include "replay/rings.h"

#include <atomic>
#include <optional>
#include <stdexcept>

namespace shmrl::replay {
namespace {
// The ring inside an existing segment, or nullopt while its creator has not formatted it yet.
std::optional<SharedRing> try_attach(const RunContext& run, const std::string& name) {
  if (!shm::Segment::exists(run.run_id, name)) return std::nullopt;
  std::optional<shm::Segment> opened;
  try {
    opened.emplace(shm::Segment::open(run.run_id, name));
  } catch (const std::runtime_error&) {
    return std::nullopt;  // its creator has not finished the segment header yet
  }
  auto seg = std::move(*opened);
  auto* hdr = reinterpret_cast<shm::RingHeader*>(seg.data());
  // The creator stores magic last (release): zero means "not formatted yet".
  if (seg.size() < sizeof(shm::RingHeader) ||
      std::atomic_ref<uint64_t>(hdr->magic).load(std::memory_order_acquire) == 0)
    return std::nullopt;
  auto ring = shm::SpscRing::attach(seg.data(), seg.size());
  return SharedRing{std::move(seg), ring};
}
}  // namespace

SharedRing open_or_create_ring(const RunContext& run, const std::string& name,
                               const shm::RingOptions& opts, Deadline deadline) {
  Backoff backoff(std::chrono::milliseconds(2));
  for (;;) {
    if (!shm::Segment::exists(run.run_id, name)) {
      try {
        auto seg = shm::Segment::create(run.run_id, name, shm::SpscRing::bytes_needed(opts), run.owner);
        auto ring = shm::SpscRing::create(seg.data(), seg.size(), opts);
        return SharedRing{std::move(seg), ring};
      } catch (const shm::ShmSpaceError&) {
        throw;
      } catch (const std::runtime_error&) {
        if (!shm::Segment::exists(run.run_id, name)) throw;  // not the create race: a real error
      }
    }
    if (auto r = try_attach(run, name)) {
      if (r->ring.record_bytes() != opts.record_bytes)
        throw std::runtime_error("ring " + r->seg.name() + " carries " +
                                 std::to_string(r->ring.record_bytes()) + "-byte records, expected " +
                                 std::to_string(opts.record_bytes) +
                                 ": every process of a run must use the same [env] id");
      return std::move(*r);
    }
    if (Clock::now() >= deadline)
      throw std::runtime_error("ring " + shm::segment_name(run.run_id, name) +
                               " exists but its creator never formatted it");
    backoff.pause();
  }
}

SharedRing wait_for_ring(const RunContext& run, const std::string& name, const std::string& creator,
                         Deadline deadline) {
  Backoff backoff(std::chrono::milliseconds(5));
  for (;;) {
    if (auto r = try_attach(run, name)) return std::move(*r);
    if (Clock::now() >= deadline)
      throw std::runtime_error("ring " + shm::segment_name(run.run_id, name) + " was not created by " +
                               creator + " before the deadline: is it running for run " + run.run_id +
                               "?");
    backoff.pause();
  }
}

}  // namespace shmrl::replay
