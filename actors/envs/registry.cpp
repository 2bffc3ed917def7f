#include "actors/envs/registry.h"

#include <map>
#include <mutex>
#include <stdexcept>

#include "actors/envs/acrobot.h"
#include "actors/envs/cartpole.h"
#include "actors/envs/gym_spaces.h"
#include "actors/envs/lunar_lander.h"
#include "actors/envs/mountain_car.h"
#include "actors/envs/pendulum.h"
#ifdef SHMRL_HAVE_MUJOCO
#include "actors/envs/mujoco/ant.h"
#include "actors/envs/mujoco/half_cheetah.h"
#include "actors/envs/mujoco/hopper.h"
#include "actors/envs/mujoco/humanoid.h"
#include "actors/envs/mujoco/inverted_pendulum.h"
#include "actors/envs/mujoco/reacher.h"
#endif

namespace shmrl::envs {

namespace {

struct Entry {
  EnvFactory factory;
  bool time_limited = false;  // the factory's envs already apply their TimeLimit
};

template <class E>
Entry builtin() {
  return {[](const EnvKwargs& kw) -> std::unique_ptr<Env> {
            return std::make_unique<TimeLimited<E>>(kw);
          },
          true};
}

// A function-local static, so registrars in other translation units may run in any order.
struct Registry {
  std::mutex mu;
  std::map<std::string, Entry> entries;
  Registry() {
    entries.emplace("CartPole-v1", builtin<CartPole>());
    entries.emplace("Acrobot-v1", builtin<Acrobot>());
    entries.emplace("MountainCar-v0", builtin<MountainCar>());
    entries.emplace("Pendulum-v1", builtin<Pendulum>());
    entries.emplace("LunarLander-v3", builtin<LunarLander>());
#ifdef SHMRL_HAVE_MUJOCO  // cmake/mujoco.cmake found the mujoco wheel and gymnasium's models
    entries.emplace("HalfCheetah-v5", builtin<mujoco::HalfCheetah>());
    entries.emplace("Hopper-v5", builtin<mujoco::Hopper>());
    entries.emplace("Walker2d-v5", builtin<mujoco::Walker2d>());
    entries.emplace("Ant-v5", builtin<mujoco::Ant>());
    entries.emplace("Humanoid-v5", builtin<mujoco::Humanoid>());
    entries.emplace("HumanoidStandup-v5", builtin<mujoco::HumanoidStandup>());
    entries.emplace("InvertedPendulum-v5", builtin<mujoco::InvertedPendulum>());
    entries.emplace("InvertedDoublePendulum-v5", builtin<mujoco::InvertedDoublePendulum>());
    entries.emplace("Reacher-v5", builtin<mujoco::Reacher>());
    entries.emplace("Pusher-v5", builtin<mujoco::Pusher>());
    entries.emplace("Swimmer-v5", builtin<mujoco::Swimmer>());
#endif
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

void add(const std::string& id, EnvFactory factory, bool time_limited) {
  if (id.empty()) throw std::invalid_argument("register_env: the id must not be empty");
  if (!factory) throw std::invalid_argument("register_env('" + id + "'): the factory is empty");
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  if (!r.entries.emplace(id, Entry{std::move(factory), time_limited}).second)
    throw std::invalid_argument("register_env: '" + id + "' is already registered");
}

}  // namespace

void register_env(const std::string& id, EnvFactory factory) {
  add(id, std::move(factory), false);
}

void detail::register_time_limited(const std::string& id, EnvFactory factory) {
  add(id, std::move(factory), true);
}

std::vector<std::string> registered_env_ids() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  std::vector<std::string> ids;
  for (const auto& [id, e] : r.entries) ids.push_back(id);
  return ids;
}

std::unique_ptr<Env> make_env(const std::string& id, const EnvKwargs& kwargs) {
  if (is_gym_id(id)) return make_gym_spaces_env(id, kwargs);  // gymnasium applies its own TimeLimit
  Entry entry;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    auto it = r.entries.find(id);
    if (it == r.entries.end()) {
      std::string known;
      for (const auto& [k, e] : r.entries) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument("unknown environment id '" + id + "'; registered: " + known);
    }
    entry = it->second;
  }
  // Constructed outside the lock: a constructor may be slow (Box2D world) or throw.
  std::unique_ptr<Env> env = entry.factory(kwargs);
  if (!env) throw std::runtime_error("make_env('" + id + "'): the factory returned null");
  if (entry.time_limited) return env;
  return std::make_unique<TimeLimit>(std::move(env));
}

}  // namespace shmrl::envs
