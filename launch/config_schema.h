#pragma once
// The configuration schema: every key any shmrl process reads, in one table (type, default, allowed
// range or choices, doc). Config validation, `shmrl train --help` and the resolved config.toml are all
// generated from it, so they cannot drift apart. Adding a key = adding one row in config_schema.cpp.
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace shmrl::launch {

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

// The schema key closest to `key` by edit distance when it is a plausible typo, else "".
std::string closest_key(std::string_view key);

// "an integer >= 1", "a power of two in [2, 2^30]", "one of auto|cpu|cuda": what `spec` allows.
std::string allowed_text(const KeySpec& spec);

}  // namespace shmrl::launch
