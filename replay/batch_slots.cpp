#include "replay/batch_slots.h"

#include <sys/mman.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "replay/batch_writer.h"

namespace shmrl::replay {
namespace {
constexpr std::size_t align64(std::size_t x) { return (x + 63) / 64 * 64; }

struct SlotGeometry {
  std::size_t batch_offset, keys_offset, weights_offset, stride, batch_bytes;
};
SlotGeometry geometry(const TransitionSchema& schema, std::size_t batch_size) {
  SlotGeometry g;
  g.batch_bytes = BatchLayout(schema, batch_size).bytes();
  g.batch_offset = sizeof(BatchSlotHeader);
  g.keys_offset = align64(g.batch_offset + g.batch_bytes);
  g.weights_offset = align64(g.keys_offset + batch_size * sizeof(uint64_t));
  g.stride = align64(g.weights_offset + batch_size * sizeof(float));
  return g;
}

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

std::string batch_mismatch(const BatchSegmentHeader& h, const TransitionSchema& schema,
                           std::size_t batch_size) {
  if (h.layout_version != kBatchLayoutVersion)
    return "layout version " + std::to_string(h.layout_version) + " (this build: " +
           std::to_string(kBatchLayoutVersion) + ")";
  if (h.schema_fingerprint != schema.fingerprint())
    return "another transition schema (check [env] id is the same for every process)";
  if (h.batch_size != batch_size)
    return "batch size " + std::to_string(h.batch_size) + " (this process: " +
           std::to_string(batch_size) + "; learner.batch_size must be the same for every process)";
  const auto g = geometry(schema, batch_size);
  if (h.slot_stride != g.stride || h.batch_offset != g.batch_offset || h.keys_offset != g.keys_offset ||
      h.weights_offset != g.weights_offset)
    return "another slot layout";
  return "";
}
}  // namespace

std::size_t batch_segment_bytes(const TransitionSchema& schema, std::size_t batch_size,
                                std::size_t num_slots) {
  return sizeof(BatchSegmentHeader) + num_slots * geometry(schema, batch_size).stride;
}

// ---------------- service side ----------------

BatchWriter::BatchWriter(shm::Segment seg) : seg_(std::move(seg)) {
  hdr_ = reinterpret_cast<BatchSegmentHeader*>(seg_.data());
}

namespace {

// The run's batch segment `name` if it exists and its creator finished formatting it (the magic is
// written last). *unfinished, when given, is set if a segment exists that is not formatted (yet).
std::optional<shm::Segment> open_formatted(const RunContext& run, const std::string& name,
                                           bool* unfinished) {
  if (!shm::Segment::exists(run.run_id, name)) return std::nullopt;
  try {
    auto seg = shm::Segment::open(run.run_id, name);
    const auto* h = reinterpret_cast<const BatchSegmentHeader*>(seg.data());
    if (seg.size() >= sizeof(BatchSegmentHeader) &&
        h->magic.load(std::memory_order_acquire) == kBatchMagic)
      return seg;
  } catch (const std::runtime_error&) {
    // Not even the segment header is finished.
  }
  if (unfinished) *unfinished = true;
  return std::nullopt;
}

}  // namespace

std::byte* BatchWriter::slot_base(int i) const {
  return seg_.data() + sizeof(BatchSegmentHeader) + static_cast<std::size_t>(i) * hdr_->slot_stride;
}

BatchWriter BatchWriter::open_or_create(const RunContext& run, int rank, const TransitionSchema& schema,
                                        std::size_t batch_size, std::size_t num_slots,
                                        bool prioritized, uint64_t generation) {
  const std::string name = seg::learner_batches(rank);
  bool unfinished = false;
  if (auto opened = open_formatted(run, name, &unfinished)) {
    auto* h = reinterpret_cast<BatchSegmentHeader*>(opened->data());
    const std::string why = batch_mismatch(*h, schema, batch_size);
    if (!why.empty() || h->num_slots != num_slots || h->prioritized != uint32_t(prioritized))
      throw std::runtime_error("batch segment " + opened->name() + " of the previous replay service has " +
                               (why.empty() ? "other slot settings" : why) +
                               ": restart with the run's original config");
    BatchWriter w(std::move(*opened));
    for (int i = 0; i < static_cast<int>(num_slots); ++i) {
      uint32_t filling = static_cast<uint32_t>(SlotState::Filling);
      w.slot(i)->state.compare_exchange_strong(filling, static_cast<uint32_t>(SlotState::Free));
    }
    h->service = ProcessId::self();
    h->generation.store(generation, std::memory_order_release);
    w.heartbeat();
    return w;
  }
  // Unformatted: its creator (a service of this run) died mid-create; start it over.
  if (unfinished) ::shm_unlink(shm::segment_name(run.run_id, name).c_str());
  const auto g = geometry(schema, batch_size);
  auto seg = shm::Segment::create(run.run_id, name, batch_segment_bytes(schema, batch_size, num_slots),
                                  run.owner);
  auto* h = reinterpret_cast<BatchSegmentHeader*>(seg.data());
  h->layout_version = kBatchLayoutVersion;
  h->num_slots = static_cast<uint32_t>(num_slots);
  h->schema_fingerprint = schema.fingerprint();
  h->batch_size = static_cast<uint32_t>(batch_size);
  h->prioritized = prioritized ? 1 : 0;
  h->slot_stride = g.stride;
  h->batch_offset = g.batch_offset;
  h->keys_offset = g.keys_offset;
  h->weights_offset = g.weights_offset;
  h->service = ProcessId::self();
  h->generation.store(generation, std::memory_order_relaxed);
  BatchWriter w(std::move(seg));
  for (int i = 0; i < static_cast<int>(num_slots); ++i) w.slot(i)->size = static_cast<uint32_t>(batch_size);
  w.heartbeat();
  h->magic.store(kBatchMagic, std::memory_order_release);
  return w;
}

int BatchWriter::try_claim() {
  for (int i = 0; i < static_cast<int>(hdr_->num_slots); ++i) {
    uint32_t expected = static_cast<uint32_t>(SlotState::Free);
    if (slot(i)->state.load(std::memory_order_relaxed) == expected &&
        slot(i)->state.compare_exchange_strong(expected, static_cast<uint32_t>(SlotState::Filling),
                                               std::memory_order_acquire))
      return i;
  }
  return -1;
}

int BatchWriter::claim(Deadline deadline) {
  for (int spin = 0; spin < 32; ++spin) {
    if (int s = try_claim(); s >= 0) return s;
  }
  for (;;) {
    const uint32_t seen = hdr_->free_event.prepare();
    int s = try_claim();
    const auto left = deadline - Clock::now();
    if (s < 0 && left > Clock::duration::zero()) hdr_->free_event.sleep(seen, left);
    hdr_->free_event.finish();
    if (s >= 0 || (s = try_claim()) >= 0 || Clock::now() >= deadline) return s;
  }
}

void BatchWriter::publish(int i, double beta, uint64_t generation) {
  auto* s = slot(i);
  s->seq = hdr_->next_seq.fetch_add(1, std::memory_order_relaxed) + 1;
  s->generation = generation;
  s->beta = beta;
  s->sampled_ns = now_ns();
  s->state.store(static_cast<uint32_t>(SlotState::Ready), std::memory_order_release);
  hdr_->ready_event.notify();
}

void BatchWriter::abandon(int i) {
  slot(i)->state.store(static_cast<uint32_t>(SlotState::Free), std::memory_order_release);
}

void BatchWriter::heartbeat() { hdr_->service_heartbeat_ns.store(now_ns(), std::memory_order_relaxed); }

uint64_t BatchWriter::batches_published() const { return hdr_->next_seq.load(std::memory_order_relaxed); }

// ---------------- learner side ----------------

BatchReader::BatchReader(shm::Segment seg, const TransitionSchema& schema, std::size_t batch_size)
    : seg_(std::move(seg)),
      hdr_(reinterpret_cast<BatchSegmentHeader*>(seg_.data())),
      schema_(std::make_unique<TransitionSchema>(schema)),
      layout_(*schema_, batch_size) {}

std::byte* BatchReader::slot_base(uint32_t i) const {
  return seg_.data() + sizeof(BatchSegmentHeader) + static_cast<std::size_t>(i) * hdr_->slot_stride;
}
BatchSlotHeader* BatchReader::slot(uint32_t i) const {
  return reinterpret_cast<BatchSlotHeader*>(slot_base(i));
}

BatchReader BatchReader::attach(const RunContext& run, int rank, const TransitionSchema& schema,
                                std::size_t batch_size, Deadline deadline) {
  const std::string name = seg::learner_batches(rank);
  Backoff backoff(std::chrono::milliseconds(5));
  for (;;) {
    // Absent, or the service has not finished formatting it: poll again.
    if (auto opened = open_formatted(run, name, nullptr)) {
      auto* h = reinterpret_cast<BatchSegmentHeader*>(opened->data());
      const std::string why = batch_mismatch(*h, schema, batch_size);
      if (!why.empty())
        throw std::runtime_error("learner " + std::to_string(rank) + ": batch segment " + opened->name() +
                                 " has " + why);
      BatchReader r(std::move(*opened), schema, batch_size);
      // A previous learner of this rank died holding slots: they are ours to free now.
      for (uint32_t i = 0; i < h->num_slots; ++i) {
        uint32_t consumed = static_cast<uint32_t>(SlotState::Consumed);
        r.slot(i)->state.compare_exchange_strong(consumed, static_cast<uint32_t>(SlotState::Free));
      }
      h->consumer = ProcessId::self();
      return r;
    }
    if (Clock::now() >= deadline)
      throw std::runtime_error("learner " + std::to_string(rank) + ": the replay service did not create " +
                               shm::segment_name(run.run_id, name) +
                               " by the deadline: is `shmrl replay` running for run " + run.run_id + "?");
    backoff.pause();
  }
}

std::optional<BatchView> BatchReader::try_acquire() {
  for (;;) {
    int best = -1;
    uint64_t best_seq = 0;
    for (uint32_t i = 0; i < hdr_->num_slots; ++i) {
      auto* s = slot(i);
      if (s->state.load(std::memory_order_acquire) == static_cast<uint32_t>(SlotState::Ready) &&
          (best < 0 || s->seq < best_seq)) {
        best = static_cast<int>(i);
        best_seq = s->seq;
      }
    }
    if (best < 0) return std::nullopt;
    auto* s = slot(static_cast<uint32_t>(best));
    uint32_t ready = static_cast<uint32_t>(SlotState::Ready);
    if (!s->state.compare_exchange_strong(ready, static_cast<uint32_t>(SlotState::Consumed),
                                          std::memory_order_acquire))
      continue;  // lost a race with another acquirer: look again
    BatchView v;
    v.slot = static_cast<uint32_t>(best);
    v.seq = s->seq;
    v.generation = s->generation;
    v.beta = s->beta;
    std::byte* base = slot_base(v.slot);
    v.data = base + hdr_->batch_offset;
    v.keys = {reinterpret_cast<const uint64_t*>(base + hdr_->keys_offset), hdr_->batch_size};
    v.weights = {reinterpret_cast<const float*>(base + hdr_->weights_offset), hdr_->batch_size};
    v.layout = &layout_;
    return v;
  }
}

std::optional<BatchView> BatchReader::acquire(Deadline deadline) {
  for (int spin = 0; spin < 32; ++spin) {
    if (auto v = try_acquire()) return v;
  }
  for (;;) {
    // Sleep on the ready event; the wake-up lands as soon as the service publishes a slot.
    const uint32_t seen = hdr_->ready_event.prepare();
    auto v = try_acquire();
    const auto left = deadline - Clock::now();
    // Bounded sleeps: a service that died mid-publish never leaves a sleeper hanging.
    if (!v && left > Clock::duration::zero())
      hdr_->ready_event.sleep(seen, std::min<Clock::duration>(left, std::chrono::milliseconds(50)));
    hdr_->ready_event.finish();
    if (v || (v = try_acquire()) || Clock::now() >= deadline) return v;
  }
}

void BatchReader::release(const BatchView& b) {
  slot(b.slot)->state.store(static_cast<uint32_t>(SlotState::Free), std::memory_order_release);
  hdr_->batches_consumed.fetch_add(1, std::memory_order_relaxed);
  hdr_->free_event.notify();
}

bool BatchReader::prioritized() const { return hdr_->prioritized != 0; }
uint64_t BatchReader::generation() const { return hdr_->generation.load(std::memory_order_acquire); }
bool BatchReader::service_alive() const { return hdr_->service.alive(); }

}  // namespace shmrl::replay
