#include "replay/storage.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/shm/checksum.h"
#include "common/time.h"

namespace shmrl::replay {
namespace {
constexpr std::size_t align64(std::size_t x) { return (x + 63) / 64 * 64; }

struct Offsets {
  std::size_t records, priorities, ring_pos, checksums, corrupt, frames, total;
};
// item_bytes: a whole record, or a frame store's item with pool_bytes of frames after the rest.
Offsets offsets(uint64_t capacity, std::size_t item_bytes, std::size_t pool_bytes = 0) {
  Offsets o;
  o.records = align64(sizeof(StorageHeader));
  o.priorities = align64(o.records + capacity * item_bytes);
  o.ring_pos = align64(o.priorities + capacity * sizeof(float));
  o.checksums = align64(o.ring_pos + kMaxActors * sizeof(uint64_t));
  o.corrupt = align64(o.checksums + capacity * sizeof(uint32_t));
  o.frames = pool_bytes ? align64(o.corrupt + capacity) : 0;
  o.total = align64(pool_bytes ? o.frames + pool_bytes : o.corrupt + capacity);
  return o;
}
Offsets offsets(uint64_t capacity, const TransitionSchema& schema, bool frames) {
  if (!frames) return offsets(capacity, schema.record_bytes());
  return offsets(capacity, FrameStore::item_bytes(schema), FrameStore::pool_bytes(capacity, schema));
}
}  // namespace

std::size_t Storage::bytes_needed(uint64_t capacity, std::size_t record_bytes) {
  return offsets(capacity, record_bytes).total;
}

std::size_t Storage::bytes_needed(uint64_t capacity, const TransitionSchema& schema, bool frames) {
  return offsets(capacity, schema, frames).total;
}

bool Storage::found(const RunContext& run) {
  if (!shm::Segment::exists(run.run_id, seg::replay_storage())) return false;
  try {
    auto seg = shm::Segment::open(run.run_id, seg::replay_storage());
    auto* h = reinterpret_cast<StorageHeader*>(seg.data());
    return seg.size() >= sizeof(StorageHeader) && h->magic.load(std::memory_order_acquire) == kStorageMagic;
  } catch (const std::runtime_error&) {  // its segment header is not finished
    return false;
  }
}

void Storage::remove_unformatted(const RunContext& run) {
  if (shm::Segment::exists(run.run_id, seg::replay_storage()) && !found(run))
    ::shm_unlink(shm::segment_name(run.run_id, seg::replay_storage()).c_str());
}

Storage::Storage(shm::Segment seg, const TransitionSchema& schema) : seg_(std::move(seg)) {
  hdr_ = reinterpret_cast<StorageHeader*>(seg_.data());
  capacity_ = hdr_->capacity;
  record_bytes_ = schema.record_bytes();
  records_ = seg_.data() + hdr_->records_offset;
  priorities_ = reinterpret_cast<float*>(seg_.data() + hdr_->priorities_offset);
  ring_pos_ = reinterpret_cast<std::atomic<uint64_t>*>(seg_.data() + hdr_->ring_pos_offset);
  checksums_ = reinterpret_cast<uint32_t*>(seg_.data() + hdr_->checksums_offset);
  corrupt_ = reinterpret_cast<uint8_t*>(seg_.data() + hdr_->corrupt_offset);
  if (hdr_->frames_offset != 0)
    frames_ = std::make_unique<FrameStore>(schema, records_, seg_.data() + hdr_->frames_offset, capacity_);
}

Storage Storage::create(const RunContext& run, uint64_t capacity, const TransitionSchema& schema,
                        double initial_max_priority, bool frames) {
  const Offsets o = offsets(capacity, schema, frames);
  auto seg = shm::Segment::create(run.run_id, seg::replay_storage(), o.total, run.owner);
  auto* h = reinterpret_cast<StorageHeader*>(seg.data());  // zeroed by create
  h->layout_version = kStorageLayoutVersion;
  h->record_bytes = static_cast<uint32_t>(schema.record_bytes());
  h->capacity = capacity;
  h->schema_fingerprint = schema.fingerprint();
  h->records_offset = o.records;
  h->priorities_offset = o.priorities;
  h->ring_pos_offset = o.ring_pos;
  h->checksums_offset = o.checksums;
  h->corrupt_offset = o.corrupt;
  h->frames_offset = o.frames;
  h->created_ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
  h->generation.store(1, std::memory_order_relaxed);
  h->max_priority.store(initial_max_priority, std::memory_order_relaxed);
  h->service = ProcessId::self();
  h->magic.store(kStorageMagic, std::memory_order_release);
  Storage s(std::move(seg), schema);
  if (s.frames_) s.frames_->rebuild(0, 0);
  return s;
}

Storage Storage::attach(const RunContext& run, uint64_t capacity, const TransitionSchema& schema) {
  auto seg = shm::Segment::open(run.run_id, seg::replay_storage());
  auto* h = reinterpret_cast<StorageHeader*>(seg.data());
  const std::string what = "replay storage segment " + seg.name();
  if (seg.size() < sizeof(StorageHeader) || h->magic.load(std::memory_order_acquire) != kStorageMagic)
    throw std::runtime_error(what + " is not formatted (its creator died while creating it): "
                             "remove it (or start a new run)");
  if (h->layout_version != kStorageLayoutVersion)
    throw std::runtime_error(what + " has layout version " + std::to_string(h->layout_version) +
                             ", this build expects " + std::to_string(kStorageLayoutVersion));
  if (h->capacity != capacity)
    throw std::runtime_error(what + " holds " + std::to_string(h->capacity) +
                             " items but replay.capacity = " + std::to_string(capacity) +
                             ": restart with the run's original config");
  if (h->schema_fingerprint != schema.fingerprint() || h->record_bytes != schema.record_bytes())
    throw std::runtime_error(what + " was written with another transition schema (record of " +
                             std::to_string(h->record_bytes) + " bytes, this env's is " +
                             std::to_string(schema.record_bytes()) + "): check [env] id");
  if (seg.size() < offsets(capacity, schema, h->frames_offset != 0).total)
    throw std::runtime_error(what + " is smaller than its header says");
  Storage s(std::move(seg), schema);
  // Replay the journal: the last commit landed iff committed reached its target.
  if (h->journal_committed.load(std::memory_order_acquire) == h->committed.load() + 1) {
    const auto actor = static_cast<uint32_t>(h->journal_actor.load());
    if (actor < kMaxActors) {
      auto& pos = s.ring_pos(actor);
      pos.store(std::max(pos.load(), h->journal_ring_pos.load()), std::memory_order_release);
      h->dropped.store(std::max(h->dropped.load(), h->journal_dropped.load()));
    }
  }
  // A crash mid-overwrite may have left begin past committed - capacity: the overwritten items are
  // gone (they were being evicted), everything in [begin, committed) is intact.
  if (s.frames_) s.frames_->rebuild(s.begin(), s.committed());
  h->service = ProcessId::self();
  h->generation.fetch_add(1, std::memory_order_acq_rel);
  return s;
}

Storage Storage::inspect(const RunContext& run, const TransitionSchema& schema) {
  auto seg = shm::Segment::open(run.run_id, seg::replay_storage());
  auto* h = reinterpret_cast<StorageHeader*>(seg.data());
  if (seg.size() < sizeof(StorageHeader) || h->magic.load(std::memory_order_acquire) != kStorageMagic ||
      h->record_bytes != schema.record_bytes())
    throw std::runtime_error("replay storage segment " + seg.name() + " is not a formatted storage for this schema");
  return Storage(std::move(seg), schema);
}

void Storage::begin_insert(uint64_t n) {
  const uint64_t end = committed() + n;
  const uint64_t old = begin();
  if (end > capacity_ && end - capacity_ > old) {
    hdr_->begin.store(end - capacity_, std::memory_order_release);
    // The overwrites that follow must not be moved before this store (a crash in between would
    // leave a torn item inside the stored range).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (frames_)
      for (uint64_t k = old; k < end - capacity_; ++k) frames_->release(k);
  }
}

void Storage::write(uint64_t key, const std::byte* record) {
  if (!frames_) {
    std::memcpy(this->record(key), record, record_bytes_);
    return;
  }
  frames_->put(key, record, [this]() -> std::optional<uint64_t> {
    const uint64_t b = begin();
    if (b >= committed()) return std::nullopt;
    hdr_->begin.store(b + 1, std::memory_order_release);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // as in begin_insert
    return b;
  });
  // Sealed from the whole record in hand (seal() would have to rebuild it from its frames).
  const uint64_t slot = key % capacity_;
  checksums_[slot] = shm::detail::checksum(record, record_bytes_, key);
  corrupt_[slot] = 0;
}

void Storage::read(uint64_t key, std::byte* record) const {
  if (frames_) frames_->read(key, record);
  else std::memcpy(record, this->record(key), record_bytes_);
}

void Storage::restore_append(uint64_t key, const std::byte* record) {
  if (committed() == begin() && committed() != key) {
    hdr_->begin.store(key, std::memory_order_release);
    hdr_->committed.store(key, std::memory_order_release);
  }
  begin_insert(1);
  write(key, record);
  hdr_->committed.store(key + 1, std::memory_order_release);
}

void Storage::commit(uint64_t n, uint32_t actor, uint64_t ring_pos, uint64_t dropped) {
  // seq_cst stores keep this order even against a crash between any two of them: the journal is
  // invalidated before it is rewritten, and only names a commit once it is complete.
  const uint64_t c = committed() + n;
  const uint64_t d = hdr_->dropped.load() + dropped;
  hdr_->journal_committed.store(0);
  hdr_->journal_actor.store(actor);
  hdr_->journal_ring_pos.store(ring_pos);
  hdr_->journal_dropped.store(d);
  hdr_->journal_committed.store(c + 1);
  hdr_->committed.store(c);
  hdr_->dropped.store(d);
  ring_pos_[actor].store(ring_pos);
}

void Storage::set_ring_pos(uint32_t actor, uint64_t ring_pos) {
  hdr_->journal_committed.store(0);
  hdr_->ring_pos_adjust.fetch_add(static_cast<int64_t>(ring_pos) - static_cast<int64_t>(ring_pos_[actor].load()));
  ring_pos_[actor].store(ring_pos);
}

void Storage::seal(uint64_t first_key, uint64_t n) {
  if (frames_) return;  // write() sealed them
  // Per contiguous run of slots, four checksum chains interleaved (shm::detail::checksums).
  for (uint64_t k = first_key; k < first_key + n;) {
    const uint64_t slot = k % capacity_, run = std::min(first_key + n - k, capacity_ - slot);
    shm::detail::checksums(record_at_slot(slot), record_bytes_, run, record_bytes_, k, checksums_ + slot);
    std::fill_n(corrupt_ + slot, run, uint8_t{0});
    k += run;
  }
}

uint32_t Storage::present_checksum(uint64_t key, uint64_t slot) const {
  if (!frames_) return shm::detail::checksum(record_at_slot(slot), record_bytes_, key);
  std::vector<std::byte> rebuilt(record_bytes_);
  read(key, rebuilt.data());
  return shm::detail::checksum(rebuilt.data(), record_bytes_, key);
}

bool Storage::intact(uint64_t key, uint64_t slot) const {
  // The flag needs no read here: a marked record keeps failing its checksum (it is never re-sealed).
  return present_checksum(key, slot) == checksums_[slot];
}

bool Storage::mark_corrupt(uint64_t key) {
  const uint64_t slot = key % capacity_;
  uint8_t& flag = corrupt_[slot];
  if (flag != 0) return false;
  flag = 1;
  // Its checksum made to fail on the bytes it has now (a record re-sealed by a checkpoint load
  // would match them), so intact() needs no flag read.
  checksums_[slot] = present_checksum(key, slot) ^ 1u;
  hdr_->corrupt_stored.fetch_add(1);
  return true;
}

void Storage::set_range(uint64_t begin, uint64_t end) {
  hdr_->journal_committed.store(0, std::memory_order_relaxed);
  hdr_->begin.store(begin, std::memory_order_release);
  hdr_->committed.store(end, std::memory_order_release);
  hdr_->restored.store(end, std::memory_order_release);
  if (frames_) frames_->rebuild(begin, end);
}

}  // namespace shmrl::replay
