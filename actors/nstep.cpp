#include "actors/nstep.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace shmrl::actors {

void NStepOptions::validate() const {
  if (n < 1) throw std::invalid_argument("actor.n_step = " + std::to_string(n) + ", must be >= 1");
  if (!(gamma > 0 && gamma <= 1))
    throw std::invalid_argument("actor.gamma = " + std::to_string(gamma) + ", must be in (0, 1]");
}

NStepBuilder::NStepBuilder(const TransitionSchema& schema, std::size_t num_envs,
                           const NStepOptions& opts)
    : schema_(schema), opts_(opts), slots_(static_cast<std::size_t>(opts.n) + 1),
      obs_bytes_(schema.obs_space().bytes()), action_bytes_(schema.action_space().bytes()) {
  opts_.validate();
  if (num_envs == 0) throw std::invalid_argument("NStepBuilder: num_envs must be >= 1");
  for (std::size_t k = 0; k < slots_; ++k) gamma_pow_.push_back(std::pow(opts_.gamma, double(k)));
  envs_.resize(num_envs);
  obs_.resize(num_envs * slots_ * obs_bytes_);
  actions_.resize(num_envs * slots_ * action_bytes_);
  rewards_.resize(num_envs * slots_);
  versions_.resize(num_envs * slots_);
}

std::byte* NStepBuilder::obs_slot(std::size_t env, std::size_t i) {
  return obs_.data() + (env * slots_ + i) * obs_bytes_;
}
std::byte* NStepBuilder::action_slot(std::size_t env, std::size_t i) {
  return actions_.data() + (env * slots_ + i) * action_bytes_;
}

void NStepBuilder::begin(std::size_t env, const std::byte* obs) {
  EnvState& s = envs_.at(env);
  if (s.active)
    throw std::logic_error("NStepBuilder::begin: env " + std::to_string(env) +
                           " is inside an episode (begin only after an episode end)");
  s = EnvState{0, 0, true};
  std::memcpy(obs_slot(env, 0), obs, obs_bytes_);
}

std::size_t NStepBuilder::step(std::size_t env, const std::byte* action, float reward,
                               bool terminated, bool truncated, const std::byte* next_obs,
                               uint64_t version, RecordSink& sink) {
  EnvState& s = envs_[env];
  if (!s.active)
    throw std::logic_error("NStepBuilder::step: env " + std::to_string(env) +
                           " has no episode (call begin first)");
  // The new entry takes the slot of the current observation, which already holds o_t.
  const std::size_t cur = (s.start + s.len) % slots_;
  std::memcpy(action_slot(env, cur), action, action_bytes_);
  rewards_[env * slots_ + cur] = reward;
  versions_[env * slots_ + cur] = version;
  s.len += 1;
  std::memcpy(obs_slot(env, (s.start + s.len) % slots_), next_obs, obs_bytes_);

  if (terminated || truncated) {
    const std::size_t emitted = s.len;
    for (std::size_t j = 0; j < emitted; ++j) emit(env, j, terminated, sink);
    s = EnvState{};  // inactive until begin(): the next episode never mixes with this one
    return emitted;
  }
  if (s.len == static_cast<std::size_t>(opts_.n)) {
    emit(env, 0, /*terminated=*/false, sink);
    s.start = (s.start + 1) % slots_;
    s.len -= 1;
    return 1;
  }
  return 0;
}

void NStepBuilder::emit(std::size_t env, std::size_t j, bool terminated, RecordSink& sink) {
  const EnvState& s = envs_[env];
  const std::size_t first = (s.start + j) % slots_;
  const std::size_t steps = s.len - j;
  double ret = 0;
  for (std::size_t i = 0; i < steps; ++i)
    ret += gamma_pow_[i] * rewards_[env * slots_ + (first + i) % slots_];
  TransitionRef t;
  t.obs = obs_slot(env, first);
  t.action = action_slot(env, first);
  t.reward = static_cast<float>(ret);
  t.discount = terminated ? 0.0f : static_cast<float>(gamma_pow_[steps]);
  t.next_obs = obs_slot(env, (s.start + s.len) % slots_);
  t.initial_priority = 0;  // the replay service uses its running max
  t.policy_version = versions_[env * slots_ + first];
  t.actor_id = opts_.actor_id;
  schema_.pack(t, sink.next_record());
}

}  // namespace shmrl::actors
