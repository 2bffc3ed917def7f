#include "common/shm/weight_board.h"

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace shmrl::shm {

namespace {

constexpr uint64_t kBoardMagic = 0x44524f42'4c524d53ull;  // "SMRLBORD"
constexpr uint32_t kLayoutVersion = 1;
constexpr unsigned kBuffers = 3;
constexpr uint64_t kMaxVersion = (uint64_t{1} << 62) - 1;  // latest packs version << 2

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// Buffer words are accessed atomically (plain moves on x86): writer stores release, so a reader that
// loads (acquire) any word of a new write also sees the odd sequence number stored before it, and
// the reader's final sequence load cannot move above its word loads. No standalone fences, which
// ThreadSanitizer does not model.
uint64_t load_word(uint64_t& w) { return std::atomic_ref<uint64_t>(w).load(std::memory_order_acquire); }
void store_word(uint64_t& w, uint64_t v) {
  std::atomic_ref<uint64_t>(w).store(v, std::memory_order_release);
}

}  // namespace

std::size_t WeightBoard::bytes_needed(std::size_t max_blob_bytes) {
  if (max_blob_bytes == 0 || max_blob_bytes > (std::size_t{1} << 40)) {
    throw std::invalid_argument("weight board max_blob_bytes = " + std::to_string(max_blob_bytes) +
                                ": must be in [1, 2^40]");
  }
  return sizeof(WeightBoardHeader) +
         kBuffers * (sizeof(WeightBufferHeader) + round_up(max_blob_bytes, 64));
}

WeightBoard WeightBoard::create(std::byte* base, std::size_t bytes, std::size_t max_blob_bytes) {
  const std::size_t need = bytes_needed(max_blob_bytes);
  if (reinterpret_cast<uintptr_t>(base) % 64 != 0) {
    throw std::invalid_argument("WeightBoard::create: base must be 64-byte aligned");
  }
  if (bytes < need) {
    throw std::invalid_argument("WeightBoard::create: " + std::to_string(bytes) +
                                " bytes given, the board needs " + std::to_string(need));
  }
  auto* h = new (base) WeightBoardHeader{};
  h->layout_version = kLayoutVersion;
  h->num_buffers = kBuffers;
  h->max_blob_bytes = round_up(max_blob_bytes, 8);
  h->buffer_stride = sizeof(WeightBufferHeader) + round_up(max_blob_bytes, 64);
  for (unsigned i = 0; i < kBuffers; ++i) {
    new (base + sizeof(WeightBoardHeader) + i * h->buffer_stride) WeightBufferHeader{};
  }
  std::atomic_ref<uint64_t>(h->magic).store(kBoardMagic, std::memory_order_release);
  return WeightBoard(h);
}

WeightBoard WeightBoard::attach(std::byte* base, std::size_t bytes) {
  auto* h = reinterpret_cast<WeightBoardHeader*>(base);
  if (bytes < sizeof(WeightBoardHeader) ||
      std::atomic_ref<uint64_t>(h->magic).load(std::memory_order_acquire) != kBoardMagic) {
    throw std::runtime_error("WeightBoard::attach: no weight board at this address (bad magic)");
  }
  if (h->layout_version != kLayoutVersion || h->num_buffers != kBuffers ||
      h->max_blob_bytes == 0 || h->max_blob_bytes % 8 != 0 ||
      h->buffer_stride != sizeof(WeightBufferHeader) + round_up(h->max_blob_bytes, 64) ||
      bytes < bytes_needed(h->max_blob_bytes)) {
    throw std::runtime_error("WeightBoard::attach: header does not match this layout (version " +
                             std::to_string(h->layout_version) + ") or the segment size (" +
                             std::to_string(bytes) + " bytes)");
  }
  return WeightBoard(h);
}

std::size_t WeightBoard::max_blob_bytes() const { return hdr_->max_blob_bytes; }

WeightBufferHeader* WeightBoard::buffer(unsigned i) const {
  return reinterpret_cast<WeightBufferHeader*>(reinterpret_cast<std::byte*>(hdr_) +
                                               sizeof(WeightBoardHeader) + i * hdr_->buffer_stride);
}

void WeightBoard::publish(const void* blob, std::size_t bytes, uint64_t version) {
  if (bytes > hdr_->max_blob_bytes) {
    throw std::invalid_argument("WeightBoard::publish: blob of " + std::to_string(bytes) +
                                " bytes exceeds max_blob_bytes = " +
                                std::to_string(hdr_->max_blob_bytes));
  }
  const uint64_t latest = hdr_->latest.load(std::memory_order_relaxed);
  if (version <= (latest >> 2) || version > kMaxVersion) {
    throw std::invalid_argument("WeightBoard::publish: version " + std::to_string(version) +
                                " must exceed the last published " + std::to_string(latest >> 2) +
                                " and be < 2^62");
  }
  // Rotate through the buffers: the target is the oldest, never the newest or the one before it.
  const unsigned target = static_cast<unsigned>(((latest & 3) + 1) % kBuffers);
  WeightBufferHeader* b = buffer(target);
  // Sequence lock: odd while writing. A writer killed mid-write left it odd; move to a new odd value.
  const uint64_t s = b->seq.load(std::memory_order_relaxed);
  const uint64_t writing = (s % 2 == 0) ? s + 1 : s + 2;
  b->seq.store(writing, std::memory_order_relaxed);
  store_word(b->version, version);
  store_word(b->bytes, bytes);
  // Readers may copy concurrently; they notice by the sequence number and retry.
  auto* dst = reinterpret_cast<uint64_t*>(b + 1);
  const auto* src = static_cast<const std::byte*>(blob);
  const std::size_t words = bytes / 8;
  for (std::size_t i = 0; i < words; ++i) {
    uint64_t w;
    std::memcpy(&w, src + 8 * i, 8);
    store_word(dst[i], w);
  }
  if (const std::size_t rest = bytes % 8; rest != 0) {
    uint64_t w = 0;
    std::memcpy(&w, src + 8 * words, rest);
    store_word(dst[words], w);
  }
  b->seq.store(writing + 1, std::memory_order_release);
  hdr_->latest.store(version << 2 | target, std::memory_order_release);
}

uint64_t WeightBoard::latest_version() const {
  return hdr_->latest.load(std::memory_order_acquire) >> 2;
}

std::optional<uint64_t> WeightBoard::read(std::vector<std::byte>& out, Deadline deadline) const {
  Backoff backoff;
  for (;;) {
    const uint64_t latest = hdr_->latest.load(std::memory_order_acquire);
    if (latest == 0) return std::nullopt;
    const uint64_t version = latest >> 2;
    WeightBufferHeader* b = buffer(static_cast<unsigned>(latest & 3));
    const uint64_t s1 = b->seq.load(std::memory_order_acquire);
    const uint64_t bytes = load_word(b->bytes);
    // The buffer still holds `version` unless the writer has since lapped it (then retry).
    if (s1 % 2 == 0 && load_word(b->version) == version && bytes <= hdr_->max_blob_bytes) {
      out.resize(bytes);
      auto* src = reinterpret_cast<uint64_t*>(b + 1);
      const std::size_t words = bytes / 8;
      for (std::size_t i = 0; i < words; ++i) {
        const uint64_t w = load_word(src[i]);
        std::memcpy(out.data() + 8 * i, &w, 8);
      }
      if (const std::size_t rest = bytes % 8; rest != 0) {
        const uint64_t w = load_word(src[words]);
        std::memcpy(out.data() + 8 * words, &w, rest);
      }
      if (b->seq.load(std::memory_order_relaxed) == s1) return version;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    backoff.pause();
  }
}

}  // namespace shmrl::shm
