#include "actors/actor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "actors/envs/registry.h"
#include "actors/exploration.h"

namespace shmrl::actors {
namespace {

std::vector<std::unique_ptr<envs::Env>> make_envs(const ActorOptions& opts) {
  opts.validate();
  std::vector<std::unique_ptr<envs::Env>> out;
  for (int i = 0; i < opts.envs_per_actor; ++i) out.push_back(envs::make_env(opts.env_id, opts.env_kwargs));
  return out;
}

// A seed per (run seed, actor, purpose): actors of one run explore differently, reproducibly.
uint64_t derive_seed(uint64_t seed, int actor_id, uint32_t purpose) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(actor_id), purpose};
  uint32_t words[2];
  seq.generate(words, words + 2);
  return (uint64_t{words[0]} << 32) | words[1];
}

PolicyOptions policy_options(const ActorOptions& o, const Space& action_space, const std::vector<double>& epsilon) {
  PolicyOptions p;
  p.algorithm = resolve_algorithm(o.algorithm, action_space);
  p.noise_scale = noise_scale(o.actor_id, o.num_actors, o.noise_scale_min);
  p.hidden = o.hidden;
  p.dueling = o.dueling;
  p.torch_threads = o.torch_threads;
  p.epsilon = epsilon;
  p.noise_std = o.noise_std;
  p.seed = derive_seed(o.seed, o.actor_id, 1);
  return p;
}

std::string describe_action(const Space& space, const std::byte* a) {
  std::ostringstream os;
  if (space.kind == Space::Kind::Discrete) {
    int32_t v;
    std::memcpy(&v, a, sizeof v);
    os << v;
  } else {
    os << '[';
    for (std::size_t i = 0; i < space.numel(); ++i) {
      float v;
      std::memcpy(&v, a + i * sizeof v, sizeof v);
      os << (i ? ", " : "") << v;
    }
    os << ']';
  }
  return os.str();
}

}  // namespace

Actor::Actor(const ActorOptions& opts, const RunContext& run, const std::atomic<bool>& stop)
    : opts_(opts),
      stop_(stop),
      envs_(make_envs(opts)),
      schema_(envs_[0]->observation_space(), envs_[0]->action_space()),
      epsilon_(actor_epsilons(opts.actor_id, opts.num_actors, opts.envs_per_actor, opts.epsilon_base,
                              opts.epsilon_alpha, opts.epsilon_per_env)),
      policy_(make_policy(schema_.obs_space(), schema_.action_space(),
                          policy_options(opts, schema_.action_space(), epsilon_), envs_.size())),
      builder_(schema_, envs_.size(),
               NStepOptions{opts.n_step, opts.gamma, static_cast<uint32_t>(opts.actor_id)}),
      writer_(run, opts.actor_id, static_cast<uint32_t>(schema_.record_bytes()),
              static_cast<uint32_t>(opts.ring_capacity), static_cast<std::size_t>(opts.push_batch),
              stop),
      weights_(run),
      stats_(run, seg::actor_stats(opts.actor_id),
             {stat::kEnvSteps, stat::kEpisodes, stat::kRecentReturn, stat::kRecentLength,
              stat::kWeightVersion, stat::kBlockedSeconds, stat::kRecords, stat::kEpsilon}),
      seed_rng_(derive_seed(opts.seed, opts.actor_id, 2)),
      actions_(envs_.size() * schema_.action_space().bytes()),
      obs_bytes_(schema_.obs_space().bytes()),
      action_bytes_(schema_.action_space().bytes()),
      obs_numel_(schema_.obs_space().numel()),
      ep_return_(envs_.size()),
      ep_length_(envs_.size()) {
  if (opts.initial_priority == "actor") {
    if (!policy_->estimates_priorities())
      throw std::invalid_argument("actor.initial_priority = \"actor\": the " +
                                  std::string(algorithm_name(resolve_algorithm(opts.algorithm, schema_.action_space()))) +
                                  " policy has no Q-values to estimate priorities with; use \"max\"");
    priorities_ = std::make_unique<PolicyPriorities>(*policy_, schema_, static_cast<float>(opts.priority_epsilon));
    writer_.set_commit_hook(priorities_.get());
  }
  // A restarted actor continues its predecessor's totals.
  base_env_steps_ = stats_[stat::kEnvSteps].load();
  base_episodes_ = stats_[stat::kEpisodes].load();
  base_blocked_ = stats_[stat::kBlockedSeconds].load();
  stats_.set(stat::kEpsilon, *std::max_element(epsilon_.begin(), epsilon_.end()));
  version_ = weights_.poll(*policy_, version_);
  for (std::size_t e = 0; e < envs_.size(); ++e) reset_env(e);
  sync_and_publish();
}

void Actor::bad(std::size_t env, const std::string& what) const {
  // Episode step k = the k-th step of the episode (0 = its reset); vector steps count from 1.
  throw BadEnvOutput("env " + opts_.env_id + ", env index " + std::to_string(env) + " (actor " +
                     std::to_string(opts_.actor_id) + "), vector step " +
                     std::to_string(vector_steps_ + 1) + ", episode step " +
                     std::to_string(ep_length_[env]) + ": " + what +
                     "; nothing was pushed for this step");
}

void Actor::check_obs(std::size_t env, const std::byte* obs) const {
  const auto* x = reinterpret_cast<const float*>(obs);
  for (std::size_t i = 0; i < obs_numel_; ++i)
    if (!std::isfinite(x[i]))
      bad(env, "observation[" + std::to_string(i) + "] is " + std::to_string(x[i]) +
                   " (not finite)");
}

void Actor::reset_env(std::size_t env) {
  auto* obs = reinterpret_cast<std::byte*>(policy_->input() + env * obs_numel_);
  ep_return_[env] = 0;
  ep_length_[env] = 0;
  envs_[env]->reset(seed_rng_(), obs);
  check_obs(env, obs);
  builder_.begin(env, obs);
}

void Actor::step() {
  const uint64_t blocked_before = writer_.blocked_ns();
  policy_->act(actions_.data());
  float* input = policy_->input();
  const Space& action_space = schema_.action_space();
  for (std::size_t e = 0; e < envs_.size(); ++e) {
    const std::byte* action = actions_.data() + e * action_bytes_;
    ep_length_[e] += 1;  // the step being taken
    if (!action_space.contains_action(action))
      bad(e, "action " + describe_action(action_space, action) + " is outside " +
                 action_space.describe());
    auto* obs = reinterpret_cast<std::byte*>(input + e * obs_numel_);
    const envs::StepResult r = envs_[e]->step(action, obs);
    check_obs(e, obs);
    if (!std::isfinite(static_cast<float>(r.reward)))
      bad(e, "reward is " + std::to_string(r.reward) + " (not finite)");
    ep_return_[e] += r.reward;
    builder_.step(e, action, static_cast<float>(r.reward), r.terminated, r.truncated, obs,
                  version_, writer_);
    if (r.terminated || r.truncated) {
      recent_return_[recent_count_ % recent_return_.size()] = ep_return_[e];
      recent_length_[recent_count_ % recent_length_.size()] = static_cast<double>(ep_length_[e]);
      ++recent_count_;
      ++episodes_;
      reset_env(e);
    }
  }
  env_steps_ += envs_.size();
  ++vector_steps_;
  writer_.heartbeat();
  // After waiting on a full ring the learner has likely moved on: refresh the weights before the
  // next actions rather than up to weight_sync_steps later.
  if (vector_steps_ % static_cast<uint64_t>(opts_.weight_sync_steps) == 0 ||
      writer_.blocked_ns() != blocked_before)
    sync_and_publish();
}

void Actor::sync_and_publish() {
  version_ = weights_.poll(*policy_, version_);
  writer_.flush();
  stats_.set(stat::kEnvSteps, base_env_steps_ + static_cast<double>(env_steps_));
  stats_.set(stat::kEpisodes, base_episodes_ + static_cast<double>(episodes_));
  stats_.set(stat::kWeightVersion, static_cast<double>(version_));
  stats_.set(stat::kBlockedSeconds, base_blocked_ + writer_.blocked_seconds());
  stats_.set(stat::kRecords, static_cast<double>(writer_.committed()));
  const std::size_t n = std::min<uint64_t>(recent_count_, recent_return_.size());
  if (n > 0) {
    double ret = 0, len = 0;
    for (std::size_t i = 0; i < n; ++i) ret += recent_return_[i], len += recent_length_[i];
    stats_.set(stat::kRecentReturn, ret / n);
    stats_.set(stat::kRecentLength, len / n);
  }
}

void Actor::run() {
  try {
    while (!stop_.load(std::memory_order_relaxed) &&
           (opts_.max_steps == 0 || env_steps_ < opts_.max_steps))
      step();
  } catch (const StopRequested&) {
    // Stopped while waiting on a full ring: nothing uncommitted was ever visible.
  }
  sync_and_publish();
}

}  // namespace shmrl::actors
