#include "launch/sweep_spec.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "launch/config.h"

namespace shmrl::launch {
namespace {

std::string literal(const toml::node& n) {
  std::ostringstream os;
  n.visit([&](const auto& v) { os << v; });
  return os.str();
}

// Flattens nested tables ([axes] run.actors = ... parses as axes.run.actors) into dotted keys.
void flatten(const toml::table& t, const std::string& prefix, std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    // env.kwargs is a table-valued key: keep it whole.
    if (const auto* sub = v.as_table(); sub && key != "env.kwargs") flatten(*sub, key, out);
    else out.emplace_back(key, &v);
  }
}

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw ConfigError("sweep spec " + path + ": " + what);
}

double number(const toml::table& root, const std::string& path, const char* key, double fallback) {
  const toml::node* n = root.get(key);
  if (!n) return fallback;
  if (auto v = n->value<double>()) return *v;
  bad(path, std::string(key) + " = " + literal(*n) + ": expected a number");
}

}  // namespace

SweepSpec load_sweep_spec(const std::string& path) {
  namespace fs = std::filesystem;
  SweepSpec s;
  s.path = path;
  s.name = fs::path(path).stem().string();
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    bad(path, std::string(e.description()) + " (line " + std::to_string(e.source().begin.line) + ")");
  }
  for (const auto& [k, v] : root) {
    static const char* known[] = {"base", "repeats", "time_limit_s", "target_return", "max_env_steps", "set", "axes"};
    if (std::find(std::begin(known), std::end(known), k.str()) == std::end(known))
      bad(path, "unknown key '" + std::string(k.str()) +
                    "' (known: base, repeats, time_limit_s, target_return, max_env_steps, [set], [axes])");
  }
  if (const toml::node* b = root.get("base")) {
    auto v = b->value<std::string>();
    if (!v) bad(path, "base = " + literal(*b) + ": expected a path string");
    s.base_config = fs::absolute(fs::path(path).parent_path() / *v).lexically_normal().string();
    if (!fs::exists(s.base_config)) bad(path, "base = \"" + *v + "\": " + s.base_config + " does not exist");
  }
  const double repeats = number(root, path, "repeats", 1);
  if (repeats < 1 || repeats != std::floor(repeats)) bad(path, "repeats must be a whole number >= 1");
  s.repeats = static_cast<int>(repeats);
  s.time_limit_s = number(root, path, "time_limit_s", 0);
  if (!(s.time_limit_s > 0)) bad(path, "time_limit_s (seconds per run) is required and must be > 0");
  s.has_target = root.contains("target_return");
  s.target_return = number(root, path, "target_return", 0);
  s.max_env_steps = number(root, path, "max_env_steps", 0);

  std::vector<std::pair<std::string, const toml::node*>> items;
  if (const auto* set = root["set"].as_table()) flatten(*set, "", items);
  for (const auto& [k, v] : items) s.set.emplace_back(k, literal(*v));
  items.clear();
  if (const auto* axes = root["axes"].as_table()) flatten(*axes, "", items);
  if (items.empty()) bad(path, "[axes] is empty: give at least one key with a list of values");
  for (const auto& [k, v] : items) {
    const auto* list = v->as_array();
    if (!list || list->empty()) bad(path, "axes " + k + " = " + literal(*v) + ": expected a non-empty list of values");
    SweepAxis axis{k, {}};
    for (const auto& e : *list) axis.values.push_back(literal(e));
    s.axes.push_back(std::move(axis));
  }
  // Every value against the schema now, not after an hour of earlier points.
  Config base = s.base_config.empty() ? Config::defaults() : Config::load(s.base_config);
  for (const auto& [k, v] : s.set) base.set(k, v);
  for (const auto& axis : s.axes) {
    for (const auto& v : axis.values) {
      Config c = base;
      c.set(axis.key, v);
    }
  }
  return s;
}

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
  std::vector<std::vector<Assignment>> combos = {{}};
  for (const auto& axis : spec.axes) {
    std::vector<std::vector<Assignment>> next;
    for (const auto& c : combos) {
      for (const auto& v : axis.values) {
        next.push_back(c);
        next.back().emplace_back(axis.key, v);
      }
    }
    combos = std::move(next);
  }
  std::vector<SweepPoint> out;
  for (std::size_t i = 0; i < combos.size(); ++i)
    for (int r = 0; r < spec.repeats; ++r) out.push_back({static_cast<int>(i), r, combos[i]});
  return out;
}

}  // namespace shmrl::launch
