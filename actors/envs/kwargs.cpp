#include "actors/envs/kwargs.h"

#include <cmath>
#include <stdexcept>

namespace shmrl::envs {

const std::string* KwargReader::find(const std::string& key) {
  known_.insert(key);
  auto it = kw_.find(key);
  return it == kw_.end() ? nullptr : &it->second;
}

bool KwargReader::get_bool(const std::string& key, bool fallback) {
  const std::string* v = find(key);
  if (!v) return fallback;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  throw std::invalid_argument(id_ + ": kwarg '" + key + "' = '" + *v +
                              "' is not a boolean (allowed: true, false, 1, 0)");
}

double KwargReader::get_double(const std::string& key, double fallback, double min, double max) {
  const std::string* v = find(key);
  if (!v) return fallback;
  std::size_t used = 0;
  double x = NAN;
  try {
    x = std::stod(*v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v->size() || !std::isfinite(x) || x < min || x > max)
    throw std::invalid_argument(id_ + ": kwarg '" + key + "' = '" + *v +
                                "' must be a number in [" + std::to_string(min) + ", " +
                                std::to_string(max) + "]");
  return x;
}

int KwargReader::get_int(const std::string& key, int fallback, int min, int max) {
  const std::string* v = find(key);
  if (!v) return fallback;
  const double x = get_double(key, fallback, min, max);
  if (x != std::floor(x))
    throw std::invalid_argument(id_ + ": kwarg '" + key + "' = '" + *v + "' must be an integer in [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
  return static_cast<int>(x);
}

std::string KwargReader::get_string(const std::string& key, const std::string& fallback) {
  const std::string* v = find(key);
  return v ? *v : fallback;
}

KwargReader::Range KwargReader::get_range(const std::string& key, Range fallback) {
  const std::string* v = find(key);
  if (!v) return fallback;
  std::string text = *v;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  const std::size_t comma = text.find(',');
  Range r{NAN, NAN};
  try {
    std::size_t used_low = 0, used_high = 0;
    const std::string high = comma == std::string::npos ? "" : text.substr(comma + 1);
    r.low = std::stod(text.substr(0, comma), &used_low);
    r.high = std::stod(high, &used_high);
    // stod skips leading blanks only: what is left after each number must be blank too.
    auto blank_after = [](const std::string& s, std::size_t from) {
      return s.find_first_not_of(' ', from) == std::string::npos;
    };
    if (!blank_after(text.substr(0, comma), used_low) || !blank_after(high, used_high)) r = {NAN, NAN};
  } catch (const std::exception&) {
    r = {NAN, NAN};
  }
  if (std::isnan(r.low) || std::isnan(r.high) || r.low > r.high)
    throw std::invalid_argument(id_ + ": kwarg '" + key + "' = '" + *v +
                                "' must be a range [low, high] of two numbers with low <= high "
                                "(inf allowed)");
  return r;
}

void KwargReader::finish() const {
  std::string unknown;
  for (const auto& [k, v] : kw_)
    if (!known_.count(k)) unknown += (unknown.empty() ? "'" : ", '") + k + "'";
  if (unknown.empty()) return;
  std::string accepted;
  for (const auto& k : known_) accepted += (accepted.empty() ? "" : ", ") + k;
  throw std::invalid_argument(id_ + ": unknown kwarg(s) " + unknown +
                              "; accepted: " + (accepted.empty() ? "none" : accepted));
}

}  // namespace shmrl::envs
