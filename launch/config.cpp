#include "launch/config.h"

#include <toml++/toml.h>

#include <cmath>
#include <sstream>

#include "actors/envs/env_config.h"
#include "common/config_schema.h"
#include "common/toml_reader.h"

namespace shmrl::launch {
namespace {

std::string format_node(const toml::node& n) {
  std::ostringstream os;
  n.visit([&](const auto& v) { os << v; });
  return os.str();
}

// Always a basic "..." string (escaped as needed), never a 'literal' one: one style everywhere.
std::string toml_string(const std::string& s) {
  std::ostringstream os;
  toml::value<std::string> node(s);
  os << toml::toml_formatter(
      node, toml::toml_formatter::default_flags & ~toml::format_flags::allow_literal_strings);
  return os.str();
}

// A float key's TOML literal: always with a '.' or an exponent, so it reads back as a float.
std::string format_double(double v) {
  std::string s = number_text(v);
  if (std::isfinite(v) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// A table key as TOML wants it: bare when it can be, else a quoted string.
std::string toml_key(const std::string& k) {
  const bool bare = !k.empty() && k.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                       "0123456789_-") == std::string::npos;
  return bare ? k : toml_string(k);
}

// bad_value (common/config_schema.h) as a ConfigError.
[[noreturn]] void fail(const KeySpec& s, std::string_view shown, std::string_view why = {}) {
  try {
    bad_value(s, shown, why);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
}

// The typed value of `node` for key `s`, or ConfigError naming the key and what is allowed.
Config::Value from_node(const toml::node& node, const KeySpec& s, const std::string& shown) {
  switch (s.type) {
    case KeyType::Int:
      if (auto v = node.as_integer()) return v->get();
      break;
    case KeyType::Float:
      if (auto v = node.as_floating_point()) return v->get();
      if (auto v = node.as_integer()) return static_cast<double>(v->get());
      break;
    case KeyType::Bool:
      if (auto v = node.as_boolean()) return v->get();
      break;
    case KeyType::String:
      if (auto v = node.as_string()) return v->get();
      break;
    case KeyType::IntList:
      if (auto arr = node.as_array()) {
        std::vector<int64_t> out;
        for (const auto& el : *arr) {
          auto i = el.as_integer();
          if (!i) fail(s, shown, "every element must be an integer");
          out.push_back(i->get());
        }
        return out;
      }
      break;
    case KeyType::StringMap:
      if (auto table = node.as_table()) {
        try {
          return envs::kwargs_from_toml(*table, std::string(s.key));
        } catch (const std::invalid_argument& e) {
          fail(s, shown, e.what());
        }
      }
      break;
  }
  fail(s, shown, "wrong type");
}

}  // namespace

Config Config::defaults() {
  Config c;
  for (const auto& s : schema()) {
    toml::table t = toml::parse("v = " + std::string(s.def));
    c.assign(s.key, from_node(*t.get("v"), s, std::string(s.def)), s.def);
  }
  return c;
}

Config Config::load(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "config file '" << path << "'";
    if (e.source().begin.line > 0) os << ", line " << e.source().begin.line;
    os << ": " << e.description();
    throw ConfigError(os.str());
  }
  Config c = defaults();
  std::vector<std::string> errors;
  auto add_error = [&](const toml::node& n, const std::string& msg) {
    errors.push_back(path + ":" + std::to_string(n.source().begin.line) + ": " + msg);
  };
  for_each_config_entry(root, [&](const std::string& key, const toml::node& value) {
    const KeySpec* s = find_key(key);
    if (!s) return add_error(value, unknown_key_message(key));
    try {
      std::string shown = format_node(value);
      c.assign(key, from_node(value, *s, shown), shown);
    } catch (const ConfigError& e) {
      add_error(value, e.what());
    }
  });
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += (all.empty() ? "" : "\n") + e;
    throw ConfigError(all);
  }
  return c;
}

void Config::set(std::string_view assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw ConfigError("--set '" + std::string(assignment) +
                      "': expected section.key=value, e.g. --set replay.capacity=200000");
  }
  set(assignment.substr(0, eq), assignment.substr(eq + 1));
}

void Config::set(std::string_view key, std::string_view text) {
  const KeySpec* s = find_key(key);
  if (!s) {
    const auto dot = key.rfind('.');
    const KeySpec* table = dot == std::string_view::npos ? nullptr : find_key(key.substr(0, dot));
    if (table && table->type == KeyType::StringMap) return set_entry(*table, key.substr(dot + 1), text);
    throw ConfigError(unknown_key_message(key));
  }
  toml::table t;
  bool parsed = true;
  try {
    t = toml::parse("v = " + std::string(text));
  } catch (const toml::parse_error&) {
    parsed = false;
  }
  const toml::node* node = parsed ? t.get("v") : nullptr;
  if (s->type == KeyType::String && (!node || !node->is_string())) {
    assign(key, std::string(text), text);  // a bare word: the string itself
    return;
  }
  if (!node) fail(*s, text, "not a TOML value");
  assign(key, from_node(*node, *s, std::string(text)), text);
}

void Config::set_entry(const KeySpec& table, std::string_view name, std::string_view text) {
  const std::string key = std::string(table.key) + "." + std::string(name);
  std::string value(text);  // a bare word (or anything that is not a TOML literal): the text itself
  try {
    toml::table t = toml::parse("v = " + std::string(text));
    value = envs::kwarg_text(*t.get("v"), key);
  } catch (const toml::parse_error&) {
    // not a TOML literal: keep the bare text, as for string keys
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  StringMap entries = get_string_map(table.key);
  entries[std::string(name)] = std::move(value);
  assign(table.key, std::move(entries), literal(table.key));
}

void Config::assign(std::string_view key, Value v, std::string_view shown) {
  const KeySpec& s = key_spec(key);
  try {
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (!std::is_same_v<T, bool> && !std::is_same_v<T, StringMap>) check_value(s, value, shown);
        },
        v);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  values_.insert_or_assign(std::string(key), std::move(v));
}

const Config::Value& Config::at(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("config key not in schema: " + std::string(key));
  return it->second;
}

int64_t Config::get_int(std::string_view key) const { return std::get<int64_t>(at(key)); }
double Config::get_float(std::string_view key) const { return std::get<double>(at(key)); }
bool Config::get_bool(std::string_view key) const { return std::get<bool>(at(key)); }
const std::string& Config::get_string(std::string_view key) const { return std::get<std::string>(at(key)); }
const std::vector<int64_t>& Config::get_int_list(std::string_view key) const {
  return std::get<std::vector<int64_t>>(at(key));
}
const Config::StringMap& Config::get_string_map(std::string_view key) const {
  return std::get<StringMap>(at(key));
}

std::string Config::literal(std::string_view key) const {
  const Value& v = at(key);
  if (auto i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&v)) return format_double(*d);
  if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto s = std::get_if<std::string>(&v)) return toml_string(*s);
  if (auto m = std::get_if<StringMap>(&v)) {
    if (m->empty()) return "{}";
    std::string out = "{ ";
    for (const auto& [k, val] : *m)
      out += (out.size() > 2 ? ", " : "") + toml_key(k) + " = " + toml_string(val);
    return out + " }";
  }
  std::string out = "[";
  for (int64_t i : std::get<std::vector<int64_t>>(v)) out += (out.size() > 1 ? ", " : "") + std::to_string(i);
  return out + "]";
}

std::string Config::to_toml() const {
  std::ostringstream os;
  std::string section;
  for (const auto& s : schema()) {
    std::string_view sec = s.key.substr(0, s.key.find('.'));
    if (sec != section) {
      os << (section.empty() ? "" : "\n") << "[" << sec << "]\n";
      section = sec;
    }
    os << s.key.substr(sec.size() + 1) << " = " << literal(s.key) << "  # " << s.doc << "\n";
  }
  return os.str();
}

}  // namespace shmrl::launch
