#pragma once
// Constructor keyword arguments of an environment, as strings (what a TOML config or a command line
// gives): {"continuous", "true"}. Each env reads the keys it knows through KwargReader, which parses
// and validates them and rejects unknown keys, so a typo is an error rather than a silent default.
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace shmrl::envs {

using EnvKwargs = std::map<std::string, std::string>;

class KwargReader {
 public:
  // env_id names the environment in error messages.
  KwargReader(std::string env_id, const EnvKwargs& kwargs) : id_(std::move(env_id)), kw_(kwargs) {}

  // "true"/"false"/"1"/"0" (case-sensitive). Throws std::invalid_argument naming key and value.
  bool get_bool(const std::string& key, bool fallback);
  // A finite number within [min, max]. Throws std::invalid_argument naming key, value and range.
  double get_double(const std::string& key, double fallback, double min, double max);
  // An integer within [min, max]. Throws std::invalid_argument naming key, value and range.
  int get_int(const std::string& key, int fallback, int min, int max);
  // Any text (a file name, a body name).
  std::string get_string(const std::string& key, const std::string& fallback);
  // Two numbers "[low, high]" (a TOML array; "low,high" also works), low <= high, each may be
  // +-inf (Gymnasium's (0.7, float("inf"))). Throws std::invalid_argument naming key and value.
  struct Range {
    double low, high;
  };
  Range get_range(const std::string& key, Range fallback);

  // Throws std::invalid_argument listing the unknown keys and the accepted ones. Call after the
  // last get_*.
  void finish() const;

 private:
  const std::string* find(const std::string& key);
  std::string id_;
  const EnvKwargs& kw_;
  std::set<std::string> known_;
};

}  // namespace shmrl::envs
