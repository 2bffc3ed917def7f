#include "actors/options.h"

#include <cmath>
#include <stdexcept>

#include "actors/envs/env_config.h"
#include "common/toml_reader.h"

namespace shmrl::actors {

void ActorOptions::validate() const {
  if (env_id.empty()) bad_option("env.id", "\"\"", "a registered environment id");
  if (envs_per_actor < 1) bad_option("actor.envs_per_actor", to_text(envs_per_actor), ">= 1");
  if (n_step < 1) bad_option("actor.n_step", to_text(n_step), ">= 1");
  if (!(gamma > 0 && gamma <= 1)) bad_option("actor.gamma", to_text(gamma), "in (0, 1]");
  if (!(epsilon_base >= 0 && epsilon_base <= 1))
    bad_option("actor.epsilon_base", to_text(epsilon_base), "in [0, 1]");
  if (!(epsilon_alpha >= 0)) bad_option("actor.epsilon_alpha", to_text(epsilon_alpha), ">= 0");
  if (weight_sync_steps < 1) bad_option("actor.weight_sync_steps", to_text(weight_sync_steps), ">= 1");
  if (ring_capacity < 2 || ring_capacity > (int64_t{1} << 30) ||
      (ring_capacity & (ring_capacity - 1)) != 0)
    bad_option("actor.ring_capacity", to_text(ring_capacity), "a power of two in [2, 2^30]");
  if (push_batch < 1 || push_batch > ring_capacity)
    bad_option("actor.push_batch", to_text(push_batch),
        "in [1, actor.ring_capacity = " + to_text(ring_capacity) + "]");
  if (torch_threads < 1) bad_option("actor.torch_threads", to_text(torch_threads), ">= 1");
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (hidden[i] <= 0)
      bad_option("learner.hidden[" + to_text(i) + "]", to_text(hidden[i]), "> 0 (a layer size)");
  if (!(noise_std >= 0 && std::isfinite(noise_std)))
    bad_option("actor.noise_std", to_text(noise_std), "a finite number >= 0");
  if (!(noise_scale_min > 0 && noise_scale_min <= 1))
    bad_option("actor.noise_scale_min", to_text(noise_scale_min), "in (0, 1]");
  if (algorithm != "auto" && algorithm != "dqn" && algorithm != "sac" && algorithm != "td3")
    bad_option("learner.algorithm", "\"" + algorithm + "\"", "one of auto|dqn|sac|td3");
  if (num_actors < 1) bad_option("--num-actors", to_text(num_actors), ">= 1");
  if (actor_id < 0 || actor_id >= num_actors)
    bad_option("--actor-id", to_text(actor_id), "in [0, --num-actors = " + to_text(num_actors) + ")");
}

ActorOptions ActorOptions::from_toml_file(const std::string& path) {
  const toml::table t = parse_toml_file(path);
  ActorOptions o;
  const TomlReader r(t, path);
  r.get("run.seed", o.seed);
  envs::read_env_config(r, o.env_id, o.env_kwargs);
  r.get("actor.envs_per_actor", o.envs_per_actor);
  r.get("actor.n_step", o.n_step);
  r.get("actor.gamma", o.gamma);
  r.get("actor.epsilon_base", o.epsilon_base);
  r.get("actor.epsilon_alpha", o.epsilon_alpha);
  r.get("actor.weight_sync_steps", o.weight_sync_steps);
  r.get("actor.push_batch", o.push_batch);
  r.get("actor.ring_capacity", o.ring_capacity);
  r.get("actor.torch_threads", o.torch_threads);
  r.get("actor.noise_std", o.noise_std);
  r.get("actor.noise_scale_min", o.noise_scale_min);
  r.get("learner.algorithm", o.algorithm);
  r.get_int_list("learner.hidden", o.hidden);
  r.get("learner.dueling", o.dueling);
  try {
    o.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
  return o;
}

}  // namespace shmrl::actors
