// Stored-record checksums in the replay service: rows verified before a batch takes them, and the
// writer's background scrub (replay/storage.h says what is checked).
#include <algorithm>

#include "common/shm/checksum.h"

#include "replay/service.h"

namespace shmrl::replay {
namespace {
// Record bytes the scrub verifies per visit (every millisecond at most): a full pass over a
// million CartPole records takes about a second, and a visit holds the storage lock ~10 us.
constexpr std::size_t kScrubBytes = 64 << 10;
constexpr auto kScrubPeriod = std::chrono::milliseconds(1);
constexpr uint64_t kDropped = ~uint64_t{0};  // a batch row's key while it waits for its replacement
}  // namespace

bool ReplayService::drop_corrupt(uint64_t key) {
  const bool first = storage_.mark_corrupt(key);
  // Also when marked before: a priority update for it sent before the mark may have raised it.
  const float zero = 0;
  storage_.priority(key) = zero;
  selector_->update(&key, &zero, 1);
  return first;
}

std::size_t ReplayService::verify_rows(uint64_t* keys, const uint64_t* slots, const std::byte** records,
                                       float* weights, uint32_t* sums, std::size_t n) {
  // Four rows' checksums at a time (interleaved CRC chains), then compared.
  shm::detail::checksums(records, keys, n, storage_.record_bytes(), sums);
  std::size_t bad = 0, good_row = n;
  for (std::size_t i = 0; i < n; ++i) {
    if (sums[i] == storage_.checksums()[slots[i]]) {
      good_row = i;
      continue;
    }
    drop_corrupt(keys[i]);
    keys[i] = kDropped;
    ++bad;
  }
  if (bad == 0) return n;
  c_.corrupt_stored_sampled.fetch_add(bad, std::memory_order_relaxed);
  if (good_row == n) return 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (keys[i] != kDropped) continue;
    keys[i] = keys[good_row];
    weights[i] = weights[good_row];
    records[i] = records[good_row];
  }
  return n - bad;
}

void ReplayService::scrub() {
  const auto now = Clock::now();
  if (now < next_scrub_) return;
  next_scrub_ = now + kScrubPeriod;
  std::lock_guard lock(mu_);
  const uint64_t begin = storage_.begin(), end = storage_.committed();
  if (end == begin) return;
  if (scrub_key_ < begin || scrub_key_ >= end) scrub_key_ = begin;
  const uint64_t visit = std::max<uint64_t>(1, kScrubBytes / storage_.record_bytes());
  for (uint64_t n = 0; n < visit && scrub_key_ < end; ++n, ++scrub_key_) {
    if (!storage_.intact(scrub_key_, scrub_key_ % opts_.capacity) && drop_corrupt(scrub_key_))
      c_.corrupt_stored_scrubbed.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace shmrl::replay
