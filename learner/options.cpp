#include "learner/options.h"

#include <cmath>
#include <stdexcept>

#include "actors/envs/env_config.h"
#include "common/toml_reader.h"

namespace shmrl::learner {

void LearnerOptions::validate() const {
  if (env_id.empty()) bad_option("env.id", "\"\"", "a registered environment id");
  if (world_size < 1) bad_option("run.learners", to_text(world_size), ">= 1");
  if (num_actors < 1) bad_option("run.actors", to_text(num_actors), ">= 1");
  if (batch_slots < 2) bad_option("replay.batch_slots", to_text(batch_slots), ">= 2");
  if (device != "auto" && device != "cpu" && device != "cuda")
    bad_option("run.device", "\"" + device + "\"", "one of auto|cpu|cuda");
  if (batch_size < 1) bad_option("learner.batch_size", to_text(batch_size), ">= 1");
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (hidden[i] <= 0) bad_option("learner.hidden[" + to_text(i) + "]", to_text(hidden[i]), "> 0 (a layer size)");
  if (!(lr > 0 && std::isfinite(lr))) bad_option("learner.lr", to_text(lr), "a finite number > 0");
  if (!(adam_eps > 0 && std::isfinite(adam_eps)))
    bad_option("learner.adam_eps", to_text(adam_eps), "a finite number > 0");
  if (!(grad_clip_norm > 0)) bad_option("learner.grad_clip_norm", to_text(grad_clip_norm), "> 0");
  if (target_update_period < 0)
    bad_option("learner.target_update_period", to_text(target_update_period),
        ">= 0 (0 = Polyak averaging with learner.tau)");
  if (target_update_period == 0 && !(tau > 0 && tau <= 1))
    bad_option("learner.tau", to_text(tau), "in (0, 1] when learner.target_update_period = 0");
  if (publish_period < 1) bad_option("learner.publish_period", to_text(publish_period), ">= 1");
  if (!(checkpoint_period_s > 0)) bad_option("learner.checkpoint_period_s", to_text(checkpoint_period_s), "> 0");
  if (torch_threads < 1) bad_option("learner.torch_threads", to_text(torch_threads), ">= 1");
  if (world_size > 1 && master_addr.empty())
    bad_option("learner.master_addr", "\"\"", "a host name or address when run.learners > 1");
  if (master_port < 0 || master_port > 65535 || (world_size > 1 && master_port == 0))
    bad_option("learner.master_port", to_text(master_port),
        "a TCP port in [1, 65535] when run.learners > 1 (0 only with one learner)");
  if (!(priority_epsilon >= 0)) bad_option("learner.priority_epsilon", to_text(priority_epsilon), ">= 0");
  if (!(huber_kappa > 0)) bad_option("learner.huber_kappa", to_text(huber_kappa), "> 0");
  if (algorithm != "auto" && algorithm != "dqn" && algorithm != "sac" && algorithm != "td3")
    bad_option("learner.algorithm", "\"" + algorithm + "\"", "one of auto|dqn|sac|td3");
}

LearnerOptions LearnerOptions::from_toml_file(const std::string& path) {
  const toml::table t = parse_toml_file(path);
  LearnerOptions o;
  const TomlReader r(t, path);
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
    throw std::invalid_argument(path + ": " + e.what());
  }
  return o;
}

}  // namespace shmrl::learner
