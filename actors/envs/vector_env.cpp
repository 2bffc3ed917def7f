#include "actors/envs/vector_env.h"

#include <stdexcept>
#include <vector>

#include "actors/envs/registry.h"

namespace shmrl::envs {
namespace {

class LocalVectorEnv final : public VectorEnv {
 public:
  LocalVectorEnv(const std::string& id, const EnvKwargs& kwargs, std::size_t n) {
    if (n == 0) throw std::invalid_argument("a vector of " + id + " needs at least one env");
    for (std::size_t i = 0; i < n; ++i) envs_.push_back(make_env(id, kwargs));
    obs_bytes_ = envs_[0]->observation_space().bytes();
    action_bytes_ = envs_[0]->action_space().bytes();
  }
  std::size_t size() const override { return envs_.size(); }
  const Space& observation_space() const override { return envs_[0]->observation_space(); }
  const Space& action_space() const override { return envs_[0]->action_space(); }
  void reset(const uint8_t* mask, const uint64_t* seeds, std::byte* obs) override {
    for (std::size_t e = 0; e < envs_.size(); ++e)
      if (mask[e]) envs_[e]->reset(seeds[e], obs + e * obs_bytes_);
  }
  void step(const std::byte* actions, std::byte* obs, StepResult* results) override {
    for (std::size_t e = 0; e < envs_.size(); ++e)
      results[e] = envs_[e]->step(actions + e * action_bytes_, obs + e * obs_bytes_);
  }

 private:
  std::vector<std::unique_ptr<Env>> envs_;
  std::size_t obs_bytes_ = 0, action_bytes_ = 0;
};

}  // namespace

std::unique_ptr<VectorEnv> make_local_vector_env(const std::string& id, const EnvKwargs& kwargs,
                                                 std::size_t num_envs) {
  return std::make_unique<LocalVectorEnv>(id, kwargs, num_envs);
}

}  // namespace shmrl::envs
