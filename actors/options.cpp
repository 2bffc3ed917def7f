#include "actors/options.h"

#include <stdexcept>

#include "actors/envs/env_config.h"
#include "common/config_schema.h"
#include "common/toml_reader.h"

namespace shmrl::actors {

void ActorOptions::validate() const {
  check_key("env.id", env_id);
  check_key("env.python_modules", python_modules);
  check_key("actor.envs_per_actor", envs_per_actor);
  check_key("actor.n_step", n_step);
  check_key("actor.gamma", gamma);
  check_key("actor.epsilon_base", epsilon_base);
  check_key("actor.epsilon_alpha", epsilon_alpha);
  check_key("actor.weight_sync_steps", weight_sync_steps);
  check_key("actor.ring_capacity", ring_capacity);
  check_key("actor.push_batch", push_batch);
  if (push_batch > ring_capacity)
    bad_option("actor.push_batch", to_text(push_batch),
        "<= actor.ring_capacity (" + to_text(ring_capacity) + ")");
  check_key("actor.torch_threads", torch_threads);
  check_key("learner.hidden", hidden);
  check_key("actor.noise_std", noise_std);
  check_key("actor.noise_scale_min", noise_scale_min);
  check_key("learner.algorithm", algorithm);
  check_key("learner.network", network);
  check_key("actor.initial_priority", initial_priority);
  check_key("learner.priority_epsilon", priority_epsilon);
  check_key("run.seed", seed);
  if (num_actors < 1) bad_option("--num-actors", to_text(num_actors), ">= 1");
  if (actor_id < 0 || actor_id >= num_actors)
    bad_option("--actor-id", to_text(actor_id), "in [0, --num-actors = " + to_text(num_actors) + ")");
}

ActorOptions ActorOptions::defaults() { return from_toml(toml::table{}, "defaults"); }

ActorOptions ActorOptions::from_toml(const toml::table& t, const std::string& source) {
  ActorOptions o;
  const TomlReader r(t, source);
  r.get("run.seed", o.seed);
  envs::read_env_config(r, o.env_id, o.env_kwargs);
  r.get("env.python_modules", o.python_modules);
  r.get("actor.envs_per_actor", o.envs_per_actor);
  r.get("actor.n_step", o.n_step);
  r.get("actor.gamma", o.gamma);
  r.get("actor.epsilon_base", o.epsilon_base);
  r.get("actor.epsilon_alpha", o.epsilon_alpha);
  r.get("actor.epsilon_per_env", o.epsilon_per_env);
  r.get("actor.weight_sync_steps", o.weight_sync_steps);
  r.get("actor.push_batch", o.push_batch);
  r.get("actor.ring_capacity", o.ring_capacity);
  r.get("actor.torch_threads", o.torch_threads);
  r.get("actor.noise_std", o.noise_std);
  r.get("actor.noise_scale_min", o.noise_scale_min);
  r.get("learner.algorithm", o.algorithm);
  r.get("learner.network", o.network);
  r.get("actor.initial_priority", o.initial_priority);
  r.get("learner.priority_epsilon", o.priority_epsilon);
  r.get_int_list("learner.hidden", o.hidden);
  r.get("learner.dueling", o.dueling);
  try {
    o.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ": " + e.what());
  }
  return o;
}

ActorOptions ActorOptions::from_toml_file(const std::string& path) {
  return from_toml(parse_toml_file(path), path);
}

}  // namespace shmrl::actors
