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

EvalResult evaluate_greedy(models::QNetImpl& net, const std::string& env_id, int episodes,
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
  const auto opts = models::qnet_options_for(obs_space, act_space, net.options().hidden, net.options().dueling);
  if (opts.obs_dim != net.options().obs_dim || opts.num_actions != net.options().num_actions)
    throw std::invalid_argument(env_id + " has " + obs_space.describe() + " observations and " +
                                act_space.describe() + " actions; the network takes " +
                                std::to_string(net.options().obs_dim) + " inputs and has " +
                                std::to_string(net.options().num_actions) + " actions");
  if (obs_space.dtype != DType::F32)
    throw std::invalid_argument("evaluation of " + env_id + ": float32 observations expected, got " +
                                obs_space.describe());
  const int64_t dim = opts.obs_dim;
  const int n = episodes;
  // Row i holds env i's latest observation; finished envs keep their last row (not stepped).
  std::vector<float> obs(static_cast<std::size_t>(n * dim));
  std::vector<double> returns(n, 0.0);
  std::vector<bool> live(n, true);
  for (int i = 0; i < n; ++i) envs[i]->reset(seed + static_cast<uint64_t>(i),
                                              reinterpret_cast<std::byte*>(&obs[i * dim]));
  const auto device = net.parameters().empty() ? torch::Device(torch::kCPU) : net.parameters()[0].device();
  torch::InferenceMode guard;
  uint64_t steps = 0;
  for (int alive = n; alive > 0;) {
    check_cancel();
    auto q = net.forward(torch::from_blob(obs.data(), {n, dim}, torch::kFloat32).to(device));
    auto best = q.argmax(1).to(torch::kCPU, torch::kInt32).contiguous();
    const int32_t* a = best.data_ptr<int32_t>();
    for (int i = 0; i < n; ++i) {
      if (!live[i]) continue;
      auto r = envs[i]->step(&a[i], reinterpret_cast<std::byte*>(&obs[i * dim]));
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

std::optional<EvalResult> evaluate_weight_board(const RunContext& run, const std::string& env_id,
                                                const std::vector<int64_t>& hidden, bool dueling,
                                                int episodes, uint64_t seed,
                                                const envs::EnvKwargs& kwargs,
                                                const std::atomic<bool>* cancel) {
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
  auto probe = envs::make_env(env_id, kwargs);
  models::QNet net(models::qnet_options_for(probe->observation_space(), probe->action_space(), hidden, dueling));
  models::load_weights_blob(*net, blob);
  EvalResult r = evaluate_greedy(*net, env_id, episodes, seed, kwargs, cancel);
  r.weight_version = *version;
  return r;
}

EvalResult evaluate_checkpoint_file(const std::string& path, const std::string& env_id,
                                    int episodes, uint64_t seed, const envs::EnvKwargs& overrides) {
  auto [meta, counters] = peek_checkpoint(path);
  auto opts = models::parse_qnet_arch(meta.arch);
  if (!opts)
    throw CheckpointError("checkpoint " + path + " holds a '" + meta.arch +
                          "' network, not an MLP QNet: shmrl eval runs QNet checkpoints only");
  models::QNet net(*opts);
  load_checkpoint(path, meta, CheckpointState{net.ptr().get(), nullptr, nullptr});
  const std::string id = env_id.empty() ? meta.env_id : env_id;
  envs::EnvKwargs kwargs = id == meta.env_id ? meta.env_kwargs : envs::EnvKwargs{};
  for (const auto& [k, v] : overrides) kwargs[k] = v;
  EvalResult r = evaluate_greedy(*net, id, episodes, seed, kwargs);
  r.weight_version = counters.updates;
  return r;
}

}  // namespace shmrl::learner
