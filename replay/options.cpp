#include "replay/options.h"

#include <toml++/toml.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "common/shm/segment.h"
#include "replay/storage.h"

namespace shmrl::replay {
namespace {

[[noreturn]] void bad(std::string_view key, const std::string& value, const std::string& allowed) {
  throw std::invalid_argument("config key " + std::string(key) + " = " + value + ": " + allowed);
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

bool pow2(uint64_t v) { return v >= 2 && (v & (v - 1)) == 0; }

const toml::node* find(const toml::table& cfg, std::string_view section, std::string_view key) {
  const auto* sec = cfg.get_as<toml::table>(section);
  return sec ? sec->get(key) : nullptr;
}

int64_t get_int(const toml::table& cfg, std::string_view section, std::string_view key, int64_t def) {
  const auto* n = find(cfg, section, key);
  if (!n) return def;
  if (auto v = n->value_exact<int64_t>()) return *v;
  bad(std::string(section) + "." + std::string(key), "(not an integer)", "must be an integer");
}

double get_float(const toml::table& cfg, std::string_view section, std::string_view key, double def) {
  const auto* n = find(cfg, section, key);
  if (!n) return def;
  if (auto v = n->value_exact<double>()) return *v;
  if (auto v = n->value_exact<int64_t>()) return static_cast<double>(*v);
  bad(std::string(section) + "." + std::string(key), "(not a number)", "must be a number");
}

bool get_bool(const toml::table& cfg, std::string_view section, std::string_view key, bool def) {
  const auto* n = find(cfg, section, key);
  if (!n) return def;
  if (auto v = n->value_exact<bool>()) return *v;
  bad(std::string(section) + "." + std::string(key), "(not a boolean)", "must be true or false");
}

std::string get_string(const toml::table& cfg, std::string_view section, std::string_view key,
                       std::string def) {
  const auto* n = find(cfg, section, key);
  if (!n) return def;
  if (auto v = n->value_exact<std::string>()) return *v;
  bad(std::string(section) + "." + std::string(key), "(not a string)", "must be a string");
}

uint64_t non_negative(std::string_view key, int64_t v) {
  if (v < 0) bad(key, std::to_string(v), "must be >= 0");
  return static_cast<uint64_t>(v);
}

constexpr std::string_view kReplayKeys[] = {
    "capacity", "selector", "alpha", "beta", "beta_anneal_samples", "min_size_to_sample",
    "samples_per_insert", "error_buffer", "batch_slots", "priority_ring_capacity",
    "initial_max_priority", "checkpoint_period_s", "checkpoint_on_exit", "restore_from"};

}  // namespace

void ReplayOptions::validate() const {
  if (actors < 1 || actors > 1024) bad("run.actors", std::to_string(actors), "must be in [1, 1024]");
  if (learners < 1 || learners > 64)
    bad("run.learners", std::to_string(learners), "must be in [1, 64]");
  if (!pow2(ring_capacity))
    bad("actor.ring_capacity", std::to_string(ring_capacity), "must be a power of two >= 2");
  if (batch_size < 1 || batch_size > (1u << 20))
    bad("learner.batch_size", std::to_string(batch_size), "must be in [1, 1048576]");
  if (capacity < 1 || capacity > (uint64_t{1} << 31))
    bad("replay.capacity", std::to_string(capacity), "must be in [1, 2147483648]");
  if (!(alpha >= 0 && alpha <= 10)) bad("replay.alpha", num(alpha), "must be in [0, 10] (not NaN)");
  if (!(beta >= 0 && beta <= 1)) bad("replay.beta", num(beta), "must be in [0, 1] (not NaN)");
  if (min_size_to_sample < 1 || min_size_to_sample > capacity)
    bad("replay.min_size_to_sample", std::to_string(min_size_to_sample),
        "must be in [1, replay.capacity = " + std::to_string(capacity) +
            "]: sampling starts only once that many items are stored; raise replay.capacity or "
            "lower replay.min_size_to_sample");
  if (!(samples_per_insert > 0 && std::isfinite(samples_per_insert)))
    bad("replay.samples_per_insert", num(samples_per_insert), "must be a finite number > 0");
  const double need = (static_cast<double>(batch_size) + samples_per_insert) / 2;
  if (!(error_buffer >= 0)) bad("replay.error_buffer", num(error_buffer), "must be >= 0 (not NaN)");
  if (error_buffer < need)
    bad("replay.error_buffer", num(error_buffer),
        "must be >= (learner.batch_size + replay.samples_per_insert) / 2 = " + num(need) +
            ", or the rate limiter can reach a state where both samplers (which take " +
            std::to_string(batch_size) + " at a time) and inserters (each adding " +
            num(samples_per_insert) +
            ") wait for each other forever; raise replay.error_buffer (or lower "
            "learner.batch_size / replay.samples_per_insert)");
  if (batch_slots < 2 || batch_slots > 16)
    bad("replay.batch_slots", std::to_string(batch_slots), "must be in [2, 16]");
  if (!pow2(priority_ring_capacity) || priority_ring_capacity < batch_size)
    bad("replay.priority_ring_capacity", std::to_string(priority_ring_capacity),
        "must be a power of two >= learner.batch_size (" + std::to_string(batch_size) + ")");
  if (!(initial_max_priority > 0 && std::isfinite(initial_max_priority)))
    bad("replay.initial_max_priority", num(initial_max_priority), "must be a finite number > 0");
  if (!(checkpoint_period_s >= 0 && std::isfinite(checkpoint_period_s)))
    bad("replay.checkpoint_period_s", num(checkpoint_period_s),
        "must be a finite number >= 0 (0 = no periodic checkpoint)");
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
    bad("replay.capacity", std::to_string(capacity),
        "the storage needs " + std::to_string(bytes >> 20) + " MiB of /dev/shm (" +
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
  const auto i32 = [&](std::string_view sec, std::string_view key, int64_t def) {
    const int64_t v = get_int(cfg, sec, key, def);
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
      bad(std::string(sec) + "." + std::string(key), std::to_string(v), "is out of range");
    return v;
  };
  o.actors = static_cast<int>(i32("run", "actors", o.actors));
  o.learners = static_cast<int>(i32("run", "learners", o.learners));
  o.seed = non_negative("run.seed", get_int(cfg, "run", "seed", 1));
  o.env_id = get_string(cfg, "env", "id", o.env_id);
  o.ring_capacity = static_cast<uint32_t>(
      non_negative("actor.ring_capacity", i32("actor", "ring_capacity", o.ring_capacity)));
  o.batch_size = static_cast<uint32_t>(
      non_negative("learner.batch_size", i32("learner", "batch_size", o.batch_size)));
  o.capacity = non_negative("replay.capacity", get_int(cfg, "replay", "capacity", 100000));
  const std::string sel = get_string(cfg, "replay", "selector", "prioritized");
  if (sel == "prioritized") o.selector = SelectorKind::Prioritized;
  else if (sel == "uniform") o.selector = SelectorKind::Uniform;
  else bad("replay.selector", "\"" + sel + "\"", "must be \"prioritized\" or \"uniform\"");
  o.alpha = get_float(cfg, "replay", "alpha", o.alpha);
  o.beta = get_float(cfg, "replay", "beta", o.beta);
  o.beta_anneal_samples = non_negative(
      "replay.beta_anneal_samples", get_int(cfg, "replay", "beta_anneal_samples", 2000000));
  o.min_size_to_sample =
      non_negative("replay.min_size_to_sample", get_int(cfg, "replay", "min_size_to_sample", 2000));
  o.samples_per_insert = get_float(cfg, "replay", "samples_per_insert", o.samples_per_insert);
  o.error_buffer = get_float(cfg, "replay", "error_buffer", o.error_buffer);
  o.batch_slots = static_cast<uint32_t>(
      non_negative("replay.batch_slots", i32("replay", "batch_slots", o.batch_slots)));
  o.priority_ring_capacity = static_cast<uint32_t>(non_negative(
      "replay.priority_ring_capacity", i32("replay", "priority_ring_capacity", 65536)));
  o.initial_max_priority = get_float(cfg, "replay", "initial_max_priority", o.initial_max_priority);
  o.checkpoint_period_s = get_float(cfg, "replay", "checkpoint_period_s", 0);
  o.checkpoint_on_exit = get_bool(cfg, "replay", "checkpoint_on_exit", false);
  o.restore_from = get_string(cfg, "replay", "restore_from", "");
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
