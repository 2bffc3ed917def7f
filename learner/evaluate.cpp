#include "learner/evaluate.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "actors/envs/registry.h"
#include "common/shm/segment.h"
#include "common/shm/weight_board.h"
#include "learner/checkpoint.h"
#include "models/actor_critic.h"
#include "models/nature_cnn.h"
#include "models/q_model.h"
#include "models/weights_blob.h"

namespace shmrl::learner {

EvalResult summarize_returns(std::vector<double> returns) {
  if (returns.empty()) throw std::invalid_argument("summarize_returns: no returns");
  EvalResult r;
  const double n = static_cast<double>(returns.size());
  r.mean = std::accumulate(returns.begin(), returns.end(), 0.0) / n;
  double var = 0;
  for (double x : returns) var += (x - r.mean) * (x - r.mean);
  r.std = std::sqrt(var / n);
  r.min = *std::min_element(returns.begin(), returns.end());
  r.max = *std::max_element(returns.begin(), returns.end());
  r.returns = std::move(returns);
  return r;
}

EvalPolicy actor_policy(Algorithm algorithm, const Space& obs_space, const Space& action_space,
                        const std::vector<int64_t>& hidden, bool dueling) {
  EvalPolicy p;
  p.obs_dim = static_cast<int64_t>(obs_space.numel());
  p.action_space = action_space;
  if (algorithm == Algorithm::Dqn) {
    models::QNet net(models::qnet_options_for(obs_space, action_space, hidden, dueling));
    p.module = net.ptr();
    p.act = [net](const torch::Tensor& obs) mutable { return net->forward(obs).argmax(1); };
    return p;
  }
  const auto opts = models::actor_net_options_for(obs_space, action_space, hidden);
  if (algorithm == Algorithm::Sac) {
    models::GaussianActorNet net(opts);
    p.module = net.ptr();
    p.act = [net](const torch::Tensor& obs) mutable { return net->mean_action(obs); };
  } else {
    models::DeterministicActorNet net(opts);
    p.module = net.ptr();
    p.act = [net](const torch::Tensor& obs) mutable { return net->forward(obs); };
  }
  return p;
}

EvalResult evaluate_policy(const EvalPolicy& policy, const std::string& env_id, int episodes,
                           uint64_t seed, const envs::EnvKwargs& kwargs, const std::atomic<bool>* cancel) {
  if (episodes < 1) throw std::invalid_argument("evaluation episodes must be >= 1");
  auto check_cancel = [cancel] {
    if (cancel && cancel->load(std::memory_order_relaxed)) throw EvalCancelled();
  };
  std::vector<std::unique_ptr<envs::Env>> envs;
  for (int i = 0; i < episodes; ++i) {
    check_cancel();
    envs.push_back(envs::make_env(env_id, kwargs));
  }
  const Space& obs_space = envs[0]->observation_space();
  const Space& act_space = envs[0]->action_space();
  const Space& want = policy.action_space;
  if (static_cast<int64_t>(obs_space.numel()) != policy.obs_dim || act_space.kind != want.kind ||
      act_space.numel() != want.numel() || (want.kind == Space::Kind::Discrete && act_space.n != want.n))
    throw std::invalid_argument(env_id + " has " + obs_space.describe() + " observations and " +
                                act_space.describe() + " actions; the network takes " +
                                std::to_string(policy.obs_dim) + " inputs and acts in " + want.describe());
  if (obs_space.dtype != DType::F32)
    throw std::invalid_argument("evaluation of " + env_id + ": float32 observations expected, got " +
                                obs_space.describe());
  const bool discrete = act_space.kind == Space::Kind::Discrete;
  const int64_t dim = policy.obs_dim;
  const std::size_t action_bytes = act_space.bytes();
  const int n = episodes;
  // Row i holds env i's latest observation; finished envs keep their last row (not stepped).
  std::vector<float> obs(static_cast<std::size_t>(n * dim));
  std::vector<double> returns(n, 0.0);
  std::vector<bool> live(n, true);
  for (int i = 0; i < n; ++i) envs[i]->reset(seed + static_cast<uint64_t>(i),
                                              reinterpret_cast<std::byte*>(&obs[i * dim]));
  const auto params = policy.module->parameters();
  const auto device = params.empty() ? torch::Device(torch::kCPU) : params[0].device();
  torch::InferenceMode guard;
  uint64_t steps = 0;
  for (int alive = n; alive > 0;) {
    check_cancel();
    auto out = policy.act(torch::from_blob(obs.data(), {n, dim}, torch::kFloat32).to(device));
    auto actions = out.to(torch::kCPU, discrete ? torch::kInt32 : torch::kFloat32).contiguous();
    const auto* a = static_cast<const std::byte*>(actions.data_ptr());
    for (int i = 0; i < n; ++i) {
      if (!live[i]) continue;
      auto r = envs[i]->step(a + i * action_bytes, reinterpret_cast<std::byte*>(&obs[i * dim]));
      returns[i] += r.reward;
      ++steps;
      if (r.terminated || r.truncated) {
        live[i] = false;
        --alive;
      }
    }
  }
  EvalResult res = summarize_returns(std::move(returns));
  res.env_steps = steps;
  res.env_id = env_id;
  res.env_kwargs = kwargs;
  return res;
}

std::optional<std::pair<uint64_t, std::vector<std::byte>>> read_newest_weights(const RunContext& run) {
  if (!shm::Segment::exists(run.run_id, seg::weights())) return std::nullopt;
  std::vector<std::byte> blob;
  std::optional<uint64_t> version;
  try {
    auto segment = shm::Segment::open(run.run_id, seg::weights());
    auto board = shm::WeightBoard::attach(segment.data(), segment.size());
    if (board.latest_version() == 0) return std::nullopt;
    version = board.read(blob, deadline_in(std::chrono::seconds(2)));
  } catch (const std::runtime_error&) {
    return std::nullopt;  // the learner is still creating the board
  }
  if (!version) return std::nullopt;
  return std::make_pair(*version, std::move(blob));
}

std::optional<EvalResult> evaluate_weight_board(const RunContext& run, const std::string& env_id,
                                                const std::string& algorithm,
                                                const std::vector<int64_t>& hidden, bool dueling,
                                                int episodes, uint64_t seed,
                                                const envs::EnvKwargs& kwargs,
                                                const std::atomic<bool>* cancel) {
  auto newest = read_newest_weights(run);
  if (!newest) return std::nullopt;
  auto& [version, blob] = *newest;
  EvalResult r = evaluate_weights_blob(blob, env_id, algorithm, hidden, dueling, episodes, seed, kwargs, cancel);
  r.weight_version = version;
  r.weights = std::make_shared<const std::vector<std::byte>>(std::move(blob));
  return r;
}

EvalResult evaluate_weights_blob(std::span<const std::byte> blob, const std::string& env_id,
                                 const std::string& algorithm, const std::vector<int64_t>& hidden,
                                 bool dueling, int episodes, uint64_t seed, const envs::EnvKwargs& kwargs,
                                 const std::atomic<bool>* cancel) {
  auto probe = envs::make_env(env_id, kwargs);
  const Algorithm a = resolve_algorithm(algorithm, probe->action_space());
  EvalPolicy policy = actor_policy(a, probe->observation_space(), probe->action_space(), hidden, dueling);
  models::load_weights_blob(*policy.module, blob);
  return evaluate_policy(policy, env_id, episodes, seed, kwargs, cancel);
}

namespace {
// The policy inside a checkpoint's trained module, built from its arch string and the spaces of the
// env it was trained on; `trained` is what the checkpoint's "online" record loads into.
// The policy's module is the acting network (the actors' network: what the board publishes).
EvalPolicy checkpoint_policy(const CheckpointMeta& meta, const std::string& path,
                             std::shared_ptr<torch::nn::Module>& trained) {
  if (auto q = models::parse_qnet_arch(meta.arch)) {
    models::QNet net(*q);
    trained = net.ptr();
    return EvalPolicy{trained, [net](const torch::Tensor& obs) mutable { return net->forward(obs).argmax(1); },
                      q->obs_dim, Space::discrete(q->num_actions)};
  }
  if (auto c = models::parse_nature_cnn_arch(meta.arch)) {
    models::NatureCnn net(*c);
    trained = net.ptr();
    return EvalPolicy{trained, [net](const torch::Tensor& obs) mutable { return net->forward(obs).argmax(1); },
                      c->in_channels * 84 * 84, Space::discrete(c->num_actions)};
  }
  auto ac = models::parse_actor_critic_arch(meta.arch);
  if (!ac)
    throw CheckpointError("checkpoint " + path + " holds a '" + meta.arch +
                          "' network: shmrl eval runs QNet, Nature-CNN, SAC and TD3 checkpoints");
  // The bounds are buffers of the checkpoint: these placeholders are overwritten by the load.
  const models::ActorNetOptions opts{ac->obs_dim, std::vector<float>(ac->action_dim, -1.0f),
                                     std::vector<float>(ac->action_dim, 1.0f), ac->hidden};
  const Space box = Space::box({ac->action_dim}, opts.low, opts.high);
  if (ac->algorithm == Algorithm::Sac) {
    models::SacNets nets(opts, 1.0);
    trained = nets.ptr();
    auto actor = nets->actor;
    return EvalPolicy{actor.ptr(), [actor](const torch::Tensor& obs) mutable { return actor->mean_action(obs); },
                      ac->obs_dim, box};
  }
  models::Td3Nets nets(opts);
  trained = nets.ptr();
  auto actor = nets->actor;
  return EvalPolicy{actor.ptr(), [actor](const torch::Tensor& obs) mutable { return actor->forward(obs); },
                    ac->obs_dim, box};
}
}  // namespace

CheckpointPolicy read_checkpoint_policy(const std::string& path) {
  auto [meta, counters] = peek_checkpoint(path);
  std::shared_ptr<torch::nn::Module> trained;
  const EvalPolicy policy = checkpoint_policy(meta, path, trained);
  load_checkpoint(path, meta, CheckpointState{trained.get(), nullptr, nullptr});
  CheckpointPolicy p;
  if (auto q = models::parse_qnet_arch(meta.arch)) {
    p.hidden = q->hidden, p.dueling = q->dueling;
  } else if (auto c = models::parse_nature_cnn_arch(meta.arch)) {
    p.network = Network::NatureCnn, p.dueling = c->dueling;
  } else {
    const auto ac = models::parse_actor_critic_arch(meta.arch);  // checkpoint_policy parsed it
    p.algorithm = ac->algorithm, p.hidden = ac->hidden;
  }
  p.updates = counters.updates;
  p.weights = models::save_weights_blob(*policy.module);
  p.meta = std::move(meta);
  return p;
}

EvalResult evaluate_checkpoint_file(const std::string& path, const std::string& env_id,
                                    int episodes, uint64_t seed, const envs::EnvKwargs& overrides) {
  auto [meta, counters] = peek_checkpoint(path);
  std::shared_ptr<torch::nn::Module> trained;
  EvalPolicy policy = checkpoint_policy(meta, path, trained);
  load_checkpoint(path, meta, CheckpointState{trained.get(), nullptr, nullptr});
  const std::string id = env_id.empty() ? meta.env_id : env_id;
  envs::EnvKwargs kwargs = id == meta.env_id ? meta.env_kwargs : envs::EnvKwargs{};
  for (const auto& [k, v] : overrides) kwargs[k] = v;
  EvalResult r = evaluate_policy(policy, id, episodes, seed, kwargs);
  r.weight_version = counters.updates;
  return r;
}

}  // namespace shmrl::learner
