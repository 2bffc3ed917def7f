#include "learner/options.h"

#include <toml++/toml.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace shmrl::learner {
namespace {

template <class T>
std::string str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& allowed) {
  throw std::invalid_argument(key + " = " + value + ": must be " + allowed);
}

// Typed lookup of "section.key"; an absent key keeps `out`, a wrong type names the key.
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
      if (auto v = node.template value<double>()) return void(out = *v);  // integers widen
      type_error(key, node, "a number");
    } else {
      auto v = node.value_exact<int64_t>();
      if (!v) type_error(key, node, "an integer");
      if (*v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
          (*v > 0 && static_cast<uint64_t>(*v) > static_cast<uint64_t>(std::numeric_limits<T>::max())))
        bad(key, str(*v), "an integer in range");
      out = static_cast<T>(*v);
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

void LearnerOptions::validate() const {
  if (env_id.empty()) bad("env.id", "\"\"", "a registered environment id");
  if (world_size < 1) bad("run.learners", str(world_size), ">= 1");
  if (num_actors < 1) bad("run.actors", str(num_actors), ">= 1");
  if (batch_slots < 2) bad("replay.batch_slots", str(batch_slots), ">= 2");
  if (device != "auto" && device != "cpu" && device != "cuda")
    bad("run.device", "\"" + device + "\"", "one of auto|cpu|cuda");
  if (batch_size < 1) bad("learner.batch_size", str(batch_size), ">= 1");
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (hidden[i] <= 0) bad("learner.hidden[" + str(i) + "]", str(hidden[i]), "> 0 (a layer size)");
  if (!(lr > 0 && std::isfinite(lr))) bad("learner.lr", str(lr), "a finite number > 0");
  if (!(adam_eps > 0 && std::isfinite(adam_eps)))
    bad("learner.adam_eps", str(adam_eps), "a finite number > 0");
  if (!(grad_clip_norm > 0)) bad("learner.grad_clip_norm", str(grad_clip_norm), "> 0");
  if (target_update_period < 0)
    bad("learner.target_update_period", str(target_update_period),
        ">= 0 (0 = Polyak averaging with learner.tau)");
  if (target_update_period == 0 && !(tau > 0 && tau <= 1))
    bad("learner.tau", str(tau), "in (0, 1] when learner.target_update_period = 0");
  if (publish_period < 1) bad("learner.publish_period", str(publish_period), ">= 1");
  if (!(checkpoint_period_s > 0)) bad("learner.checkpoint_period_s", str(checkpoint_period_s), "> 0");
  if (torch_threads < 1) bad("learner.torch_threads", str(torch_threads), ">= 1");
  if (world_size > 1 && master_addr.empty())
    bad("learner.master_addr", "\"\"", "a host name or address when run.learners > 1");
  if (master_port < 0 || master_port > 65535 || (world_size > 1 && master_port == 0))
    bad("learner.master_port", str(master_port),
        "a TCP port in [1, 65535] when run.learners > 1 (0 only with one learner)");
  if (!(priority_epsilon >= 0)) bad("learner.priority_epsilon", str(priority_epsilon), ">= 0");
  if (!(huber_kappa > 0)) bad("learner.huber_kappa", str(huber_kappa), "> 0");
}

LearnerOptions LearnerOptions::from_toml_file(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
       << e.description();
    throw std::invalid_argument(os.str());
  }
  LearnerOptions o;
  Reader r(t, path);
  r.get("env.id", o.env_id);
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
  try {
    o.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
  return o;
}

}  // namespace shmrl::learner
