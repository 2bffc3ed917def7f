#include "common/stats.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unistd.h>
#include <stdexcept>

namespace shmrl {
namespace {

struct alignas(64) StatsHeader {
  uint64_t magic;
  std::atomic<uint64_t> count;  // entries with a name; grows only
  uint64_t capacity;            // entries the segment holds; set once by the creator
  uint8_t pad[40];
};
static_assert(sizeof(StatsHeader) == 64);
constexpr uint64_t kStatsMagic = 0x73686d726c535442ull;  // "shmrlSTB" (B: capacity in the header)

std::size_t segment_bytes(std::size_t capacity) {
  return sizeof(StatsHeader) + capacity * sizeof(StatEntry);
}

}  // namespace

StatsWriter::StatsWriter(const RunContext& run, const std::string& seg_name,
                         const std::vector<std::string>& names)
    : seg_(shm::Segment::exists(run.run_id, seg_name)
               ? shm::Segment::open(run.run_id, seg_name)
               : shm::Segment::create(run.run_id, seg_name, segment_bytes(names.size() + 1 + kSpareStats),
                                      run.owner)) {
  auto* hdr = reinterpret_cast<StatsHeader*>(seg_.data());
  entries_ = reinterpret_cast<StatEntry*>(seg_.data() + sizeof(StatsHeader));
  const bool fresh = hdr->magic != kStatsMagic;
  // A fresh block (magic not set yet: just created, or its creator died first) gets its capacity now.
  const std::size_t room = (seg_.size() - sizeof(StatsHeader)) / sizeof(StatEntry);
  const std::size_t capacity = fresh ? std::min(names.size() + 1 + kSpareStats, room) : hdr->capacity;
  if (segment_bytes(capacity) > seg_.size())
    throw std::runtime_error("stats segment '" + seg_name + "' is smaller than its header says");
  // A restarted writer keeps the counters its predecessor published (e.g. total env steps).
  std::size_t have = fresh ? 0 : hdr->count.load(std::memory_order_acquire);
  std::vector<std::string> all = names;
  if (std::find(all.begin(), all.end(), kPidStat) == all.end()) all.push_back(kPidStat);
  for (const auto& n : all) {
    if (n.empty() || n.size() >= sizeof(StatEntry::name))
      throw std::invalid_argument("stats name '" + n + "' must be 1..55 characters");
    bool found = false;
    for (std::size_t i = 0; i < have && !found; ++i) found = n == entries_[i].name;
    if (found) continue;
    if (have == capacity) {
      throw std::invalid_argument("stats '" + seg_name + "': no room for '" + n + "' (" +
                                  std::to_string(capacity) + " entries)");
    }
    std::memset(entries_[have].name, 0, sizeof(StatEntry::name));
    std::memcpy(entries_[have].name, n.data(), n.size());
    entries_[have].value.store(0, std::memory_order_relaxed);
    ++have;
  }
  hdr->capacity = capacity;
  hdr->count.store(have, std::memory_order_release);
  std::atomic_ref<uint64_t>(hdr->magic).store(kStatsMagic, std::memory_order_release);
  count_ = have;
  set(kPidStat, static_cast<double>(getpid()));
}

std::atomic<double>& StatsWriter::operator[](std::string_view name) {
  for (std::size_t i = 0; i < count_; ++i)
    if (name == entries_[i].name) return entries_[i].value;
  throw std::out_of_range("unknown stat '" + std::string(name) + "'");
}

void StatsWriter::add(std::string_view name, double v) {
  auto& a = (*this)[name];
  a.store(a.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
}

std::map<std::string, double> read_stats(const RunContext& run, const std::string& seg_name) {
  std::map<std::string, double> out;
  if (!shm::Segment::exists(run.run_id, seg_name)) return out;
  std::optional<shm::Segment> opened;
  try {
    opened.emplace(shm::Segment::open(run.run_id, seg_name));
  } catch (const std::runtime_error&) {
    return out;  // still being created by its writer (or just removed): nothing to read yet
  }
  const shm::Segment& seg = *opened;
  if (seg.size() < sizeof(StatsHeader)) return out;
  auto* hdr = reinterpret_cast<StatsHeader*>(seg.data());
  if (std::atomic_ref<uint64_t>(hdr->magic).load(std::memory_order_acquire) != kStatsMagic) return out;
  const std::size_t capacity = std::min(hdr->capacity, (seg.size() - sizeof(StatsHeader)) / sizeof(StatEntry));
  const auto* e = reinterpret_cast<const StatEntry*>(seg.data() + sizeof(StatsHeader));
  const std::size_t n = std::min<std::size_t>(hdr->count.load(std::memory_order_acquire), capacity);
  for (std::size_t i = 0; i < n; ++i) {
    char name[sizeof(StatEntry::name)];
    std::memcpy(name, e[i].name, sizeof(name));
    name[sizeof(name) - 1] = 0;
    out[name] = e[i].value.load(std::memory_order_relaxed);
  }
  return out;
}

}  // namespace shmrl
