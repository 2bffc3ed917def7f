#include "replay/options.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "actors/envs/env_config.h"
#include "common/config_schema.h"
#include "common/shm/segment.h"
#include "common/toml_reader.h"
#include "common/schema.h"
#include "common/shm/spsc_ring.h"
#include "replay/batch_slots.h"
#include "replay/priority_updates.h"
#include "replay/storage.h"

namespace shmrl::replay {
void ReplayOptions::validate() const {
  check_key("run.actors", actors);
  check_key("run.learners", learners);
  check_key("run.seed", seed);
  check_key("env.id", env_id);
  check_key("actor.ring_capacity", ring_capacity);
  check_key("learner.batch_size", batch_size);
  check_key("replay.capacity", capacity);
  if (batch_size > capacity)
    bad_option("learner.batch_size", std::to_string(batch_size),
        "<= replay.capacity (" + std::to_string(capacity) + ")");
  check_key("replay.alpha", alpha);
  check_key("replay.beta", beta);
  check_key("replay.beta_anneal_samples", beta_anneal_samples);
  check_key("replay.min_size_to_sample", min_size_to_sample);
  if (min_size_to_sample > capacity)
    bad_option("replay.min_size_to_sample", std::to_string(min_size_to_sample),
        "<= replay.capacity (" + std::to_string(capacity) +
            "): sampling starts only once that many items are stored; raise replay.capacity or "
            "lower replay.min_size_to_sample");
  check_key("replay.samples_per_insert", samples_per_insert);
  check_key("replay.error_buffer", error_buffer);
  const double need = (static_cast<double>(batch_size) + samples_per_insert) / 2;
  if (error_buffer < need)
    bad_option("replay.error_buffer", to_text(error_buffer),
        ">= (learner.batch_size + replay.samples_per_insert) / 2 = " + to_text(need) +
            ", or the rate limiter can reach a state where both samplers (which take " +
            std::to_string(batch_size) + " at a time) and inserters (each adding " +
            to_text(samples_per_insert) +
            ") wait for each other forever; raise replay.error_buffer (or lower "
            "learner.batch_size / replay.samples_per_insert)");
  check_key("replay.batch_slots", batch_slots);
  check_key("replay.priority_ring_capacity", priority_ring_capacity);
  if (priority_ring_capacity < batch_size)
    bad_option("replay.priority_ring_capacity", std::to_string(priority_ring_capacity),
        "a power of two >= learner.batch_size (" + std::to_string(batch_size) + ")");
  check_key("replay.initial_max_priority", initial_max_priority);
  check_key("replay.checkpoint_period_s", checkpoint_period_s);
  check_key("replay.storage", storage);
}

bool ReplayOptions::frames_for(const TransitionSchema& schema) const {
  const Space& obs = schema.obs_space();
  if (storage == "records") return false;
  if (storage == "auto") return FrameStore::applies(obs) && obs.shape[1] == 84 && obs.shape[2] == 84;
  if (!FrameStore::applies(obs))
    bad_option("replay.storage", "\"frames\"", "\"auto\" or \"records\" for observations " + obs.describe() +
               " (frames needs uint8 frame stacks [k >= 2, H, W])");
  return true;
}

std::size_t ReplayOptions::storage_bytes(const TransitionSchema& schema) const {
  return Storage::bytes_needed(capacity, schema, frames_for(schema));
}

std::size_t ReplayOptions::segment_bytes(const TransitionSchema& schema) const {
  const std::size_t ring = shm::SpscRing::bytes_needed({static_cast<uint32_t>(schema.record_bytes()), ring_capacity});
  const std::size_t priorities = shm::SpscRing::bytes_needed({sizeof(PriorityUpdate), priority_ring_capacity});
  const std::size_t batches = batch_segment_bytes(schema, batch_size, batch_slots);
  return storage_bytes(schema) + static_cast<std::size_t>(actors) * ring +
         static_cast<std::size_t>(learners) * (priorities + batches);
}

void ReplayOptions::validate_for(const TransitionSchema& schema) const {
  validate();
  const std::size_t bytes = storage_bytes(schema), record_bytes = schema.record_bytes();
  try {
    shm::check_shm_space(bytes);
  } catch (const shm::ShmSpaceError& e) {
    bad_option("replay.capacity", std::to_string(capacity),
        "small enough for /dev/shm: the storage needs " + std::to_string(bytes >> 20) + " MiB of /dev/shm (" +
            std::to_string(record_bytes) + "-byte records): lower replay.capacity or give /dev/shm "
            "more room. " + e.what());
  }
}

ReplayOptions parse_replay_options(std::string_view text) {
  toml::table cfg;
  try {
    cfg = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    m << "config: TOML parse error at line " << e.source().begin.line << ", column "
      << e.source().begin.column << ": " << e.description();
    throw std::invalid_argument(m.str());
  }
  ReplayOptions o;
  const TomlReader r(cfg, "config");
  r.get("run.actors", o.actors);
  r.get("run.learners", o.learners);
  r.get("run.seed", o.seed);
  envs::read_env_config(r, o.env_id, o.env_kwargs);
  r.get("actor.ring_capacity", o.ring_capacity);
  r.get("learner.batch_size", o.batch_size);
  r.get("replay.capacity", o.capacity);
  std::string sel;
  r.get("replay.selector", sel);
  check_key("replay.selector", sel);
  o.selector = sel == "uniform" ? SelectorKind::Uniform : SelectorKind::Prioritized;
  r.get("replay.alpha", o.alpha);
  r.get("replay.beta", o.beta);
  r.get("replay.beta_anneal_samples", o.beta_anneal_samples);
  r.get("replay.min_size_to_sample", o.min_size_to_sample);
  r.get("replay.samples_per_insert", o.samples_per_insert);
  r.get("replay.error_buffer", o.error_buffer);
  r.get("replay.batch_slots", o.batch_slots);
  r.get("replay.priority_ring_capacity", o.priority_ring_capacity);
  r.get("replay.initial_max_priority", o.initial_max_priority);
  r.get("replay.checkpoint_period_s", o.checkpoint_period_s);
  r.get("replay.checkpoint_on_exit", o.checkpoint_on_exit);
  r.get("replay.restore_from", o.restore_from);
  r.get("replay.storage", o.storage);
  o.validate();
  return o;
}

ReplayOptions load_replay_options(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read config file '" + path + "'");
  std::stringstream s;
  s << in.rdbuf();
  return parse_replay_options(s.str());
}

}  // namespace shmrl::replay
