#include "replay/options.h"

#include <toml++/toml.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "actors/envs/env_config.h"
#include "common/shm/segment.h"
#include "common/toml_reader.h"
#include "replay/storage.h"

namespace shmrl::replay {
namespace {

bool pow2(uint64_t v) { return v >= 2 && (v & (v - 1)) == 0; }

constexpr std::string_view kReplayKeys[] = {
    "capacity", "selector", "alpha", "beta", "beta_anneal_samples", "min_size_to_sample",
    "samples_per_insert", "error_buffer", "batch_slots", "priority_ring_capacity",
    "initial_max_priority", "checkpoint_period_s", "checkpoint_on_exit", "restore_from"};

}  // namespace

void ReplayOptions::validate() const {
  if (actors < 1 || actors > 1024) bad_option("run.actors", std::to_string(actors), "in [1, 1024]");
  if (learners < 1 || learners > 64)
    bad_option("run.learners", std::to_string(learners), "in [1, 64]");
  if (!pow2(ring_capacity))
    bad_option("actor.ring_capacity", std::to_string(ring_capacity), "a power of two >= 2");
  if (batch_size < 1 || batch_size > (1u << 20))
    bad_option("learner.batch_size", std::to_string(batch_size), "in [1, 1048576]");
  if (capacity < 1 || capacity > (uint64_t{1} << 31))
    bad_option("replay.capacity", std::to_string(capacity), "in [1, 2147483648]");
  if (!(alpha >= 0 && alpha <= 10)) bad_option("replay.alpha", to_text(alpha), "in [0, 10] (not NaN)");
  if (!(beta >= 0 && beta <= 1)) bad_option("replay.beta", to_text(beta), "in [0, 1] (not NaN)");
  if (min_size_to_sample < 1 || min_size_to_sample > capacity)
    bad_option("replay.min_size_to_sample", std::to_string(min_size_to_sample),
        "in [1, replay.capacity = " + std::to_string(capacity) +
            "]: sampling starts only once that many items are stored; raise replay.capacity or "
            "lower replay.min_size_to_sample");
  if (!(samples_per_insert > 0 && std::isfinite(samples_per_insert)))
    bad_option("replay.samples_per_insert", to_text(samples_per_insert), "a finite number > 0");
  const double need = (static_cast<double>(batch_size) + samples_per_insert) / 2;
  if (!(error_buffer >= 0)) bad_option("replay.error_buffer", to_text(error_buffer), ">= 0 (not NaN)");
  if (error_buffer < need)
    bad_option("replay.error_buffer", to_text(error_buffer),
        ">= (learner.batch_size + replay.samples_per_insert) / 2 = " + to_text(need) +
            ", or the rate limiter can reach a state where both samplers (which take " +
            std::to_string(batch_size) + " at a time) and inserters (each adding " +
            to_text(samples_per_insert) +
            ") wait for each other forever; raise replay.error_buffer (or lower "
            "learner.batch_size / replay.samples_per_insert)");
  if (batch_slots < 2 || batch_slots > 16)
    bad_option("replay.batch_slots", std::to_string(batch_slots), "in [2, 16]");
  if (!pow2(priority_ring_capacity) || priority_ring_capacity < batch_size)
    bad_option("replay.priority_ring_capacity", std::to_string(priority_ring_capacity),
        "a power of two >= learner.batch_size (" + std::to_string(batch_size) + ")");
  if (!(initial_max_priority > 0 && std::isfinite(initial_max_priority)))
    bad_option("replay.initial_max_priority", to_text(initial_max_priority), "a finite number > 0");
  if (!(checkpoint_period_s >= 0 && std::isfinite(checkpoint_period_s)))
    bad_option("replay.checkpoint_period_s", to_text(checkpoint_period_s),
        "a finite number >= 0 (0 = no periodic checkpoint)");
}

std::size_t ReplayOptions::storage_bytes(std::size_t record_bytes) const {
  return Storage::bytes_needed(capacity, record_bytes);
}

void ReplayOptions::validate_for(std::size_t record_bytes) const {
  validate();
  const std::size_t bytes = storage_bytes(record_bytes);
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
  if (const auto* sec = cfg.get_as<toml::table>("replay")) {
    for (const auto& [k, v] : *sec) {
      bool known = false;
      for (auto name : kReplayKeys) known = known || k.str() == name;
      if (!known) {
        std::string list;
        for (auto name : kReplayKeys) list += (list.empty() ? "" : ", ") + std::string(name);
        throw std::invalid_argument("config key replay." + std::string(k.str()) +
                                    " is unknown; [replay] keys are: " + list);
      }
    }
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
  std::string sel = "prioritized";
  r.get("replay.selector", sel);
  if (sel == "prioritized") o.selector = SelectorKind::Prioritized;
  else if (sel == "uniform") o.selector = SelectorKind::Uniform;
  else bad_option("replay.selector", "\"" + sel + "\"", "\"prioritized\" or \"uniform\"");
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
