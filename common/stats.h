#pragma once
// Live counters a process publishes in a small shared-memory segment for the launcher to read
// (progress line, metrics files). One writer process per block; readers anywhere, lock-free.
// Values are doubles (counts up to 2^53 exactly).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/run.h"
#include "common/shm/segment.h"

namespace shmrl {

struct alignas(64) StatEntry {
  char name[56];                // NUL-terminated
  std::atomic<double> value;
};
static_assert(sizeof(StatEntry) == 64);

// Every block also holds "pid": its writer's process id (for /proc reads: `shmrl top`, memory).
inline constexpr const char* kPidStat = "pid";

class StatsWriter {
 public:
  // Entries a new block has room for beyond its first names: a restarted writer of a newer build
  // may register a few more.
  static constexpr std::size_t kSpareStats = 16;
  // Creates (or, for a restarted process, re-opens and re-uses) segment `seg_name` of the run and
  // registers `names` (each < 56 chars) and kPidStat, set to this process's pid. A new block holds
  // names.size() + 1 + kSpareStats entries; a
  // re-used one throws std::invalid_argument if the names do not fit. Throws on shm errors.
  StatsWriter(const RunContext& run, const std::string& seg_name, const std::vector<std::string>& names);
  // Handle to one stat; valid while the writer lives. Throws std::out_of_range for unknown names.
  std::atomic<double>& operator[](std::string_view name);
  void set(std::string_view name, double v) { (*this)[name].store(v, std::memory_order_relaxed); }
  void add(std::string_view name, double v);  // single writer: load + store, no RMW needed

 private:
  shm::Segment seg_;
  StatEntry* entries_;
  std::size_t count_;
};

// Snapshot of another process's stats; empty map if the segment does not exist (yet).
std::map<std::string, double> read_stats(const RunContext& run, const std::string& seg_name);

}  // namespace shmrl
