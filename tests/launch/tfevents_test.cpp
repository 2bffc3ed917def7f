// TensorBoard event files: CRC-32C against its published check value, record framing, and the
// hand-encoded Event protobufs decoded back by an independent minimal protobuf reader.
#include "launch/tfevents.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

using namespace shmrl::launch;
namespace fs = std::filesystem;

namespace {
// A minimal protobuf reader: field number -> raw values (varint as number, fixed as bytes).
struct Field {
  int wire;
  uint64_t num = 0;
  std::string bytes;
};
std::multimap<int, Field> parse_proto(std::string_view s) {
  std::multimap<int, Field> out;
  std::size_t i = 0;
  auto varint = [&] {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      REQUIRE(i < s.size());
      uint8_t b = static_cast<uint8_t>(s[i++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (i < s.size()) {
    uint64_t key = varint();
    Field f;
    f.wire = static_cast<int>(key & 7);
    std::size_t n = 0;
    if (f.wire == 0) f.num = varint();
    if (f.wire == 1) n = 8;
    if (f.wire == 5) n = 4;
    if (f.wire == 2) n = varint();
    REQUIRE(i + n <= s.size());
    f.bytes = std::string(s.substr(i, n));
    i += n;
    out.emplace(static_cast<int>(key >> 3), f);
  }
  return out;
}
template <class T>
T as(const std::string& b) {
  REQUIRE(b.size() == sizeof(T));
  T v;
  std::memcpy(&v, b.data(), sizeof v);
  return v;
}
uint32_t masked(std::string_view s) {
  return mask_crc(crc32c({reinterpret_cast<const uint8_t*>(s.data()), s.size()}));
}
}  // namespace

TEST_CASE("crc32c matches the Castagnoli check value", "[tfevents]") {
  std::string_view check = "123456789";
  CHECK(crc32c({reinterpret_cast<const uint8_t*>(check.data()), check.size()}) == 0xE3069283u);
  CHECK(crc32c({}) == 0u);
}

TEST_CASE("event files hold framed, checksummed scalar events", "[tfevents]") {
  fs::path dir = fs::temp_directory_path() / ("shmrl-tfevents-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string path;
  {
    TfEventsWriter w(dir.string());
    path = w.path();
    w.add_scalars(100, {{"return/eval", 21.5f}, {"throughput/env_steps_per_s", 1.25e6f}});
    w.add_scalars(1LL << 40, {{"return/eval", -3.0f}});
    w.flush();
  }
  CHECK(fs::path(path).filename().string().rfind("events.out.tfevents.", 0) == 0);
  std::ifstream in(path, std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), {});
  fs::remove_all(dir);

  std::vector<std::string> records;
  std::size_t pos = 0;
  while (pos < file.size()) {
    REQUIRE(pos + 12 <= file.size());
    uint64_t len = as<uint64_t>(file.substr(pos, 8));
    CHECK(as<uint32_t>(file.substr(pos + 8, 4)) == masked(file.substr(pos, 8)));
    REQUIRE(pos + 12 + len + 4 <= file.size());
    std::string data = file.substr(pos + 12, len);
    CHECK(as<uint32_t>(file.substr(pos + 12 + len, 4)) == masked(data));
    records.push_back(data);
    pos += 12 + len + 4;
  }
  REQUIRE(records.size() == 3);

  auto first = parse_proto(records[0]);
  CHECK(first.find(3)->second.bytes == "brain.Event:2");
  CHECK(as<double>(first.find(1)->second.bytes) > 1.6e9);  // a plausible unix time

  auto ev = parse_proto(records[1]);
  CHECK(ev.find(2)->second.num == 100u);
  auto summary = parse_proto(ev.find(5)->second.bytes);
  REQUIRE(summary.count(1) == 2);
  std::map<std::string, float> values;
  for (auto [it, end] = summary.equal_range(1); it != end; ++it) {
    auto v = parse_proto(it->second.bytes);
    CHECK(v.find(2)->second.wire == 5);
    values[v.find(1)->second.bytes] = as<float>(v.find(2)->second.bytes);
  }
  CHECK(values["return/eval"] == 21.5f);
  CHECK(values["throughput/env_steps_per_s"] == 1.25e6f);

  auto big = parse_proto(records[2]);
  CHECK(big.find(2)->second.num == (1ULL << 40));
}

TEST_CASE("an event file in a missing directory is a clear error", "[tfevents]") {
  CHECK_THROWS_WITH(TfEventsWriter("/nonexistent/shmrl"), Catch::Contains("/nonexistent/shmrl"));
}
