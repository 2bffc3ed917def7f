#include "actors/ring_writer.h"

#include <chrono>
#include <iostream>
#include <string>

#include "common/time.h"

namespace shmrl::actors {

RingWriter::RingWriter(const RunContext& run, int actor_id, uint32_t record_bytes,
                       uint32_t capacity, std::size_t push_batch, const std::atomic<bool>& stop)
    : shared_(shm::open_or_create_ring(run, seg::actor_ring(actor_id), {record_bytes, capacity},
                                          deadline_in(std::chrono::seconds(30)))),
      push_batch_(push_batch),
      stop_(stop) {
  shared_.ring.claim_producer();
}

void RingWriter::reserve_batch() {
  reserved_ = shared_.ring.try_reserve(push_batch_);
  written_ = 0;
  if (reserved_ > 0) return;
  const auto start = Clock::now();
  auto next_warning = start + std::chrono::seconds(30);
  Backoff backoff(std::chrono::microseconds(500));
  // Each poll is bounded; the wait as a whole lasts as long as the consumer applies back-pressure
  // (the replay service's rate limiter may hold it for a while), ending early on stop.
  while ((reserved_ = shared_.ring.try_reserve(push_batch_)) == 0) {
    if (stop_.load(std::memory_order_relaxed)) {
      blocked_ns_ += std::chrono::nanoseconds(Clock::now() - start).count();
      throw StopRequested();
    }
    shared_.ring.heartbeat();
    backoff.pause();
    if (const auto now = Clock::now(); now >= next_warning) {
      std::cerr << "actor: ring " << shared_.seg.name() << " full for "
                << std::chrono::duration_cast<std::chrono::seconds>(now - start).count()
                << " s (consumer " << (shared_.ring.consumer_alive() ? "alive" : "not running")
                << "); waiting\n";
      next_warning = now + std::chrono::seconds(30);
    }
  }
  blocked_ns_ += std::chrono::nanoseconds(Clock::now() - start).count();
}

void RingWriter::commit_written() {
  if (hook_ && written_ > 0) {
    batch_ptrs_.resize(written_);
    for (std::size_t i = 0; i < written_; ++i) batch_ptrs_[i] = shared_.ring.reserved(i);
    hook_->before_commit(batch_ptrs_.data(), written_);
  }
  shared_.ring.commit(written_);  // commit(0) just drops the reservation
}

std::byte* RingWriter::next_record() {
  if (written_ == reserved_) {
    if (written_ > 0) commit_written();
    reserve_batch();
  }
  return shared_.ring.reserved(written_++);
}

void RingWriter::flush() {
  if (reserved_ == 0) return;
  commit_written();
  reserved_ = written_ = 0;
}

}  // namespace shmrl::actors
