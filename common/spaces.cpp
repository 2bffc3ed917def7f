#include "common/spaces.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace shmrl {

Space Space::discrete(int64_t n) {
  if (n <= 0 || n > INT32_MAX)
    throw std::invalid_argument("Space::discrete: n must be in [1, 2^31-1], got " +
                                std::to_string(n));
  Space s;
  s.kind = Kind::Discrete;
  s.n = n;
  s.dtype = DType::I32;
  return s;
}

Space Space::box(std::vector<int64_t> shape, std::vector<float> low, std::vector<float> high,
                 DType dtype) {
  Space s;
  s.kind = Kind::Box;
  s.shape = std::move(shape);
  s.dtype = dtype;
  for (int64_t d : s.shape)
    if (d <= 0)
      throw std::invalid_argument("Space::box: every dimension must be > 0, got " +
                                  std::to_string(d));
  const std::size_t n = s.numel();
  if (low.size() != n || high.size() != n)
    throw std::invalid_argument("Space::box: low/high must have numel()=" + std::to_string(n) +
                                " elements, got " + std::to_string(low.size()) + "/" +
                                std::to_string(high.size()));
  for (std::size_t i = 0; i < n; ++i)
    if (std::isnan(low[i]) || std::isnan(high[i]) || low[i] > high[i])
      throw std::invalid_argument("Space::box: need low[i] <= high[i] (no NaN); element " +
                                  std::to_string(i) + " has low " + std::to_string(low[i]) +
                                  ", high " + std::to_string(high[i]));
  s.low = std::move(low);
  s.high = std::move(high);
  return s;
}

std::size_t Space::numel() const {
  if (kind == Kind::Discrete) return 1;
  std::size_t n = 1;
  for (int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

namespace {

// Reads element i of a Box of dtype t as a double (exact for every dtype but 64-bit integers
// beyond 2^53, whose bounds are floats anyway).
double element(const void* data, DType t, std::size_t i) {
  const auto* p = static_cast<const std::byte*>(data) + i * dtype_size(t);
  switch (t) {
    case DType::F32: { float v; std::memcpy(&v, p, 4); return v; }
    case DType::I32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::I64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
    case DType::U8: return static_cast<double>(std::to_integer<uint8_t>(*p));
    case DType::U32: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::U64: { uint64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  }
  return NAN;
}

// Shortest decimal that reads back as the same float32, as numpy prints float32 values.
void print_float(std::ostream& os, float v) {
  if (std::isinf(v)) { os << (v < 0 ? "-inf" : "inf"); return; }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";  // 1 -> 1.0; not "nan"
  os << s;
}

// One number when all elements share it (Gymnasium's compact form), else a bracketed list.
void print_bounds(std::ostream& os, const std::vector<float>& v) {
  bool uniform = true;
  for (float x : v) uniform = uniform && (x == v.front() || (std::isnan(x) && std::isnan(v[0])));
  if (uniform && !v.empty()) { print_float(os, v.front()); return; }
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) os << ", ";
    print_float(os, v[i]);
  }
  os << "]";
}

}  // namespace

bool Space::contains_action(const void* action) const {
  if (kind == Kind::Discrete) {
    int32_t a;
    std::memcpy(&a, action, sizeof a);
    return a >= 0 && a < n;
  }
  const std::size_t count = numel();
  for (std::size_t i = 0; i < count; ++i) {
    const double v = element(action, dtype, i);
    // NaN fails both comparisons, so it is rejected with everything out of bounds.
    if (!(v >= low[i] && v <= high[i])) return false;
  }
  return true;
}

std::string Space::describe() const {
  std::ostringstream os;
  if (kind == Kind::Discrete) {
    os << "Discrete(" << n << ")";
    return os.str();
  }
  os << "Box(";
  print_bounds(os, low);
  os << ", ";
  print_bounds(os, high);
  os << ", (";
  for (std::size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) os << ",";  // Python's one-element tuple
  os << "), " << dtype_name(dtype) << ")";
  return os.str();
}

}  // namespace shmrl
