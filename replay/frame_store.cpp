#include "replay/frame_store.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string>

namespace shmrl::replay {
namespace {
constexpr std::size_t align8(std::size_t x) { return (x + 7) / 8 * 8; }
constexpr std::size_t kRefBytes = sizeof(uint32_t);
}  // namespace

bool FrameStore::applies(const Space& obs) {
  return obs.kind == Space::Kind::Box && obs.dtype == DType::U8 && obs.shape.size() == 3 && obs.shape[0] >= 2;
}

uint64_t FrameStore::frame_capacity(uint64_t capacity) { return capacity + capacity / 32 + 64; }

std::size_t FrameStore::item_bytes(const TransitionSchema& schema) {
  const std::size_t k = static_cast<std::size_t>(schema.obs_space().shape[0]);
  return align8(2 * k * kRefBytes + schema.record_bytes() - 2 * schema.obs_space().bytes());
}

std::size_t FrameStore::pool_bytes(uint64_t capacity, const TransitionSchema& schema) {
  const auto& s = schema.obs_space().shape;
  return frame_capacity(capacity) * static_cast<std::size_t>(s[1] * s[2]);
}

FrameStore::FrameStore(const TransitionSchema& schema, std::byte* items, std::byte* pool, uint64_t capacity)
    : k_(static_cast<std::size_t>(schema.obs_space().shape[0])),
      frame_bytes_(schema.obs_space().bytes() / k_),
      item_bytes_(item_bytes(schema)),
      obs_off_(schema.field(TransitionSchema::kObs).offset),
      next_off_(schema.field(TransitionSchema::kNextObs).offset),
      capacity_(capacity),
      frames_(frame_capacity(capacity)),
      items_(items),
      pool_(pool) {
  if (!applies(schema.obs_space()))
    throw std::invalid_argument("frame store: observations " + schema.obs_space().describe() +
                                " are not uint8 frame stacks [k >= 2, H, W]");
  if (frames_ >= UINT32_MAX) throw std::invalid_argument("frame store: capacity " + std::to_string(capacity) + " is too large");
  // The record's bytes outside obs and next_obs, in record order.
  std::vector<std::pair<std::size_t, std::size_t>> obs{{obs_off_, frame_bytes_ * k_}, {next_off_, frame_bytes_ * k_}};
  std::sort(obs.begin(), obs.end());
  std::size_t at = 0;
  for (const auto& [off, bytes] : obs) {
    if (off > at) rest_.emplace_back(at, off - at);
    at = off + bytes;
  }
  if (at < schema.record_bytes()) rest_.emplace_back(at, schema.record_bytes() - at);
}

void FrameStore::rebuild(uint64_t begin, uint64_t end) {
  refs_.assign(frames_, 0);
  for (uint64_t key = begin; key < end; ++key) {
    const auto* r = reinterpret_cast<const uint32_t*>(item(key));
    for (std::size_t i = 0; i < 2 * k_; ++i) ++refs_[r[i]];
  }
  free_.clear();
  for (uint64_t s = frames_; s-- > 0;)
    if (refs_[s] == 0) free_.push_back(static_cast<uint32_t>(s));
  std::size_t index = 1;
  while (index < 2 * frames_) index <<= 1;
  index_.assign(index, 0);
}

uint32_t FrameStore::frame_slot(const std::byte* f, const std::function<std::optional<uint64_t>()>& evict_oldest) {
  const uint64_t h = XXH3_64bits(f, frame_bytes_);
  uint32_t& cached = index_[h & (index_.size() - 1)];
  if (cached != 0) {
    const uint32_t s = cached - 1;
    if (refs_[s] > 0 && std::memcmp(frame(s), f, frame_bytes_) == 0) {
      ++refs_[s];
      return s;
    }
  }
  while (free_.empty()) {
    const auto key = evict_oldest();
    if (!key) throw std::logic_error("frame store: no free frame slot and no item to evict");
    release(*key);
  }
  const uint32_t s = free_.back();
  free_.pop_back();
  std::memcpy(frame(s), f, frame_bytes_);
  refs_[s] = 1;
  cached = s + 1;
  return s;
}

void FrameStore::put(uint64_t key, const std::byte* record,
                     const std::function<std::optional<uint64_t>()>& evict_oldest) {
  uint32_t slots[2 * 16];
  std::vector<uint32_t> many;
  uint32_t* out = slots;
  if (2 * k_ > std::size(slots)) out = (many.resize(2 * k_), many.data());
  for (std::size_t i = 0; i < k_; ++i) {
    out[i] = frame_slot(record + obs_off_ + i * frame_bytes_, evict_oldest);
    out[k_ + i] = frame_slot(record + next_off_ + i * frame_bytes_, evict_oldest);
  }
  // The item is written last: an eviction above may have released the slot's previous item.
  std::byte* it = item(key);
  std::memcpy(it, out, 2 * k_ * kRefBytes);
  std::size_t at = 2 * k_ * kRefBytes;
  for (const auto& [off, bytes] : rest_) {
    std::memcpy(it + at, record + off, bytes);
    at += bytes;
  }
}

void FrameStore::release(uint64_t key) {
  const auto* r = reinterpret_cast<const uint32_t*>(item(key));
  for (std::size_t i = 0; i < 2 * k_; ++i)
    if (--refs_[r[i]] == 0) free_.push_back(r[i]);
}

void FrameStore::read(uint64_t key, std::byte* record) const {
  const std::byte* it = item(key);
  const auto* r = reinterpret_cast<const uint32_t*>(it);
  for (std::size_t i = 0; i < k_; ++i) {
    std::memcpy(record + obs_off_ + i * frame_bytes_, frame(r[i]), frame_bytes_);
    std::memcpy(record + next_off_ + i * frame_bytes_, frame(r[k_ + i]), frame_bytes_);
  }
  std::size_t at = 2 * k_ * kRefBytes;
  for (const auto& [off, bytes] : rest_) {
    std::memcpy(record + off, it + at, bytes);
    at += bytes;
  }
}

}  // namespace shmrl::replay
