#pragma once
// Replay checkpoints: the stored items (records and raw priorities, in key order), the selector's
// state (its raw priorities plus the running max; trees are rebuilt on load) and the rate limiter's
// counters, in one file.
//
// Format (little-endian, fixed-size structs below): FileHeader, then blocks, each a BlockHeader with
// the XXH64 of its payload and of itself, then the payload: Records blocks (count records of
// record_bytes), Priorities blocks (count floats), Corrupt blocks (count bytes, 1 = the record
// failed its storage checksum when written; version 2 on; loaded records are sealed, those flagged
// corrupt are marked so again), and a final End block whose count is the number
// of blocks before it. Written to "<path>.tmp", fsynced, renamed over path, directory fsynced: a
// crash leaves either the old file or the new one. A load refuses (CheckpointError saying what is
// wrong and where) a file with a bad magic/version/checksum, a torn tail (no End block), counts that
// do not add up, or another schema.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "common/schema.h"
#include "replay/storage.h"

namespace shmrl::replay {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CheckpointState {
  uint64_t begin = 0, end = 0;  // stored key range
  uint64_t samples = 0;         // transitions sampled, ever
  double limiter_diff = 0;
  double max_priority = 1;
  uint64_t generation = 0;
};

// Writes storage's items [s.begin, s.end) and s. Caller holds the service lock (the storage must
// not change meanwhile). Throws std::runtime_error on I/O errors (the old file stays).
void write_checkpoint(const std::string& path, const Storage& storage, const TransitionSchema& schema,
                      const CheckpointState& s);

// Loads a checkpoint into a freshly created, empty storage of the same schema. If it holds more
// items than storage.capacity(), the newest ones are kept. Items become visible only once the whole
// file has verified. Returns the saved state (begin adjusted to what was kept).
CheckpointState load_checkpoint(const std::string& path, Storage& storage, const TransitionSchema& schema);

}  // namespace shmrl::replay
