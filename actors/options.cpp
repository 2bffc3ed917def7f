#include "actors/options.h"

#include <toml++/toml.h>

#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace shmrl::actors {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& allowed) {
  throw std::invalid_argument(key + " = " + value + ": must be " + allowed);
}

template <class T>
std::string str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// Typed lookup of "section.key"; absent keeps `out`. Wrong types are errors naming the key.
class Reader {
 public:
  Reader(const toml::table& t, std::string path) : t_(t), path_(std::move(path)) {}
  template <class T>
  void get(const char* key, T& out) {
    auto node = t_.at_path(key);
    if (!node) return;
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node.value_exact<bool>()) return void(out = *v);
      type_error(key, node, "a boolean");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node.value_exact<std::string>()) return void(out = *v);
      type_error(key, node, "a string");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (auto v = node.template value<double>()) return void(out = *v);  // ints widen
      type_error(key, node, "a number");
    } else {
      if (auto v = node.value_exact<int64_t>()) {
        if constexpr (std::is_unsigned_v<T>)
          if (*v < 0) bad(key, str(*v), "a non-negative integer");
        if (*v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
            static_cast<uint64_t>(*v) > static_cast<uint64_t>(std::numeric_limits<T>::max()))
          bad(key, str(*v), "an integer in range");
        return void(out = static_cast<T>(*v));
      }
      type_error(key, node, "an integer");
    }
  }
  void get_int_list(const char* key, std::vector<int64_t>& out) {
    auto node = t_.at_path(key);
    if (!node) return;
    const auto* arr = node.as_array();
    if (!arr) type_error(key, node, "an array of integers");
    std::vector<int64_t> v;
    for (const auto& e : *arr) {
      auto i = e.value_exact<int64_t>();
      if (!i) type_error(key, node, "an array of integers");
      v.push_back(*i);
    }
    out = std::move(v);
  }

 private:
  [[noreturn]] void type_error(const char* key, toml::node_view<const toml::node> node,
                               const char* want) {
    std::ostringstream os;
    os << node;
    throw std::invalid_argument(path_ + ": " + key + " = " + os.str() + ": must be " + want);
  }
  const toml::table& t_;
  std::string path_;
};

}  // namespace

void ActorOptions::validate() const {
  if (env_id.empty()) bad("env.id", "\"\"", "a registered environment id");
  if (envs_per_actor < 1) bad("actor.envs_per_actor", str(envs_per_actor), ">= 1");
  if (n_step < 1) bad("actor.n_step", str(n_step), ">= 1");
  if (!(gamma > 0 && gamma <= 1)) bad("actor.gamma", str(gamma), "in (0, 1]");
  if (!(epsilon_base >= 0 && epsilon_base <= 1))
    bad("actor.epsilon_base", str(epsilon_base), "in [0, 1]");
  if (!(epsilon_alpha >= 0)) bad("actor.epsilon_alpha", str(epsilon_alpha), ">= 0");
  if (weight_sync_steps < 1) bad("actor.weight_sync_steps", str(weight_sync_steps), ">= 1");
  if (ring_capacity < 2 || ring_capacity > (int64_t{1} << 30) ||
      (ring_capacity & (ring_capacity - 1)) != 0)
    bad("actor.ring_capacity", str(ring_capacity), "a power of two in [2, 2^30]");
  if (push_batch < 1 || push_batch > ring_capacity)
    bad("actor.push_batch", str(push_batch),
        "in [1, actor.ring_capacity = " + str(ring_capacity) + "]");
  if (torch_threads < 1) bad("actor.torch_threads", str(torch_threads), ">= 1");
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (hidden[i] <= 0)
      bad("learner.hidden[" + str(i) + "]", str(hidden[i]), "> 0 (a layer size)");
  if (!(noise_std >= 0)) bad("noise_std", str(noise_std), ">= 0");
  if (num_actors < 1) bad("--num-actors", str(num_actors), ">= 1");
  if (actor_id < 0 || actor_id >= num_actors)
    bad("--actor-id", str(actor_id), "in [0, --num-actors = " + str(num_actors) + ")");
}

ActorOptions ActorOptions::from_toml_file(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
       << e.description();
    throw std::invalid_argument(os.str());
  }
  ActorOptions o;
  Reader r(t, path);
  r.get("run.seed", o.seed);
  r.get("env.id", o.env_id);
  r.get("actor.envs_per_actor", o.envs_per_actor);
  r.get("actor.n_step", o.n_step);
  r.get("actor.gamma", o.gamma);
  r.get("actor.epsilon_base", o.epsilon_base);
  r.get("actor.epsilon_alpha", o.epsilon_alpha);
  r.get("actor.weight_sync_steps", o.weight_sync_steps);
  r.get("actor.push_batch", o.push_batch);
  r.get("actor.ring_capacity", o.ring_capacity);
  r.get("actor.torch_threads", o.torch_threads);
  r.get_int_list("learner.hidden", o.hidden);
  r.get("learner.dueling", o.dueling);
  try {
    o.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
  return o;
}

}  // namespace shmrl::actors
