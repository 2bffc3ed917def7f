#pragma once
// The configuration schema: every key any shmrl process reads, in one table (type, default, allowed
// range or choices, doc). It is the only home of defaults and per-key rules: the launcher's Config,
// `shmrl train --help`, the resolved config.toml and every process's options parser (through
// TomlReader, common/toml_reader.h) read it, so they cannot drift apart. Adding a key = adding one
// row in config_schema.cpp. Plain C++; the table is immutable, so every function is thread-safe.
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace shmrl {

// StringMap: a TOML table of string/number/boolean values kept as text (env.kwargs); its entries
// can also be set one at a time as "key.name" (--set env.kwargs.continuous=true).
enum class KeyType { Int, Float, Bool, String, IntList, StringMap };

// "integer", "float", ...: the word error messages and --help use.
std::string_view type_name(KeyType t);

struct KeySpec {
  std::string_view key;  // "section.name"
  KeyType type;
  std::string_view def;  // default as a TOML literal: 16, 0.99, true, "auto", [128, 128]
  // Numeric keys (and each IntList element): lo <= v <= hi, or lo < v when lo_open.
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  std::string_view choices = {};  // String keys: "a|b|c" (empty = any non-empty string)
  bool power_of_two = false;      // Int keys
  bool allow_inf = false;         // Float keys: +-inf is a meaningful value (NaN never is)
  bool allow_empty = false;       // String keys: "" is a meaningful value
  std::string_view doc = {};
};

// Every key, in the order config.toml and --help list them (grouped by section).
std::span<const KeySpec> schema();

// The row for `key` ("section.name"), or nullptr.
const KeySpec* find_key(std::string_view key);
// The row for `key`; std::logic_error when there is none (code reading a key that is not in the table).
const KeySpec& key_spec(std::string_view key);

// The schema key closest to `key` by edit distance when it is a plausible typo, else "".
std::string closest_key(std::string_view key);

// "unknown key 'x' (did you mean 'y'?); `shmrl train --help` lists every key".
std::string unknown_key_message(std::string_view key);

// "an integer >= 1", "a power of two in [2, 2^30]", "one of auto|cpu|cuda": what `spec` allows.
std::string allowed_text(const KeySpec& spec);

// The one shape of a bad value, as std::invalid_argument:
//   "<key> = <shown>: [<why>; ]expected <allowed> (<doc>)".
[[noreturn]] void bad_value(const KeySpec& spec, std::string_view shown, std::string_view why = {});

// The row's rules (range, power of two, finiteness, choices, emptiness) applied to a value of the
// row's type; `shown` is the value as the user wrote it. Throws bad_value.
void check_value(const KeySpec& spec, int64_t v, std::string_view shown);
void check_value(const KeySpec& spec, double v, std::string_view shown);
void check_value(const KeySpec& spec, const std::string& v, std::string_view shown);
void check_value(const KeySpec& spec, const std::vector<int64_t>& v, std::string_view shown);

// Shortest round-tripping text of a number (nan, inf, -inf as such), and "[1, 2]" for a list.
std::string number_text(double v);
std::string list_text(const std::vector<int64_t>& v);

// check_value for an options struct field: check_key("actor.n_step", n_step). Integral fields of any
// width, floating-point, string and integer-list fields; booleans have no rule.
template <class T>
void check_key(std::string_view key, const T& v) {
  const KeySpec& spec = key_spec(key);
  if constexpr (std::is_same_v<T, bool>) {
    (void)spec;
  } else if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_unsigned_v<T>) {
      if (static_cast<uint64_t>(v) > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        bad_value(spec, std::to_string(v));
    }
    check_value(spec, static_cast<int64_t>(v), std::to_string(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    check_value(spec, static_cast<double>(v), number_text(v));
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    check_value(spec, v, list_text(v));
  } else {
    check_value(spec, std::string(v), "\"" + std::string(v) + "\"");
  }
}

}  // namespace shmrl
