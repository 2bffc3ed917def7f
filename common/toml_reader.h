#pragma once
// Typed lookups of "section.key" in a parsed TOML table, shared by the component option parsers
// (actors, learner, replay), so a wrong type reads the same everywhere:
//   "<source>: <key> = <value>: must be <allowed>"   (std::invalid_argument)
// Every key read must be a row of the schema (common/config_schema.h): an absent key reads as the
// schema's default, the only default there is. A key in the table that the schema does not know is
// refused at construction. Range rules are the options structs' validate() (check_key), not this.
// Plain C++ (toml++). Not thread-safe; holds a reference to the table, which must outlive it.
#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace shmrl {

// "key = value: must be allowed" as std::invalid_argument: the one shape of an option error.
[[noreturn]] void bad_option(const std::string& key, const std::string& value,
                             const std::string& allowed);

// A value as text for error messages (streams it; nan/inf print as such).
template <class T>
std::string to_text(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// Parses the TOML file at `path`; syntax errors become std::invalid_argument "path:line:col: why".
toml::table parse_toml_file(const std::string& path);

// Calls fn(key, node) for every entry of a config table under its schema key: "section.name", and
// "section.sub.name" for the entries of a sub-table that is not itself a schema key (the keys
// run.restarts.actor, ...: `[run.restarts]` or `restarts.actor = 3` in [run]). A top-level entry
// that is not a table, or an unknown key, is passed as is (key = what the user wrote).
void for_each_config_entry(const toml::table& root,
                           const std::function<void(const std::string& key, const toml::node& node)>& fn);

class TomlReader {
 public:
  // `source` prefixes every error (the config file path, or "config"). Throws std::invalid_argument
  // listing every key of `table` that is not in the schema (with the closest known key).
  TomlReader(const toml::table& table, std::string source);

  // T: bool, std::string, a floating-point type (integers widen) or an integral type (range-checked,
  // unsigned types refuse negatives). Throws std::invalid_argument naming the key on a wrong type.
  template <class T>
  void get(const std::string& key, T& out) const {
    toml::table scratch;
    const toml::node_view<const toml::node> node = lookup(key, scratch);
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node.template value_exact<bool>()) return void(out = *v);
      type_error(key, *node.node(), "a boolean");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node.template value_exact<std::string>()) return void(out = *v);
      type_error(key, *node.node(), "a string");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (auto v = node.template value<double>()) return void(out = static_cast<T>(*v));
      type_error(key, *node.node(), "a number");
    } else {
      static_assert(std::is_integral_v<T>, "TomlReader::get: unsupported type");
      auto v = node.template value_exact<int64_t>();
      if (!v) type_error(key, *node.node(), "an integer");
      out = checked_int<T>(key, *v);
    }
  }

  // An array of integers; any other element type is an error naming the key.
  void get_int_list(const std::string& key, std::vector<int64_t>& out) const;

  // The node at `key` (or nullptr when absent; the key's default is then empty): for shapes the
  // typed getters do not cover (sub-tables).
  const toml::node* node(const std::string& key) const { return table_.at_path(key).node(); }

  // The prefix of this reader's errors, for callers that check shapes the getters do not cover.
  const std::string& source() const { return source_; }

  // Throws "<source>: <key> = <node>: must be <want>".
  [[noreturn]] void type_error(const std::string& key, const toml::node& node,
                               const std::string& want) const;

 private:
  // The node at `key`, or the schema default of `key` parsed into `scratch`. std::logic_error when
  // `key` is not in the schema.
  toml::node_view<const toml::node> lookup(const std::string& key, toml::table& scratch) const;

  template <class T>
  T checked_int(const std::string& key, int64_t v) const {
    if constexpr (std::is_unsigned_v<T>) {
      if (v < 0) fail(key, std::to_string(v), "an integer >= 0");
      if (static_cast<uint64_t>(v) > std::numeric_limits<T>::max())
        fail(key, std::to_string(v), "an integer <= " + std::to_string(std::numeric_limits<T>::max()));
    } else if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
      fail(key, std::to_string(v),
           "an integer in [" + std::to_string(std::numeric_limits<T>::min()) + ", " +
               std::to_string(std::numeric_limits<T>::max()) + "]");
    }
    return static_cast<T>(v);
  }
  [[noreturn]] void fail(const std::string& key, const std::string& value,
                         const std::string& allowed) const;

  const toml::table& table_;
  std::string source_;
};

}  // namespace shmrl
