#pragma once
// What one learner process needs, read from the shared config file (configs/cartpole.toml format):
//   [run] seed, learners, actors, device; [env] id; [replay] batch_slots; [learner] *.
// Keys missing from the file keep the defaults below (those of configs/cartpole.toml); present keys
// must have the right type. Validated on load (std::invalid_argument naming key, value, allowed).
#include <cstdint>
#include <string>
#include <vector>

#include "actors/envs/kwargs.h"

namespace shmrl::learner {

struct LearnerOptions {
  std::string env_id = "CartPole-v1";
  envs::EnvKwargs env_kwargs;  // env.kwargs: make_env keyword arguments (env_config.h)
  uint64_t seed = 1;
  int world_size = 1;             // [run] learners, >= 1
  int num_actors = 2;             // [run] actors, >= 1 (their env-step counters go in checkpoints)
  int batch_slots = 3;            // [replay] batch_slots, >= 2 (bounds the CPU prefetch depth)
  std::string device = "auto";    // [run] device: auto | cpu | cuda
  int64_t batch_size = 256;       // >= 1
  std::vector<int64_t> hidden{128, 128};  // each > 0
  bool dueling = true;
  bool double_dqn = true;
  double lr = 1e-3;               // > 0
  double adam_eps = 1e-8;         // > 0
  double grad_clip_norm = 10.0;   // > 0 (clip the global gradient norm to this)
  int64_t target_update_period = 500;  // >= 0; 0 = Polyak averaging with tau every update
  double tau = 0.0;               // (0, 1] when target_update_period == 0, else ignored
  int64_t publish_period = 10;    // >= 1 updates between weight-board publications
  double checkpoint_period_s = 60;  // > 0 seconds between checkpoints (rank 0)
  int torch_threads = 1;          // >= 1 intra-op threads
  std::string master_addr = "127.0.0.1";  // rank 0's TCPStore host (learners > 1)
  int master_port = 0;            // its port: 1..65535 when learners > 1 (the launcher picks one)
  double priority_epsilon = 1e-6; // >= 0 added to |td| for replay priorities
  double huber_kappa = 1.0;       // > 0
  // Continuous control (SAC, TD3): see learner/actor_critic.h for each key's meaning.
  std::string algorithm = "auto";  // auto | dqn | sac | td3 (common/algorithm.h)
  double actor_lr = 3e-4, alpha_lr = 3e-4, critic_tau = 0.005, sac_alpha = 1.0;
  bool sac_auto_alpha = true;
  int64_t td3_policy_delay = 2;
  double td3_target_noise = 0.2, td3_noise_clip = 0.5;

  void validate() const;
  // Reads a TOML file. Throws std::invalid_argument naming the file and key (parse errors with
  // line and column). Validates.
  static LearnerOptions from_toml_file(const std::string& path);
};

}  // namespace shmrl::learner
