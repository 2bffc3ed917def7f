#pragma once
// Weight board: one writer publishes versioned parameter blobs; any number of readers, in any
// process, copy the newest complete version without locks and never see a mix of two versions.
//
// Three buffers, each guarded by its own sequence lock: the writer always fills a buffer that is
// neither the newest nor the one before it, so a reader copying the newest one is only disturbed if
// the writer publishes twice during its copy; the reader then retries (until its deadline).
// Readers copy with atomic word loads (std::atomic_ref, acquire: plain moves on x86), so the copy
// is race-free in the C++ memory model and ThreadSanitizer-clean.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/time.h"

namespace shmrl::shm {

struct alignas(64) WeightBoardHeader {
  uint64_t magic;
  uint32_t layout_version;
  uint32_t num_buffers;
  uint64_t max_blob_bytes;  // multiple of 8
  uint64_t buffer_stride;
  uint8_t pad0[32];
  // Newest complete version (0 = none yet) and the buffer holding it, packed as (version << 2 | buf)
  // so a reader gets both with one load.
  alignas(64) std::atomic<uint64_t> latest;
};
static_assert(sizeof(WeightBoardHeader) == 128);

struct alignas(64) WeightBufferHeader {
  std::atomic<uint64_t> seq;  // odd while being written
  uint64_t version;
  uint64_t bytes;
  uint8_t pad[40];
};
static_assert(sizeof(WeightBufferHeader) == 64);

class WeightBoard {
 public:
  // Bytes of shared memory for blobs of at most max_blob_bytes. Throws std::invalid_argument if 0.
  static std::size_t bytes_needed(std::size_t max_blob_bytes);
  static WeightBoard create(std::byte* base, std::size_t bytes, std::size_t max_blob_bytes);
  // Validates the header; std::runtime_error if it is not a weight board of this layout.
  static WeightBoard attach(std::byte* base, std::size_t bytes);

  std::size_t max_blob_bytes() const;

  // Writer only (one process). version > every earlier version; bytes <= max_blob_bytes (else
  // std::invalid_argument). O(bytes).
  void publish(const void* blob, std::size_t bytes, uint64_t version);

  // Any reader. Newest complete version, 0 if none. One atomic load.
  uint64_t latest_version() const;
  bool has_newer_than(uint64_t version) const { return latest_version() > version; }
  // Copies the newest complete blob into `out` (resized) and returns its version; std::nullopt if
  // nothing was published or the deadline passed while the writer kept overwriting. O(bytes).
  std::optional<uint64_t> read(std::vector<std::byte>& out, Deadline deadline) const;

 private:
  WeightBoard(WeightBoardHeader* hdr) : hdr_(hdr) {}
  WeightBufferHeader* buffer(unsigned i) const;
  WeightBoardHeader* hdr_ = nullptr;
};

}  // namespace shmrl::shm
