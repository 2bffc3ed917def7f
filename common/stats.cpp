#include "common/stats.h"

#include <cstring>
#include <optional>
#include <stdexcept>

namespace shmrl {
namespace {

struct alignas(64) StatsHeader {
  uint64_t magic;
  std::atomic<uint64_t> count;  // entries with a name; grows only
  uint8_t pad[48];
};
static_assert(sizeof(StatsHeader) == 64);
constexpr uint64_t kStatsMagic = 0x73686d726c535441ull;  // "shmrlSTA"
constexpr std::size_t kSegmentBytes = sizeof(StatsHeader) + StatsWriter::kMaxStats * sizeof(StatEntry);

}  // namespace

StatsWriter::StatsWriter(const RunContext& run, const std::string& seg_name,
                         const std::vector<std::string>& names)
    : seg_(shm::Segment::exists(run.run_id, seg_name)
               ? shm::Segment::open(run.run_id, seg_name)
               : shm::Segment::create(run.run_id, seg_name, kSegmentBytes, run.owner)) {
  if (names.size() > kMaxStats)
    throw std::invalid_argument("stats '" + seg_name + "': more than 64 names");
  if (seg_.size() < kSegmentBytes) throw std::runtime_error("stats segment '" + seg_name + "' is too small");
  auto* hdr = reinterpret_cast<StatsHeader*>(seg_.data());
  entries_ = reinterpret_cast<StatEntry*>(seg_.data() + sizeof(StatsHeader));
  const bool fresh = hdr->magic != kStatsMagic;
  // A restarted writer keeps the counters its predecessor published (e.g. total env steps).
  std::size_t have = fresh ? 0 : hdr->count.load(std::memory_order_acquire);
  for (const auto& n : names) {
    if (n.empty() || n.size() >= sizeof(StatEntry::name))
      throw std::invalid_argument("stats name '" + n + "' must be 1..55 characters");
    bool found = false;
    for (std::size_t i = 0; i < have && !found; ++i) found = n == entries_[i].name;
    if (found) continue;
    if (have == kMaxStats) throw std::invalid_argument("stats '" + seg_name + "': more than 64 names");
    std::memset(entries_[have].name, 0, sizeof(StatEntry::name));
    std::memcpy(entries_[have].name, n.data(), n.size());
    entries_[have].value.store(0, std::memory_order_relaxed);
    ++have;
  }
  hdr->magic = kStatsMagic;
  hdr->count.store(have, std::memory_order_release);
  count_ = have;
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
  if (seg.size() < kSegmentBytes) return out;
  const auto* hdr = reinterpret_cast<const StatsHeader*>(seg.data());
  if (hdr->magic != kStatsMagic) return out;
  const auto* e = reinterpret_cast<const StatEntry*>(seg.data() + sizeof(StatsHeader));
  const std::size_t n = std::min<std::size_t>(hdr->count.load(std::memory_order_acquire), StatsWriter::kMaxStats);
  for (std::size_t i = 0; i < n; ++i) {
    char name[sizeof(StatEntry::name)];
    std::memcpy(name, e[i].name, sizeof(name));
    name[sizeof(name) - 1] = 0;
    out[name] = e[i].value.load(std::memory_order_relaxed);
  }
  return out;
}

}  // namespace shmrl
