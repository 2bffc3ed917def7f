#include "common/shm/rings.h"

#include <atomic>
#include <optional>
#include <stdexcept>

namespace shmrl::shm {
namespace {
// The ring inside an existing segment, or nullopt while its creator has not formatted it yet.
std::optional<SharedRing> try_attach(const RunContext& run, const std::string& name) {
  if (!Segment::exists(run.run_id, name)) return std::nullopt;
  std::optional<Segment> opened;
  try {
    opened.emplace(Segment::open(run.run_id, name));
  } catch (const std::runtime_error&) {
    return std::nullopt;  // its creator has not finished the segment header yet
  }
  auto seg = std::move(*opened);
  auto* hdr = reinterpret_cast<RingHeader*>(seg.data());
  // The creator stores magic last (release): zero means "not formatted yet".
  if (seg.size() < sizeof(RingHeader) ||
      std::atomic_ref<uint64_t>(hdr->magic).load(std::memory_order_acquire) == 0)
    return std::nullopt;
  auto ring = SpscRing::attach(seg.data(), seg.size());
  return SharedRing{std::move(seg), ring};
}
}  // namespace

SharedRing open_or_create_ring(const RunContext& run, const std::string& name,
                               const RingOptions& opts, Deadline deadline) {
  Backoff backoff(std::chrono::milliseconds(2));
  for (;;) {
    if (!Segment::exists(run.run_id, name)) {
      try {
        auto seg = Segment::create(run.run_id, name, SpscRing::bytes_needed(opts), run.owner);
        auto ring = SpscRing::create(seg.data(), seg.size(), opts);
        return SharedRing{std::move(seg), ring};
      } catch (const ShmSpaceError&) {
        throw;
      } catch (const std::runtime_error&) {
        if (!Segment::exists(run.run_id, name)) throw;  // not the create race: a real error
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
      throw std::runtime_error("ring " + segment_name(run.run_id, name) +
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
      throw std::runtime_error("ring " + segment_name(run.run_id, name) + " was not created by " +
                               creator + " before the deadline: is it running for run " + run.run_id +
                               "?");
    backoff.pause();
  }
}

}  // namespace shmrl::shm
