#pragma once
// ReplayOptions: everything the replay service reads from the resolved run config, validated at
// construction so a bad value fails before any segment exists.
//
// Keys read (a missing key takes the default shown; an unknown key in [replay] is an error):
//   [run]     actors (2), learners (1), seed (1)
//   [env]     id ("CartPole-v1")                -> the service builds the TransitionSchema from
//                                                  envs::make_env(id)'s spaces (replay/command.cpp)
//   [actor]   ring_capacity (65536)             -> capacity of the actor rings the service creates
//   [learner] batch_size (256)                  -> transitions per batch slot
//   [replay]  capacity (100000), selector ("prioritized" | "uniform"), alpha (0.6), beta (0.4),
//             beta_anneal_samples (2000000; 0 = beta stays fixed), min_size_to_sample (2000),
//             samples_per_insert (4.0), error_buffer (4000.0; inf = no ratio, only min size),
//             batch_slots (3), priority_ring_capacity (65536), initial_max_priority (1.0),
//             checkpoint_period_s (0 = no periodic checkpoint), checkpoint_on_exit (false),
//             restore_from ("" = none; a checkpoint file loaded when no storage segment exists)
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

namespace shmrl::replay {

enum class SelectorKind : uint8_t { Uniform = 0, Prioritized = 1 };

struct ReplayOptions {
  // [run] / [env] / [actor] / [learner] values the service needs.
  int actors = 2;
  int learners = 1;
  uint64_t seed = 1;
  std::string env_id = "CartPole-v1";
  envs::EnvKwargs env_kwargs;  // env.kwargs: make_env keyword arguments (env_config.h)
  uint32_t ring_capacity = 65536;  // power of two >= 2
  uint32_t batch_size = 256;       // >= 1

  // [replay]
  uint64_t capacity = 100000;  // 1 .. 2^31
  SelectorKind selector = SelectorKind::Prioritized;
  double alpha = 0.6;                   // [0, 10]
  double beta = 0.4;                    // [0, 1]
  uint64_t beta_anneal_samples = 2000000;
  uint64_t min_size_to_sample = 2000;   // 1 .. capacity
  double samples_per_insert = 4.0;      // > 0, finite
  double error_buffer = 4000.0;         // >= (batch_size + samples_per_insert) / 2, may be +inf
  uint32_t batch_slots = 3;             // 2 .. 16
  uint32_t priority_ring_capacity = 65536;  // power of two >= 2
  double initial_max_priority = 1.0;    // > 0, finite: priority of the first items without one
  double checkpoint_period_s = 0;       // >= 0
  bool checkpoint_on_exit = false;
  std::string restore_from;

  // Throws std::invalid_argument naming the key, its value and what is allowed (and for the
  // limiter, what to change). Checks everything that does not need the schema.
  void validate() const;
  // Bytes of /dev/shm the storage needs for records of `record_bytes` (storage header, records,
  // priorities).
  std::size_t storage_bytes(std::size_t record_bytes) const;
  // validate() plus: the storage for `record_bytes`-sized records fits /dev/shm. Throws
  // std::invalid_argument naming replay.capacity with the sizes when it does not.
  void validate_for(std::size_t record_bytes) const;
};

// Reads the keys above from TOML text (absent keys keep their defaults) and validates. Throws
// std::invalid_argument (parse error with line and column, wrong type, unknown [replay] key, bad
// value).
ReplayOptions parse_replay_options(std::string_view toml_text);
// Same from a TOML file; std::runtime_error if it cannot be read.
ReplayOptions load_replay_options(const std::string& path);

}  // namespace shmrl::replay
