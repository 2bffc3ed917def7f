#pragma once
// What one learner process needs, read from the shared config file (configs/cartpole.toml format):
//   [run] seed, learners, actors, device; [env] id / kwargs; [replay] batch_slots; [learner] *.
// Keys missing from the file take their schema defaults (common/config_schema.cpp, the only place
// defaults live); keys the schema does not know are refused. Validated on load
// (std::invalid_argument naming key, value, allowed).
#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "actors/envs/kwargs.h"

namespace shmrl::learner {

struct DqnOptions;          // learner/dqn.h
struct ActorCriticOptions;  // learner/actor_critic.h

// Config keys only: no defaults here (zero values fail validate()); defaults() gives the schema's.
struct LearnerOptions {
  std::string env_id;                  // env.id
  envs::EnvKwargs env_kwargs;          // env.kwargs: make_env keyword arguments (env_config.h)
  uint64_t seed = 0;                   // run.seed
  int world_size = 0;                  // run.learners
  int num_actors = 0;                  // run.actors (their env-step counters go in checkpoints)
  int batch_slots = 0;                 // replay.batch_slots (bounds the CPU prefetch depth)
  std::string device;                  // run.device: auto | cpu | cuda
  int64_t batch_size = 0;              // learner.batch_size
  std::vector<int64_t> hidden;         // learner.hidden
  bool dueling = false;                // learner.dueling
  bool double_dqn = false;             // learner.double_dqn
  double lr = 0;                       // learner.lr
  double adam_eps = 0;                 // learner.adam_eps
  double grad_clip_norm = 0;           // learner.grad_clip_norm: clip the global gradient norm to this
  int64_t target_update_period = 0;    // learner.target_update_period; 0 = Polyak averaging with tau
  double tau = 0;                      // learner.tau: (0, 1] when target_update_period == 0
  int64_t publish_period = 0;          // learner.publish_period: updates between publications
  double checkpoint_period_s = 0;      // learner.checkpoint_period_s (rank 0)
  int torch_threads = 0;               // learner.torch_threads: intra-op threads
  std::string master_addr;             // learner.master_addr: rank 0's TCPStore host (learners > 1)
  int master_port = 0;                 // learner.master_port: 1..65535 when learners > 1
  double priority_epsilon = 0;         // learner.priority_epsilon: added to |td| for priorities
  double huber_kappa = 0;              // learner.huber_kappa
  // SAC and TD3 (learner/actor_critic.h says what each does).
  std::string algorithm;               // learner.algorithm: auto | dqn | sac | td3 (common/algorithm.h)
  std::string network;                 // learner.network: auto | mlp | nature_cnn (common/algorithm.h)
  double actor_lr = 0;                 // learner.actor_lr
  double alpha_lr = 0;                 // learner.alpha_lr
  double critic_tau = 0;               // learner.critic_tau
  double sac_alpha = 0;                // learner.sac_alpha
  bool sac_auto_alpha = false;         // learner.sac_auto_alpha
  int64_t td3_policy_delay = 0;        // learner.td3_policy_delay
  double td3_target_noise = 0;         // learner.td3_target_noise
  double td3_noise_clip = 0;           // learner.td3_noise_clip

  // Each key against its schema row, plus the cross-key rules (data-parallel learners need a port;
  // the DQN update's own, DqnOptions::validate).
  void validate() const;
  // The DQN update's options (learner/dqn.h), taken from these.
  DqnOptions dqn_options() const;
  // The SAC and TD3 updates' options (learner/actor_critic.h), taken from these.
  ActorCriticOptions actor_critic_options() const;
  // Every key at its schema default.
  static LearnerOptions defaults();
  // Reads a parsed config; `source` prefixes errors. Throws std::invalid_argument naming the key.
  // Validates.
  static LearnerOptions from_toml(const toml::table& table, const std::string& source);
  // The same from a TOML file (parse errors with line and column).
  static LearnerOptions from_toml_file(const std::string& path);
};

}  // namespace shmrl::learner
