#pragma once
// The run configuration: schema defaults, overlaid by a TOML file, then by `--set section.key=value`
// overrides and the common flags. Every value is type- and range-checked as it is set, by its schema
// row (common/config_schema.h); the cross-key rules belong to the components that need them and run
// through validate_components() (launch/validate_components.h). Errors name the key, the value and
// what is allowed.
// Plain C++ (toml++); not thread-safe (built once on the launcher's main thread, then read-only).
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace shmrl {
struct KeySpec;  // common/config_schema.h
}  // namespace shmrl

namespace shmrl::launch {

// A configuration mistake the user must fix. what() may hold several lines, one per mistake.
class ConfigError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Config {
 public:
  using StringMap = std::map<std::string, std::string>;  // KeyType::StringMap (env.kwargs)
  using Value = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>, StringMap>;

  // Every key at its schema default.
  static Config defaults();
  // Defaults overlaid with the TOML file at `path`. Reports every mistake in the file at once
  // (unknown key with the closest known one, wrong type, out of range, TOML syntax with its line).
  static Config load(const std::string& path);

  // "section.key=value": value is a TOML literal (2, 0.5, true, [64, 64], "x"); a bare word is taken
  // as a string for string keys. "table.name=value" sets one entry of a table key (env.kwargs.x=1).
  // Throws ConfigError.
  void set(std::string_view assignment);
  void set(std::string_view key, std::string_view value);

  // Typed reads; the key must be in the schema with that type (std::logic_error otherwise).
  int64_t get_int(std::string_view key) const;
  double get_float(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  const std::string& get_string(std::string_view key) const;
  const std::vector<int64_t>& get_int_list(std::string_view key) const;
  const StringMap& get_string_map(std::string_view key) const;

  // The resolved configuration as TOML: every key in schema order, each with its doc as a comment.
  // Loading it back gives an equal Config.
  std::string to_toml() const;
  // One value as a TOML literal ("16", "0.99", "\"auto\"", "[128, 128]", "{ gravity = \"-9\" }").
  std::string literal(std::string_view key) const;

  bool operator==(const Config&) const = default;

 private:
  // Checks type and range against the schema row of `key` and stores it. Throws ConfigError.
  void assign(std::string_view key, Value v, std::string_view shown);
  const Value& at(std::string_view key) const;
  // Sets entry `name` of the StringMap key `table` from --set text (a TOML literal or a bare word).
  void set_entry(const KeySpec& table, std::string_view name, std::string_view text);

  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace shmrl::launch
