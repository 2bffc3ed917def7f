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
