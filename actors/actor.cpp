#include "actors/actor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <sstream>

#include "actors/exploration.h"
#include "actors/vector_envs.h"

namespace shmrl::actors {
namespace {

std::unique_ptr<envs::VectorEnv> make_envs(const ActorOptions& opts) {
  opts.validate();
  return make_vector_env(opts.env_id, opts.env_kwargs, opts.python_modules,
                         static_cast<std::size_t>(opts.envs_per_actor));
}

// Reported on stderr one by one up to this many; beyond, only counted (stat::kRefused).
constexpr uint64_t kRefusalsLogged = 10;
// A reset whose first observation is not finite is retried this often before the actor gives up.
constexpr int kResetAttempts = 10;

// A seed per (run seed, actor, purpose): actors of one run explore differently, reproducibly.
uint64_t derive_seed(uint64_t seed, int actor_id, uint32_t purpose) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(actor_id), purpose};
  uint32_t words[2];
  seq.generate(words, words + 2);
  return (uint64_t{words[0]} << 32) | words[1];
}

PolicyOptions policy_options(const ActorOptions& o, const Space& obs_space, const Space& action_space,
                             const std::vector<double>& epsilon) {
  PolicyOptions p;
  p.algorithm = resolve_algorithm(o.algorithm, action_space);
  p.network = resolve_network(o.network, obs_space);
  p.noise_scale = noise_scale(o.actor_id, o.num_actors, o.noise_scale_min);
  p.hidden = o.hidden;
  p.dueling = o.dueling;
  p.torch_threads = o.torch_threads;
  p.epsilon = epsilon;
  p.noise_std = o.noise_std;
  p.seed = derive_seed(o.seed, o.actor_id, 1);
  return p;
}

std::vector<std::string> stat_names() {
  std::vector<std::string> n = {stat::kEnvSteps,      stat::kEpisodes,       stat::kRecentReturn,
                                stat::kRecentLength,  stat::kWeightVersion,  stat::kBlockedSeconds,
                                stat::kRecords,       stat::kEpsilon,        stat::kRefused};
  for (auto& s : stage_stat_names(stages::kActor)) n.push_back(std::move(s));
  return n;
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
      schema_(envs_->observation_space(), envs_->action_space()),
      epsilon_(actor_epsilons(opts.actor_id, opts.num_actors, opts.envs_per_actor, opts.epsilon_base,
                              opts.epsilon_alpha, opts.epsilon_per_env)),
      policy_(make_policy(schema_.obs_space(), schema_.action_space(),
                          policy_options(opts, schema_.obs_space(), schema_.action_space(), epsilon_), envs_->size())),
      builder_(schema_, envs_->size(),
               NStepOptions{opts.n_step, opts.gamma, static_cast<uint32_t>(opts.actor_id)}),
      writer_(run, opts.actor_id, static_cast<uint32_t>(schema_.record_bytes()),
              static_cast<uint32_t>(opts.ring_capacity), static_cast<std::size_t>(opts.push_batch),
              stop),
      weights_(run),
      stats_(run, seg::actor_stats(opts.actor_id), stat_names()),
      clock_(stages::kActor, stats_),
      seed_rng_(derive_seed(opts.seed, opts.actor_id, 2)),
      actions_(envs_->size() * schema_.action_space().bytes()),
      obs_bytes_(schema_.obs_space().bytes()),
      action_bytes_(schema_.action_space().bytes()),
      obs_numel_(schema_.obs_space().numel()),
      ep_return_(envs_->size()),
      ep_length_(envs_->size()),
      results_(envs_->size()),
      reset_mask_(envs_->size(), 1),
      reset_seeds_(envs_->size()) {
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
  base_refused_ = stats_[stat::kRefused].load();
  stats_.set(stat::kEpsilon, *std::max_element(epsilon_.begin(), epsilon_.end()));
  version_ = weights_.poll(*policy_, version_);
  reset_masked();  // every env
  sync_and_publish();
  writer_.set_stage_clock(&clock_);
  clock_.restart();  // the stages count the stepping loop, not start-up
}

std::string Actor::where(std::size_t env) const {
  // Episode step k = the k-th step of the episode (0 = its reset); vector steps count from 1.
  return "env " + opts_.env_id + ", env index " + std::to_string(env) + " (actor " +
         std::to_string(opts_.actor_id) + "), vector step " + std::to_string(vector_steps_ + 1) +
         ", episode step " + std::to_string(ep_length_[env]);
}

void Actor::bad(std::size_t env, const std::string& what) const {
  throw BadEnvOutput(where(env) + ": " + what + "; nothing was pushed for this step");
}

std::string Actor::nonfinite(std::size_t env, const double* reward) const {
  if (schema_.obs_space().dtype == DType::F32) {  // integer observations are always finite
    const float* x = policy_->input() + env * obs_numel_;
    for (std::size_t i = 0; i < obs_numel_; ++i)
      if (!std::isfinite(x[i])) return "observation[" + std::to_string(i) + "] is " + std::to_string(x[i]);
  }
  if (reward && !std::isfinite(static_cast<float>(*reward))) return "reward is " + std::to_string(*reward);
  return "";
}

void Actor::refuse(std::size_t env, const std::string& why) {
  if (++refused_ <= kRefusalsLogged)
    std::cerr << where(env) << ": " << why << " (not finite): step refused, not stored; the episode is "
              << "dropped and the env reset" << (refused_ == kRefusalsLogged ? " (further refusals are only counted: refused_steps)" : "")
              << "\n";
  builder_.abandon(env);
  reset_mask_[env] = 1;
}

void Actor::reset_masked() {
  std::byte* obs = policy_->observations();
  for (int attempt = 0;; ++attempt) {
    bool any = false;
    for (std::size_t e = 0; e < reset_mask_.size(); ++e) {
      if (!reset_mask_[e]) continue;
      any = true;
      reset_seeds_[e] = seed_rng_();
      ep_return_[e] = 0;
      ep_length_[e] = 0;
    }
    if (!any) return;
    envs_->reset(reset_mask_.data(), reset_seeds_.data(), obs);
    bool again = false;
    for (std::size_t e = 0; e < reset_mask_.size(); ++e) {
      if (!reset_mask_[e]) continue;
      if (const std::string why = nonfinite(e, nullptr); !why.empty()) {
        if (attempt + 1 == kResetAttempts)
          bad(e, "the first observation was not finite after " + std::to_string(kResetAttempts) + " resets: " + why);
        ++refused_;
        again = true;
        continue;
      }
      builder_.begin(e, obs + e * obs_bytes_);
      reset_mask_[e] = 0;
    }
    if (!again) return;
  }
}

void Actor::step() {
  using S = stages::Actor;
  const uint64_t blocked_before = writer_.blocked_ns();
  policy_->act(actions_.data());
  clock_.lap(S::Inference);
  // Every env steps (one call), then every record is packed, then finished episodes reset (one
  // call): one clock lap per stage per vector step.
  const Space& action_space = schema_.action_space();
  const std::size_t n = envs_->size();
  for (std::size_t e = 0; e < n; ++e) {
    const std::byte* action = actions_.data() + e * action_bytes_;
    ep_length_[e] += 1;  // the step being taken
    if (!action_space.contains_action(action))
      bad(e, "action " + describe_action(action_space, action) + " is outside " +
                 action_space.describe());
  }
  std::byte* input = policy_->observations();
  envs_->step(actions_.data(), input, results_.data());
  for (std::size_t e = 0; e < n; ++e) {
    if (const std::string why = nonfinite(e, &results_[e].reward); !why.empty())
      refuse(e, why);
    else
      ep_return_[e] += results_[e].reward;
  }
  clock_.lap(S::Env);
  for (std::size_t e = 0; e < n; ++e) {
    if (reset_mask_[e]) continue;  // refused
    const std::byte* obs = input + e * obs_bytes_;
    builder_.step(e, actions_.data() + e * action_bytes_, static_cast<float>(results_[e].reward),
                  results_[e].terminated, results_[e].truncated, obs, version_, writer_);
  }
  clock_.lap(S::Pack);  // the ring writer laps its waits on a full ring itself
  for (std::size_t e = 0; e < n; ++e) {
    if (reset_mask_[e] || (!results_[e].terminated && !results_[e].truncated)) continue;
    recent_return_[recent_count_ % recent_return_.size()] = ep_return_[e];
    recent_length_[recent_count_ % recent_length_.size()] = static_cast<double>(ep_length_[e]);
    ++recent_count_;
    ++episodes_;
    reset_mask_[e] = 1;
  }
  reset_masked();
  env_steps_ += n;
  ++vector_steps_;
  writer_.heartbeat();
  clock_.lap(S::Env);
  // After waiting on a full ring the learner has likely moved on: refresh the weights before the
  // next actions rather than up to weight_sync_steps later.
  if (vector_steps_ % static_cast<uint64_t>(opts_.weight_sync_steps) == 0 ||
      writer_.blocked_ns() != blocked_before)
    sync_and_publish();
}

void Actor::sync_and_publish() {
  version_ = weights_.poll(*policy_, version_);
  clock_.lap(stages::Actor::Weights);
  writer_.flush();
  stats_.set(stat::kEnvSteps, base_env_steps_ + static_cast<double>(env_steps_));
  stats_.set(stat::kEpisodes, base_episodes_ + static_cast<double>(episodes_));
  stats_.set(stat::kWeightVersion, static_cast<double>(version_));
  stats_.set(stat::kBlockedSeconds, base_blocked_ + writer_.blocked_seconds());
  stats_.set(stat::kRefused, base_refused_ + static_cast<double>(refused_));
  stats_.set(stat::kRecords, static_cast<double>(writer_.committed()));
  const std::size_t n = std::min<uint64_t>(recent_count_, recent_return_.size());
  if (n > 0) {
    double ret = 0, len = 0;
    for (std::size_t i = 0; i < n; ++i) ret += recent_return_[i], len += recent_length_[i];
    stats_.set(stat::kRecentReturn, ret / n);
    stats_.set(stat::kRecentLength, len / n);
  }
  clock_.lap(stages::Actor::Weights);
  clock_.publish();
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
