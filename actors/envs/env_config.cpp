#include "actors/envs/env_config.h"

#include <charconv>
#include <stdexcept>

namespace shmrl::envs {

namespace {
std::string number_text(const toml::node& value) {
  if (auto i = value.as_integer()) return std::to_string(i->get());
  if (auto d = value.as_floating_point()) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d->get());  // shortest exact text
    return std::string(buf, end);
  }
  return {};
}
}  // namespace

std::string kwarg_text(const toml::node& value, const std::string& key) {
  if (auto s = value.as_string()) return s->get();
  if (auto b = value.as_boolean()) return b->get() ? "true" : "false";
  if (std::string n = number_text(value); !n.empty()) return n;
  if (auto a = value.as_array(); a && !a->empty()) {  // a range such as healthy_z_range = [0.7, inf]
    std::string text;
    bool numbers = true;
    for (const toml::node& e : *a) {
      const std::string n = number_text(e);
      numbers = numbers && !n.empty();
      text += (text.empty() ? "[" : ", ") + n;
    }
    if (numbers) return text + "]";
  }
  std::ostringstream shown;
  value.visit([&](const auto& v) { shown << v; });
  bad_option(key, shown.str(), "a string, number, boolean or array of numbers");
}

EnvKwargs kwargs_from_toml(const toml::table& table, const std::string& key) {
  EnvKwargs out;
  for (const auto& [name, value] : table) {
    const std::string k(name.str());
    out[k] = kwarg_text(value, key + "." + k);
  }
  return out;
}

void read_env_config(const TomlReader& reader, std::string& id, EnvKwargs& kwargs) {
  reader.get("env.id", id);
  const toml::node* node = reader.node("env.kwargs");
  if (!node) return;
  const auto* table = node->as_table();
  if (!table) reader.type_error("env.kwargs", *node, "a table, e.g. { continuous = true }");
  try {
    kwargs = kwargs_from_toml(*table, "env.kwargs");
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(reader.source() + ": " + e.what());  // prefixed like the others
  }
}

}  // namespace shmrl::envs
