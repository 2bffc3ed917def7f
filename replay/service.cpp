#include "replay/service.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "replay/checkpoint.h"
#include "replay/selectors/prioritized.h"

namespace shmrl::replay {
namespace {

const ReplayOptions& validated(const ReplayOptions& o) {
  o.validate();
  if (o.actors > static_cast<int>(kMaxActors))
    throw std::invalid_argument("config key run.actors = " + std::to_string(o.actors) +
                                ": the replay service serves at most " + std::to_string(kMaxActors));
  return o;
}

// A new storage, after checking /dev/shm can hold it (the error names replay.capacity).
Storage create_storage(const RunContext& run, const ReplayOptions& o, const TransitionSchema& schema) {
  o.validate_for(schema);
  return Storage::create(run, o.capacity, schema, o.initial_max_priority, o.frames_for(schema));
}

// Whether a previous service of this run left a storage to re-attach to (clearing one it left
// half-created).
bool storage_to_reattach(const RunContext& run) {
  Storage::remove_unformatted(run);
  return Storage::found(run);
}

std::string sampler_prefix(int rank) { return "sampler" + std::to_string(rank) + "_"; }

std::vector<std::string> stat_names(int actors, int learners) {
  std::vector<std::string> n = {
      "ready", "generation", "size", "capacity", "inserts", "samples", "batches",
      "insert_blocked_s", "sample_blocked_s", "rejected_items", "corrupt_records", "corrupt_stored",
      "corrupt_stored_sampled", "corrupt_stored_scrubbed",
      "priority_updates", "priority_updates_stale", "priority_updates_rejected",
      "priority_updates_ignored", "checkpoints", "limiter_diff", "beta", "max_priority"};
  for (int a = 0; a < actors; ++a) n.push_back("actor" + std::to_string(a) + "_inserts");
  for (auto& s : stage_stat_names(stages::kReplayWriter, kWriterStagePrefix)) n.push_back(std::move(s));
  for (int r = 0; r < learners; ++r)
    for (auto& s : stage_stat_names(stages::kReplaySampler, sampler_prefix(r))) n.push_back(std::move(s));
  return n;
}

}  // namespace

ReplayService::ReplayService(const RunContext& run, const ReplayOptions& opts,
                             const TransitionSchema& schema, std::chrono::milliseconds attach_timeout)
    : run_(run),
      opts_(validated(opts)),
      schema_(schema),
      layout_(schema_, opts.batch_size),
      gatherer_(schema_, layout_),
      restarted_(storage_to_reattach(run)),
      storage_(restarted_ ? Storage::attach(run, opts.capacity, schema_)
                          : create_storage(run, opts, schema_)),
      selector_(make_selector(opts.selector, opts.capacity, opts.alpha)),
      limiter_(LimiterOptions{opts.min_size_to_sample, opts.samples_per_insert, opts.error_buffer,
                              opts.capacity}),
      actor_inserts_(std::make_unique<std::atomic<uint64_t>[]>(opts.actors)) {
  auto& h = storage_.header();
  if (!restarted_ && !opts_.restore_from.empty()) {
    const CheckpointState s = load_checkpoint(opts_.restore_from, storage_, schema_);
    h.samples.store(s.samples);
    h.max_priority.store(s.max_priority);
    h.limiter_diff.store(s.limiter_diff);
    std::cerr << "replay: restored " << s.end - s.begin << " items from " << opts_.restore_from << "\n";
  }
  if (restarted_ || !opts_.restore_from.empty()) {
    selector_->rebuild(storage_.begin(), storage_.committed(), storage_.priorities());
    h.limiter_diff.store(limiter_.restore(storage_.size(), h.limiter_diff.load()));
  }
  const Deadline deadline = deadline_in(attach_timeout);
  for (int a = 0; a < opts_.actors; ++a) {
    actor_rings_.push_back(shm::open_or_create_ring(
        run_, seg::actor_ring(a),
        shm::RingOptions{static_cast<uint32_t>(schema_.record_bytes()), opts_.ring_capacity}, deadline));
    actor_rings_.back().ring.claim_consumer();
    skip_to_ring_pos(a);
  }
  for (int r = 0; r < opts_.learners; ++r) {
    prio_rings_.push_back(shm::open_or_create_ring(
        run_, seg::learner_priorities(r),
        shm::RingOptions{sizeof(PriorityUpdate), opts_.priority_ring_capacity}, deadline));
    prio_rings_.back().ring.claim_consumer();
    batches_.push_back(BatchWriter::open_or_create(run_, r, schema_, opts_.batch_size, opts_.batch_slots,
                                                   opts_.selector == SelectorKind::Prioritized,
                                                   storage_.generation()));
  }
  stats_ = std::make_unique<StatsWriter>(run_, seg::replay_stats(), stat_names(opts_.actors, opts_.learners));
  writer_clock_ = std::make_unique<StageClock>(stages::kReplayWriter, *stats_, kWriterStagePrefix);
  for (int r = 0; r < opts_.learners; ++r)
    sampler_clocks_.push_back(std::make_unique<StageClock>(stages::kReplaySampler, *stats_, sampler_prefix(r)));
  for (int a = 0; a < opts_.actors; ++a) {
    actor_insert_stats_.push_back(&(*stats_)["actor" + std::to_string(a) + "_inserts"]);
  }
  publish_stats();
}

ReplayService::~ReplayService() { stop(); }

void ReplayService::skip_to_ring_pos(int a) {
  auto& r = actor_rings_[a].ring;
  const uint64_t want = storage_.ring_pos(a).load();
  if (r.popped() > want || r.pushed() < want) {
    // Not the ring this storage drained (a fresh storage, or a replaced ring): start at its tail.
    if (r.pushed() < want)
      std::cerr << "replay: actor " << a << "'s ring holds fewer records than this storage consumed "
                << "from it; it was replaced, continuing at its tail\n";
    storage_.set_ring_pos(a, r.popped());
    return;
  }
  // Records the previous service stored but could not release before it died.
  while (r.popped() < want) {
    const auto span = r.peek(want - r.popped());
    if (span.size() > 0) r.release(span.size());
    else if (!r.skip_corrupt()) break;
  }
}

void ReplayService::start() {
  if (!threads_.empty()) return;
  threads_.emplace_back([this] { writer_loop(); });
  for (int r = 0; r < opts_.learners; ++r) threads_.emplace_back([this, r] { sampler_loop(r); });
}

void ReplayService::stop() {
  stop_.store(true);
  limiter_.shutdown();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  storage_.header().limiter_diff.store(limiter_.counters().diff);
}

double ReplayService::beta_now() const {
  if (opts_.beta_anneal_samples == 0) return opts_.beta;
  const double t = static_cast<double>(storage_.header().samples.load(std::memory_order_relaxed)) /
                   static_cast<double>(opts_.beta_anneal_samples);
  return opts_.beta + (1.0 - opts_.beta) * std::min(1.0, t);
}

void ReplayService::publish_stats() {
  const auto lc = limiter_.counters();
  auto& h = storage_.header();
  h.limiter_diff.store(lc.diff);
  auto& s = *stats_;
  s.set("ready", !threads_.empty() && !stop_.load() ? 1 : 0);
  s.set("generation", static_cast<double>(storage_.generation()));
  s.set("size", static_cast<double>(storage_.size()));
  s.set("capacity", static_cast<double>(opts_.capacity));
  s.set("inserts", static_cast<double>(storage_.committed()));
  s.set("samples", static_cast<double>(h.samples.load()));
  s.set("batches", static_cast<double>(c_.batches.load()));
  s.set("insert_blocked_s", lc.insert_blocked_s);
  s.set("sample_blocked_s", lc.sample_blocked_s);
  s.set("rejected_items", static_cast<double>(c_.rejected_items.load()));
  s.set("corrupt_records", static_cast<double>(c_.corrupt_records.load()));
  s.set("corrupt_stored", static_cast<double>(h.corrupt_stored.load()));
  s.set("corrupt_stored_sampled", static_cast<double>(c_.corrupt_stored_sampled.load()));
  s.set("corrupt_stored_scrubbed", static_cast<double>(c_.corrupt_stored_scrubbed.load()));
  s.set("priority_updates", static_cast<double>(c_.prio_applied.load()));
  s.set("priority_updates_stale", static_cast<double>(c_.prio_stale.load()));
  s.set("priority_updates_rejected", static_cast<double>(c_.prio_rejected.load()));
  s.set("priority_updates_ignored", static_cast<double>(c_.prio_ignored.load()));
  s.set("checkpoints", static_cast<double>(c_.checkpoints.load()));
  s.set("limiter_diff", lc.diff);
  s.set("beta", beta_now());
  s.set("max_priority", h.max_priority.load());
  for (int a = 0; a < opts_.actors; ++a) {
    actor_insert_stats_[a]->store(static_cast<double>(actor_inserts(a)), std::memory_order_relaxed);
  }
  writer_clock_->publish();
  for (auto& c : sampler_clocks_) c->publish();
}

std::string ReplayService::default_checkpoint_path() const {
  return run_.run_dir + "/checkpoints/replay.ckpt";
}

void ReplayService::checkpoint(const std::string& path) {
  std::lock_guard lock(mu_);
  const auto& h = storage_.header();
  CheckpointState s;
  s.begin = storage_.begin();
  s.end = storage_.committed();
  s.samples = h.samples.load();
  s.limiter_diff = limiter_.counters().diff;
  s.max_priority = h.max_priority.load();
  s.generation = storage_.generation();
  write_checkpoint(path, storage_, schema_, s);
  c_.checkpoints.fetch_add(1);
}

bool ReplayService::selector_consistent() {
  std::lock_guard lock(mu_);
  auto* p = dynamic_cast<PrioritizedSelector*>(selector_.get());
  if (!p) return true;
  const uint64_t b = storage_.begin(), e = storage_.committed(), cap = opts_.capacity;
  for (uint64_t slot = 0; slot < cap; ++slot) {
    const uint64_t key = key_of_slot(slot, b, cap);
    const double want = key < e && e > b ? p->scaled(storage_.priorities()[slot]) : 0.0;
    if (p->tree().leaf(slot) != want) return false;
  }
  return p->tree().consistent();
}

}  // namespace shmrl::replay
