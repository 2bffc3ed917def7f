#include "actors/ring_writer.h"

#include <chrono>
#include <iostream>
#include <string>

#include "common/time.h"

namespace shmrl::actors {
namespace {

shm::Segment open_or_create(const RunContext& run, const std::string& name, std::size_t bytes,
                            bool& created) {
  created = false;
  if (!shm::Segment::exists(run.run_id, name)) {
    try {
      auto seg = shm::Segment::create(run.run_id, name, bytes, run.owner);
      created = true;
      return seg;
    } catch (const shm::ShmSpaceError&) {
      throw;
    } catch (const std::runtime_error&) {
      // Lost a creation race: fall through and attach.
    }
  }
  return shm::Segment::open(run.run_id, name);
}

}  // namespace

RingWriter::RingWriter(const RunContext& run, int actor_id, uint32_t record_bytes,
                       uint32_t capacity, std::size_t push_batch, const std::atomic<bool>& stop)
    : seg_([&] {
        bool created = false;
        auto s = open_or_create(run, seg::actor_ring(actor_id),
                                shm::SpscRing::bytes_needed({record_bytes, capacity}), created);
        if (created) shm::SpscRing::create(s.data(), s.size(), {record_bytes, capacity});
        return s;
      }()),
      ring_(shm::SpscRing::attach(seg_.data(), seg_.size())),
      push_batch_(push_batch),
      stop_(stop) {
  if (ring_.record_bytes() != record_bytes)
    throw std::runtime_error("ring " + seg_.name() + " holds " +
                             std::to_string(ring_.record_bytes()) + "-byte records, this actor's " +
                             "schema needs " + std::to_string(record_bytes) +
                             " (a different env or config wrote it)");
  ring_.claim_producer();
}

void RingWriter::reserve_batch() {
  reserved_ = ring_.try_reserve(push_batch_);
  written_ = 0;
  if (reserved_ > 0) return;
  const auto start = Clock::now();
  auto next_warning = start + std::chrono::seconds(30);
  Backoff backoff(std::chrono::microseconds(500));
  // Each poll is bounded; the wait as a whole lasts as long as the consumer applies back-pressure
  // (the replay service's rate limiter may hold it for a while), ending early on stop.
  while ((reserved_ = ring_.try_reserve(push_batch_)) == 0) {
    if (stop_.load(std::memory_order_relaxed)) {
      blocked_ns_ += std::chrono::nanoseconds(Clock::now() - start).count();
      throw StopRequested();
    }
    ring_.heartbeat();
    backoff.pause();
    if (const auto now = Clock::now(); now >= next_warning) {
      std::cerr << "actor: ring " << seg_.name() << " full for "
                << std::chrono::duration_cast<std::chrono::seconds>(now - start).count()
                << " s (consumer " << (ring_.consumer_alive() ? "alive" : "not running")
                << "); waiting\n";
      next_warning = now + std::chrono::seconds(30);
    }
  }
  blocked_ns_ += std::chrono::nanoseconds(Clock::now() - start).count();
}

std::byte* RingWriter::next_record() {
  if (written_ == reserved_) {
    if (written_ > 0) ring_.commit(written_);
    reserve_batch();
  }
  return ring_.reserved(written_++);
}

void RingWriter::flush() {
  if (reserved_ == 0) return;
  ring_.commit(written_);  // commit(0) just drops the reservation
  reserved_ = written_ = 0;
}

}  // namespace shmrl::actors
