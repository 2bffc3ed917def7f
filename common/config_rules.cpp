// The rules of config_schema.h applied to values: lookup by name (with typo suggestions), range and
// choice checks, and the one shape of their error messages. The table itself: config_schema.cpp.
#include "common/config_schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace shmrl {
namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool in_range(const KeySpec& s, double v) {
  if (s.lo_open ? !(v > s.lo) : !(v >= s.lo)) return false;
  return v <= s.hi;
}

std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    os << static_cast<long long>(v);
  } else {
    os << v;
  }
  return os.str();
}
}  // namespace


std::string_view type_name(KeyType t) {
  switch (t) {
    case KeyType::Int:
      return "integer";
    case KeyType::Float:
      return "number";
    case KeyType::Bool:
      return "boolean";
    case KeyType::String:
      return "string";
    case KeyType::IntList:
      return "list of integers";
    case KeyType::StringMap:
      return "table";
  }
  return "?";
}

std::string closest_key(std::string_view key) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& s : schema()) {
    // A right name in the wrong (or no) section is as likely a typo as a misspelt name.
    std::string_view name = s.key.substr(s.key.find('.') + 1);
    std::size_t dot = key.find('.');
    std::string_view key_name = dot == std::string_view::npos ? key : key.substr(dot + 1);
    std::size_t d = std::min(edit_distance(key, s.key), edit_distance(key_name, name) + 1);
    if (d < best_d) {
      best_d = d;
      best = s.key;
    }
  }
  // Plausible typo: at most a third of the key's characters differ (and at least 2 allowed).
  return best_d <= std::max<std::size_t>(2, key.size() / 3) ? best : "";
}

const KeySpec& key_spec(std::string_view key) {
  const KeySpec* s = find_key(key);
  if (!s) throw std::logic_error("config key not in the schema: " + std::string(key));
  return *s;
}

std::string unknown_key_message(std::string_view key) {
  std::string msg = "unknown key '" + std::string(key) + "'";
  std::string near = closest_key(key);
  if (!near.empty()) msg += " (did you mean '" + near + "'?)";
  return msg + "; `shmrl train --help` lists every key";
}

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that round-trips
  return std::string(buf, end);
}

std::string list_text(const std::vector<int64_t>& v) {
  std::string out = "[";
  for (int64_t i : v) out += (out.size() > 1 ? ", " : "") + std::to_string(i);
  return out + "]";
}

void bad_value(const KeySpec& s, std::string_view shown, std::string_view why) {
  std::string expected = "expected " + allowed_text(s) + (s.doc.empty() ? "" : " (" + std::string(s.doc) + ")");
  throw std::invalid_argument(std::string(s.key) + " = " + std::string(shown) + ": " +
                              (why.empty() ? expected : std::string(why) + "; " + expected));
}

void check_value(const KeySpec& s, int64_t v, std::string_view shown) {
  if (!in_range(s, static_cast<double>(v))) bad_value(s, shown);
  if (s.power_of_two && (v & (v - 1)) != 0) bad_value(s, shown, "not a power of two");
}

void check_value(const KeySpec& s, double v, std::string_view shown) {
  if (std::isnan(v) || (std::isinf(v) && !s.allow_inf)) bad_value(s, shown, "not finite");
  if (!in_range(s, v)) bad_value(s, shown);
}

void check_value(const KeySpec& s, const std::vector<int64_t>& v, std::string_view shown) {
  if (v.empty()) bad_value(s, shown, "empty list");
  for (int64_t i : v) {
    if (!in_range(s, static_cast<double>(i))) bad_value(s, shown, "element " + std::to_string(i));
  }
}

void check_value(const KeySpec& s, const std::string& v, std::string_view shown) {
  if (v.empty() && !s.allow_empty) bad_value(s, "\"\"", "empty");
  if (s.choices.empty()) return;
  std::string_view rest = s.choices;
  while (!rest.empty()) {
    auto bar = rest.find('|');
    if (rest.substr(0, bar) == v) return;
    rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
  }
  bad_value(s, shown);
}

std::string allowed_text(const KeySpec& s) {
  switch (s.type) {
    case KeyType::Bool:
      return "true or false";
    case KeyType::StringMap:
      return "a table of string, number or boolean values";
    case KeyType::String:
      if (!s.choices.empty()) return "one of " + std::string(s.choices);
      return s.allow_empty ? "a string" : "a non-empty string";
    case KeyType::Int:
    case KeyType::Float:
    case KeyType::IntList: {
      std::string what = s.type == KeyType::Int     ? (s.power_of_two ? "a power of two" : "an integer")
                         : s.type == KeyType::Float ? (s.allow_inf ? "a number" : "a finite number")
                                                    : "a non-empty list of integers, each";
      bool has_lo = !std::isinf(s.lo), has_hi = !std::isinf(s.hi);
      if (has_lo && has_hi) {
        return what + " in " + (s.lo_open ? "(" : "[") + num(s.lo) + ", " + num(s.hi) + "]";
      }
      if (has_lo) return what + (s.lo_open ? " > " : " >= ") + num(s.lo);
      if (has_hi) return what + " <= " + num(s.hi);
      return what;
    }
  }
  return "?";
}

}  // namespace shmrl
