#include "learner/options.h"

#include <stdexcept>

#include "actors/envs/env_config.h"
#include "common/config_schema.h"
#include "common/toml_reader.h"
#include "learner/actor_critic.h"
#include "learner/dqn.h"

namespace shmrl::learner {

void LearnerOptions::validate() const {
  check_key("env.id", env_id);
  check_key("run.seed", seed);
  check_key("run.learners", world_size);
  check_key("run.actors", num_actors);
  check_key("replay.batch_slots", batch_slots);
  check_key("run.device", device);
  check_key("learner.batch_size", batch_size);
  check_key("learner.hidden", hidden);
  dqn_options().validate();
  check_key("learner.publish_period", publish_period);
  check_key("learner.checkpoint_period_s", checkpoint_period_s);
  check_key("learner.torch_threads", torch_threads);
  check_key("learner.master_addr", master_addr);
  check_key("learner.master_port", master_port);
  if (world_size > 1 && master_port == 0)
    bad_option("learner.master_port", to_text(master_port),
        "a TCP port in [1, 65535] when run.learners > 1 (0 only with one learner)");
  check_key("learner.priority_epsilon", priority_epsilon);
  check_key("learner.algorithm", algorithm);
  check_key("learner.network", network);
  check_key("learner.actor_lr", actor_lr);
  check_key("learner.alpha_lr", alpha_lr);
  check_key("learner.critic_tau", critic_tau);
  check_key("learner.sac_alpha", sac_alpha);
  check_key("learner.td3_policy_delay", td3_policy_delay);
  check_key("learner.td3_target_noise", td3_target_noise);
  check_key("learner.td3_noise_clip", td3_noise_clip);
}

DqnOptions LearnerOptions::dqn_options() const {
  DqnOptions d;
  d.lr = lr;
  d.adam_eps = adam_eps;
  d.grad_clip_norm = grad_clip_norm;
  d.target_update_period = target_update_period;
  d.tau = tau;
  d.double_dqn = double_dqn;
  d.huber_kappa = huber_kappa;
  return d;
}

ActorCriticOptions LearnerOptions::actor_critic_options() const {
  ActorCriticOptions ac;
  ac.critic_lr = lr;
  ac.actor_lr = actor_lr;
  ac.alpha_lr = alpha_lr;
  ac.adam_eps = adam_eps;
  ac.grad_clip_norm = grad_clip_norm;
  ac.tau = critic_tau;
  ac.init_alpha = sac_alpha;
  ac.auto_alpha = sac_auto_alpha;
  ac.policy_delay = td3_policy_delay;
  ac.target_noise = td3_target_noise;
  ac.noise_clip = td3_noise_clip;
  return ac;
}

LearnerOptions LearnerOptions::defaults() { return from_toml(toml::table{}, "defaults"); }

LearnerOptions LearnerOptions::from_toml(const toml::table& t, const std::string& source) {
  LearnerOptions o;
  const TomlReader r(t, source);
  envs::read_env_config(r, o.env_id, o.env_kwargs);
  r.get("run.seed", o.seed);
  r.get("run.learners", o.world_size);
  r.get("run.actors", o.num_actors);
  r.get("replay.batch_slots", o.batch_slots);
  r.get("run.device", o.device);
  r.get("learner.batch_size", o.batch_size);
  r.get_int_list("learner.hidden", o.hidden);
  r.get("learner.dueling", o.dueling);
  r.get("learner.double_dqn", o.double_dqn);
  r.get("learner.lr", o.lr);
  r.get("learner.adam_eps", o.adam_eps);
  r.get("learner.grad_clip_norm", o.grad_clip_norm);
  r.get("learner.target_update_period", o.target_update_period);
  r.get("learner.tau", o.tau);
  r.get("learner.publish_period", o.publish_period);
  r.get("learner.checkpoint_period_s", o.checkpoint_period_s);
  r.get("learner.torch_threads", o.torch_threads);
  r.get("learner.master_addr", o.master_addr);
  r.get("learner.master_port", o.master_port);
  r.get("learner.priority_epsilon", o.priority_epsilon);
  r.get("learner.huber_kappa", o.huber_kappa);
  r.get("learner.algorithm", o.algorithm);
  r.get("learner.network", o.network);
  r.get("learner.actor_lr", o.actor_lr);
  r.get("learner.alpha_lr", o.alpha_lr);
  r.get("learner.critic_tau", o.critic_tau);
  r.get("learner.sac_alpha", o.sac_alpha);
  r.get("learner.sac_auto_alpha", o.sac_auto_alpha);
  r.get("learner.td3_policy_delay", o.td3_policy_delay);
  r.get("learner.td3_target_noise", o.td3_target_noise);
  r.get("learner.td3_noise_clip", o.td3_noise_clip);
  try {
    o.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(source + ": " + e.what());
  }
  return o;
}

LearnerOptions LearnerOptions::from_toml_file(const std::string& path) {
  return from_toml(parse_toml_file(path), path);
}

}  // namespace shmrl::learner
