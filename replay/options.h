#pragma once
// ReplayOptions: everything the replay service reads from the resolved run config, validated at
// construction so a bad value fails before any segment exists.
//
// Keys read: [run] actors, learners, seed; [env] id, kwargs (the service builds the TransitionSchema
// from envs::make_env's spaces, replay/command.cpp); [actor] ring_capacity (of the actor rings the
// service creates); [learner] batch_size (transitions per batch slot); [replay] every key. A missing
// key takes its schema default (common/config_schema.cpp, the only place defaults live); a key the
// schema does not know is refused.
//
// Rate-limiter rule (why the deadlock check is what it is): with diff = inserts * spi - samples,
// min_diff = spi * min_size - error_buffer and max_diff = spi * min_size + error_buffer, a sampler
// taking a batch of B needs diff - B >= min_diff and an inserter needs diff + spi <= max_diff (once
// the table holds min_size items). Both are blocked only if max_diff - spi < diff < min_diff + B,
// which no diff satisfies iff max_diff - min_diff >= B + spi, i.e. error_buffer >= (B + spi) / 2.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "actors/envs/kwargs.h"

namespace shmrl {
class TransitionSchema;  // common/schema.h
}  // namespace shmrl

namespace shmrl::replay {

enum class SelectorKind : uint8_t { Uniform = 0, Prioritized = 1 };

// Config keys only: no defaults here (zero values fail validate()); parse_replay_options("") gives
// the schema's.
struct ReplayOptions {
  // [run] / [env] / [actor] / [learner] values the service needs.
  int actors = 0;
  int learners = 0;
  uint64_t seed = 0;
  std::string env_id;
  envs::EnvKwargs env_kwargs;  // env.kwargs: make_env keyword arguments (env_config.h)
  uint32_t ring_capacity = 0;  // actor.ring_capacity
  uint32_t batch_size = 0;     // learner.batch_size

  // [replay]
  uint64_t capacity = 0;
  SelectorKind selector = SelectorKind::Prioritized;
  double alpha = 0;
  double beta = 0;
  uint64_t beta_anneal_samples = 0;     // 0 = beta stays fixed
  uint64_t min_size_to_sample = 0;      // <= capacity
  double samples_per_insert = 0;
  double error_buffer = 0;              // >= (batch_size + samples_per_insert) / 2, may be +inf
  uint32_t batch_slots = 0;
  uint32_t priority_ring_capacity = 0;  // >= batch_size
  double initial_max_priority = 0;      // priority of the first items without one
  double checkpoint_period_s = 0;       // 0 = no periodic checkpoint
  bool checkpoint_on_exit = false;
  std::string restore_from;             // "" = none
  std::string storage;                  // auto | records | frames (frames_for says which applies)

  // Each key against its schema row, plus the cross-key rules (sizes within capacity, the limiter
  // deadlock rule). Throws std::invalid_argument naming the key, its value and what is allowed (and
  // for the limiter, what to change).
  void validate() const;
  // Whether `schema`'s records are stored frame-deduplicated (replay/frame_store.h): replay.storage
  // = "frames", or "auto" and observations of uint8 frame stacks [k >= 2, 84, 84]. Throws
  // std::invalid_argument naming the key when "frames" is asked of observations that are not uint8
  // frame stacks.
  bool frames_for(const TransitionSchema& schema) const;
  // Bytes of /dev/shm the storage needs for `schema`'s records (storage header, records or frame
  // items and their frames, priorities).
  std::size_t storage_bytes(const TransitionSchema& schema) const;
  // Bytes of /dev/shm all of the service's segments need for `schema`: storage, one ring per actor,
  // one priority ring and one batch segment per learner.
  std::size_t segment_bytes(const TransitionSchema& schema) const;
  // validate() plus: the storage for `schema`'s records fits /dev/shm. Throws
  // std::invalid_argument naming replay.capacity with the sizes when it does not.
  void validate_for(const TransitionSchema& schema) const;
};

// Reads the keys above from TOML text (absent keys take their schema defaults) and validates. Throws
// std::invalid_argument (parse error with line and column, wrong type, unknown key, bad value).
ReplayOptions parse_replay_options(std::string_view toml_text);
// Same from a TOML file; std::runtime_error if it cannot be read.
ReplayOptions load_replay_options(const std::string& path);

}  // namespace shmrl::replay
