#pragma once
// What one actor process needs, read from the shared config file (configs/cartpole.toml format):
//   [run] seed, [env] id, [actor] *, and the network shape [learner] hidden / dueling (the learner
//   trains the very network the actor runs, so the shape has one home).
// Keys missing from the file keep the defaults below (those of configs/cartpole.toml); present keys
// must have the right type. Plain C++ (toml++).
#include <cstdint>
#include <string>
#include <vector>

#include "actors/envs/kwargs.h"

namespace shmrl::actors {

struct ActorOptions {
  std::string env_id = "CartPole-v1";
  envs::EnvKwargs env_kwargs;  // env.kwargs: make_env keyword arguments (env_config.h)
  int envs_per_actor = 16;        // >= 1
  int n_step = 3;                 // >= 1
  double gamma = 0.99;            // (0, 1]
  double epsilon_base = 0.4;      // [0, 1]
  double epsilon_alpha = 7.0;     // >= 0
  int64_t weight_sync_steps = 50; // >= 1 vector steps between weight-board checks
  int push_batch = 64;            // >= 1 records per ring commit, <= ring_capacity
  int64_t ring_capacity = 65536;  // power of two in [2, 2^30]
  int torch_threads = 1;          // >= 1
  std::vector<int64_t> hidden{128, 128};  // each > 0
  bool dueling = true;
  double noise_std = 0.1;         // actor.noise_std: TD3's Gaussian noise std / half-range, >= 0
  double noise_scale_min = 1.0;   // actor.noise_scale_min: last actor's noise multiplier, (0, 1]
  std::string algorithm = "auto"; // learner.algorithm: auto | dqn | sac | td3 (resolved per env)
  uint64_t seed = 1;
  int actor_id = 0;               // 0 <= actor_id < num_actors
  int num_actors = 1;             // >= 1
  uint64_t max_steps = 0;         // stop at the first vector step reaching this many env steps
                                  // (all envs together); 0 = until stopped

  // Throws std::invalid_argument naming the key, its value and what is allowed.
  void validate() const;
  // Reads the sections above from a TOML file (actor id / count / seed / max_steps come from the
  // command line and stay at their defaults here). Throws std::invalid_argument naming the file and
  // key (parse errors with line and column). Validates.
  static ActorOptions from_toml_file(const std::string& path);
};

}  // namespace shmrl::actors
