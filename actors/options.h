#pragma once
// What one actor process needs, read from the shared config file (configs/cartpole.toml format):
//   [run] seed, [env] id / kwargs, [actor] *, and the network shape [learner] hidden / dueling (the
//   learner trains the very network the actor runs, so the shape has one home).
// Keys missing from the file take their schema defaults (common/config_schema.cpp, the only place
// defaults live); keys the schema does not know are refused. Plain C++ (toml++).
#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "actors/envs/kwargs.h"

namespace shmrl::actors {

struct ActorOptions {
  // Config keys: no defaults here (zero values fail validate()); defaults() gives the schema's.
  std::string env_id;             // env.id
  envs::EnvKwargs env_kwargs;     // env.kwargs: make_env keyword arguments (env_config.h)
  std::string python_modules;     // env.python_modules: gym: ids, comma-separated
  int envs_per_actor = 0;         // actor.envs_per_actor
  int n_step = 0;                 // actor.n_step
  double gamma = 0;               // actor.gamma
  double epsilon_base = 0;        // actor.epsilon_base
  double epsilon_alpha = 0;       // actor.epsilon_alpha
  bool epsilon_per_env = false;   // actor.epsilon_per_env: explorer actor * E + e of N * E, else actor of N
  int64_t weight_sync_steps = 0;  // actor.weight_sync_steps: vector steps between weight-board checks
  int push_batch = 0;             // actor.push_batch: records per ring commit, <= ring_capacity
  int64_t ring_capacity = 0;      // actor.ring_capacity
  int torch_threads = 0;          // actor.torch_threads
  std::vector<int64_t> hidden;    // learner.hidden
  bool dueling = false;           // learner.dueling
  double noise_std = 0;           // actor.noise_std: TD3's Gaussian noise std / half-range
  double noise_scale_min = 0;     // actor.noise_scale_min: the last actor's noise multiplier
  std::string algorithm;          // learner.algorithm: auto | dqn | sac | td3 (resolved per env)
  std::string network;            // learner.network: auto | mlp | nature_cnn (resolved per env)
  std::string initial_priority;   // actor.initial_priority: max (the replay's running max) | actor
  double priority_epsilon = 0;    // learner.priority_epsilon: added to |TD error|, as the learner does
  uint64_t seed = 0;              // run.seed
  // From the command line, not the config.
  int actor_id = 0;               // 0 <= actor_id < num_actors
  int num_actors = 1;             // >= 1
  uint64_t max_steps = 0;         // stop at the first vector step reaching this many env steps
                                  // (all envs together); 0 = until stopped

  // Each config key against its schema row, plus push_batch <= ring_capacity and the actor id.
  // Throws std::invalid_argument naming the key, its value and what is allowed.
  void validate() const;
  // Every config key at its schema default.
  static ActorOptions defaults();
  // Reads the sections above from a parsed config (actor id / count / max_steps stay as above);
  // `source` prefixes errors. Throws std::invalid_argument naming the key. Validates.
  static ActorOptions from_toml(const toml::table& table, const std::string& source);
  // The same from a TOML file (parse errors with line and column).
  static ActorOptions from_toml_file(const std::string& path);
};

}  // namespace shmrl::actors
