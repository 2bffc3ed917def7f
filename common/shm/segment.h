#pragma once
// Named POSIX shared-memory segments of one run: "/dev/shm/shmrl.<run_id>.<name>".
//
// Lifecycle: created exclusively (fails if the name exists) with mode 0600 and its pages reserved up
// front (posix_fallocate), so a full /dev/shm fails here with a clear message instead of SIGBUS later.
// Each segment starts with a header naming the run's owner process (normally the launcher); a new run
// calls remove_stale_segments(), which unlinks every segment whose owner is dead and never touches a
// live run's. The owner unlinks its segments on clean shutdown (Segment::unlink or remove_run).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/proc.h"

namespace shmrl::shm {

// Thrown when /dev/shm lacks the room for a segment. what() says how much is needed, how much is free
// and how to get more (docker --shm-size, or remount /dev/shm with a larger size=).
class ShmSpaceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A fresh run id: "<yyyymmdd-hhmmss>-<pid>-<4 hex>"; only [A-Za-z0-9-] so it is a safe name part.
std::string new_run_id();

// "/shmrl.<run_id>.<name>" (the shm_open name). run_id and name: [A-Za-z0-9_-], non-empty.
std::string segment_name(const std::string& run_id, const std::string& name);

// Throws ShmSpaceError if /dev/shm cannot hold `bytes` more (with a 1 MiB margin).
void check_shm_space(std::size_t bytes);

class Segment {
 public:
  // Creates and maps a new segment with `bytes` usable bytes (zeroed). Throws ShmSpaceError when
  // /dev/shm is too small (nothing is left behind), std::runtime_error if the name exists.
  static Segment create(const std::string& run_id, const std::string& name, std::size_t bytes,
                        ProcessId owner = ProcessId::self());
  // Maps an existing segment read-write. Throws std::runtime_error if missing or not an shmrl segment.
  static Segment open(const std::string& run_id, const std::string& name);
  // True if the segment exists (any owner).
  static bool exists(const std::string& run_id, const std::string& name);

  Segment(Segment&&) noexcept;
  Segment& operator=(Segment&&) noexcept;
  ~Segment();  // unmaps; never unlinks

  std::byte* data() const;  // the usable bytes, 64-byte aligned
  std::size_t size() const;  // usable bytes
  const std::string& name() const;  // "/shmrl.<run_id>.<name>", as segment_name()
  ProcessId owner() const;
  // Removes the name (mappings stay valid until unmapped). Idempotent.
  void unlink();

 private:
  struct Impl;
  explicit Segment(std::unique_ptr<Impl>);
  std::unique_ptr<Impl> impl_;
};

// Unlinks every shmrl segment of `run_id`. Returns how many were removed.
std::size_t remove_run(const std::string& run_id);

// Unlinks the segments of every run whose owner process is dead (and headerless segments older than
// a minute, left by a creator killed mid-create). Never touches a live owner's. Returns the names.
std::vector<std::string> remove_stale_segments();

// Names ("shmrl.<run>.<name>", without the slash) currently in /dev/shm for `run_id` ("" = all runs).
std::vector<std::string> list_segments(const std::string& run_id = "");

}  // namespace shmrl::shm
