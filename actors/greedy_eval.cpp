#include "actors/greedy_eval.h"

#include <stdexcept>
#include <string>

#include "actors/vector_envs.h"

namespace shmrl::actors {
namespace {

PolicyOptions deterministic_options(const ActorOptions& o, const Space& obs_space, const Space& action_space) {
  PolicyOptions p;
  p.algorithm = resolve_algorithm(o.algorithm, action_space);
  p.network = resolve_network(o.network, obs_space);
  p.hidden = o.hidden;
  p.dueling = o.dueling;
  p.torch_threads = o.torch_threads;
  p.noise_std = o.noise_std;
  p.seed = o.seed;
  p.deterministic = true;
  return p;
}

}  // namespace

GreedyEvaluator::GreedyEvaluator(const ActorOptions& opts, int episodes) : opts_(opts), episodes_(episodes) {
  if (episodes < 1) throw std::invalid_argument("eval.episodes = " + std::to_string(episodes) + ": must be >= 1");
  rebuild_envs();
  policy_ = make_policy(envs_->observation_space(), envs_->action_space(),
                        deterministic_options(opts_, envs_->observation_space(), envs_->action_space()),
                        envs_->size());
  actions_.resize(envs_->size() * envs_->action_space().bytes());
  results_.resize(envs_->size());
}

void GreedyEvaluator::rebuild_envs() {
  envs_.reset();  // the old envs close first (an ALE vector holds threads)
  envs_ = make_vector_env(opts_.env_id, opts_.env_kwargs, opts_.python_modules,
                          static_cast<std::size_t>(episodes_), /*evaluation=*/true);
}

GreedyEvalResult GreedyEvaluator::run(std::span<const std::byte> weights, uint64_t seed,
                                      const std::function<bool()>& cancelled,
                                      const std::function<void(uint64_t)>& tick) {
  policy_->load_weights(weights);
  const std::size_t n = envs_->size();
  std::vector<uint8_t> mask(n, 1);
  std::vector<uint64_t> seeds(n);
  for (std::size_t i = 0; i < n; ++i) seeds[i] = seed + i;
  envs_->reset(mask.data(), seeds.data(), policy_->observations());
  GreedyEvalResult r;
  r.returns.assign(n, 0.0);
  std::vector<bool> live(n, true);
  uint64_t refill = seed + n;  // seeds of the uncounted episodes that keep ended envs steppable
  for (std::size_t alive = n; alive > 0;) {
    if (cancelled()) throw GreedyEvalCancelled();
    policy_->act(actions_.data());
    envs_->step(actions_.data(), policy_->observations(), results_.data());
    bool any_ended = false;
    for (std::size_t i = 0; i < n; ++i) {
      const bool ended = results_[i].terminated || results_[i].truncated;
      mask[i] = ended ? 1 : 0;
      any_ended = any_ended || ended;
      if (ended) seeds[i] = refill++;
      if (!live[i]) continue;
      r.returns[i] += results_[i].reward;
      ++r.env_steps;
      if (ended) live[i] = false, --alive;
    }
    tick(r.env_steps);
    // A vector env steps all of its envs: one that has ended starts an uncounted episode.
    if (any_ended && alive > 0) envs_->reset(mask.data(), seeds.data(), policy_->observations());
  }
  return r;
}

}  // namespace shmrl::actors
