// The writer thread of ReplayService: drains actor rings into storage, applies priority updates.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "replay/service.h"

namespace shmrl::replay {
namespace {
constexpr std::size_t kDrainChunk = 512;     // records per ring visit
constexpr std::size_t kUpdateChunk = 4096;   // priority updates per lock
}  // namespace

void ReplayService::writer_loop() {
  prio_scratch_.reserve(kDrainChunk);
  rec_scratch_.reserve(kDrainChunk);
  upd_scratch_.resize(kUpdateChunk);
  upd_keys_.resize(kUpdateChunk);
  upd_prios_.resize(kUpdateChunk);
  Backoff idle(std::chrono::microseconds(200));
  using stages::ReplayWriter;
  StageClock& clock = *writer_clock_;
  clock.restart();
  while (!stop_.load(std::memory_order_relaxed)) {
    bool worked = apply_priority_updates();
    clock.lap(worked ? ReplayWriter::Priorities : ReplayWriter::Idle);
    scrub();
    clock.lap(ReplayWriter::Insert);  // storage upkeep counts as insert time
    bool any_blocked = false;
    // Under the rate limiter the allowance is shared: each ring may take its part of it per round,
    // and the ring served first rotates, so no actor starves while another keeps its ring full.
    const uint64_t share = std::max<uint64_t>(1, limiter_.insert_allowance() / static_cast<uint64_t>(opts_.actors));
    for (int k = 0; k < opts_.actors; ++k) {
      bool blocked = false;
      worked = drain_ring((first_ring_ + k) % opts_.actors, share, blocked) > 0 || worked;
      any_blocked = any_blocked || blocked;
    }
    first_ring_ = (first_ring_ + 1) % opts_.actors;
    if (worked) {
      idle.reset();
    } else if (any_blocked) {
      limiter_.wait_insert(deadline_in(std::chrono::milliseconds(1)));  // counted as blocked time
      clock.lap(ReplayWriter::WaitInsert);
    } else {
      idle.pause();
      clock.lap(ReplayWriter::Idle);
    }
  }
}

bool ReplayService::apply_priority_updates() {
  const std::size_t n = prio_queue_.try_dequeue_bulk(upd_scratch_.begin(), upd_scratch_.size());
  if (n == 0) return false;
  std::size_t fresh = 0;
  {
    std::lock_guard lock(mu_);
    auto& maxp = storage_.header().max_priority;
    double m = maxp.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& u = upd_scratch_[i];
      if (!storage_.contains(u.key)) continue;  // evicted (or overwritten) since it was sampled
      storage_.priority(u.key) = u.priority;
      upd_keys_[fresh] = u.key;
      upd_prios_[fresh++] = u.priority;
      m = std::max(m, static_cast<double>(u.priority));
    }
    selector_->update(upd_keys_.data(), upd_prios_.data(), fresh);
    maxp.store(m, std::memory_order_relaxed);
  }
  c_.prio_stale.fetch_add(n - fresh, std::memory_order_relaxed);
  c_.prio_applied.fetch_add(fresh, std::memory_order_relaxed);
  return true;
}

std::size_t ReplayService::drain_ring(int a, uint64_t max_take, bool& blocked) {
  auto& ring = actor_rings_[a].ring;
  const auto span = ring.peek(kDrainChunk);
  if (span.size() == 0) {
    // Committed records the ring refuses to hand out failed verification: step over one, journaled
    // first (a restart after the commit skips it, as the ring position says).
    if (ring.size() > 0 && ring.tail_corrupt()) {
      {
        std::lock_guard lock(mu_);
        storage_.commit(0, static_cast<uint32_t>(a), ring.popped() + 1, /*dropped=*/1);
      }
      ring.skip_corrupt();
      c_.corrupt_records.fetch_add(1, std::memory_order_relaxed);
      return 1;
    }
    return 0;
  }
  const uint64_t allowance = std::min({limiter_.insert_allowance(), max_take, storage_.max_insert()});
  if (allowance == 0) {
    blocked = true;
    return 0;
  }
  const Field& prio_f = schema_.field(TransitionSchema::kInitialPriority);
  const Field& reward_f = schema_.field(TransitionSchema::kReward);
  const Field& disc_f = schema_.field(TransitionSchema::kDiscount);
  // Pass 1: which records are storable (a non-finite reward, discount or priority is refused).
  rec_scratch_.clear();
  prio_scratch_.clear();
  std::size_t take = 0;
  for (; take < span.size() && rec_scratch_.size() < allowance; ++take) {
    const std::byte* rec = span.record(take);
    float p, r, d;
    std::memcpy(&p, rec + prio_f.offset, 4);
    std::memcpy(&r, rec + reward_f.offset, 4);
    std::memcpy(&d, rec + disc_f.offset, 4);
    if (!std::isfinite(p) || !std::isfinite(r) || !std::isfinite(d)) {
      c_.rejected_items.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    rec_scratch_.push_back(rec);
    prio_scratch_.push_back(p);
  }
  writer_clock_->lap(stages::ReplayWriter::Drain);
  // Pass 2: store them and commit, together with how far this ring has been consumed.
  const std::size_t n = rec_scratch_.size();
  uint64_t size;
  {
    std::lock_guard lock(mu_);
    if (n > 0) {
      storage_.begin_insert(n);
      const uint64_t key = storage_.committed(), fifo_begin = storage_.begin();
      auto& maxp = storage_.header().max_priority;
      double m = maxp.load(std::memory_order_relaxed);
      for (std::size_t i = 0; i < n; ++i) {
        storage_.write(key + i, rec_scratch_[i]);
        float p = prio_scratch_[i];
        if (p > 0) m = std::max(m, static_cast<double>(p));
        else p = static_cast<float>(m);  // <= 0: "use the running max"
        prio_scratch_[i] = p;
        storage_.priority(key + i) = p;
      }
      maxp.store(m, std::memory_order_relaxed);
      storage_.seal(key, n);
      selector_->insert(key, prio_scratch_.data(), n);
      // Frame layout: items evicted early (their frames were needed) are never sampled again.
      if (storage_.begin() > fifo_begin) {
        early_keys_.clear();
        for (uint64_t k = fifo_begin; k < storage_.begin(); ++k) early_keys_.push_back(k);
        early_zeros_.assign(early_keys_.size(), 0.0f);
        selector_->update(early_keys_.data(), early_zeros_.data(), early_keys_.size());
      }
    }
    storage_.commit(n, static_cast<uint32_t>(a), ring.popped() + take, take - n);
    size = storage_.size();
  }
  limiter_.inserted(n, size);
  ring.release(take);
  c_.inserts.fetch_add(n, std::memory_order_relaxed);
  actor_inserts_[a].fetch_add(n, std::memory_order_relaxed);
  writer_clock_->lap(stages::ReplayWriter::Insert);
  return take;
}

}  // namespace shmrl::replay
