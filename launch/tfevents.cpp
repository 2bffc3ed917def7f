#include "launch/tfevents.h"

#include <unistd.h>

#include <boost/crc.hpp>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace shmrl::launch {
namespace {

// CRC-32C: polynomial 0x1EDC6F41, reflected, init and final xor all ones.
using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Protobuf wire format: a key is (field << 3) | wire type; 0 varint, 1 fixed64, 2 bytes, 5 fixed32.
void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
template <class T>
void put_fixed(std::string& out, T v) {  // little-endian (x86 and every TensorBoard reader)
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}
void put_bytes(std::string& out, int field, std::string_view bytes) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  put_varint(out, bytes.size());
  out.append(bytes);
}
void put_wall_time(std::string& out, double wall_time) {
  put_varint(out, (1 << 3) | 1);
  put_fixed(out, wall_time);
}

}  // namespace

uint32_t crc32c(std::span<const uint8_t> data) {
  Crc32c crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

uint32_t mask_crc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

std::string frame_record(std::string_view data) {
  auto crc_of = [](const void* p, std::size_t n) {
    return mask_crc(crc32c({static_cast<const uint8_t*>(p), n}));
  };
  std::string out;
  uint64_t len = data.size();
  put_fixed(out, len);
  put_fixed(out, crc_of(&len, sizeof len));
  out.append(data);
  put_fixed(out, crc_of(data.data(), data.size()));
  return out;
}

std::string encode_file_version_event(double wall_time, std::string_view version) {
  std::string ev;
  put_wall_time(ev, wall_time);
  put_bytes(ev, 3, version);
  return ev;
}

std::string encode_scalars_event(double wall_time, int64_t step,
                                 const std::vector<std::pair<std::string, float>>& scalars) {
  std::string summary;
  for (const auto& [tag, value] : scalars) {
    std::string v;
    put_bytes(v, 1, tag);
    put_varint(v, (2 << 3) | 5);
    put_fixed(v, value);
    put_bytes(summary, 1, v);
  }
  std::string ev;
  put_wall_time(ev, wall_time);
  put_varint(ev, 2 << 3);
  put_varint(ev, static_cast<uint64_t>(step));  // int64: two's complement as a 64-bit varint
  put_bytes(ev, 5, summary);
  return ev;
}

TfEventsWriter::TfEventsWriter(const std::string& dir) {
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  double t = now_seconds();
  path_ = dir + "/events.out.tfevents." + std::to_string(static_cast<int64_t>(t)) + "." + host;
  file_ = std::fopen(path_.c_str(), "wb");
  if (!file_) {
    throw std::runtime_error("cannot create TensorBoard event file '" + path_ + "': " + std::strerror(errno));
  }
  write(frame_record(encode_file_version_event(t)));
  flush();
}

TfEventsWriter::~TfEventsWriter() {
  if (file_) std::fclose(file_);
}

void TfEventsWriter::add_scalars(int64_t step, const std::vector<std::pair<std::string, float>>& scalars) {
  write(frame_record(encode_scalars_event(now_seconds(), step, scalars)));
}

void TfEventsWriter::write(const std::string& record) { std::fwrite(record.data(), 1, record.size(), file_); }

void TfEventsWriter::flush() {
  if (std::fflush(file_) != 0 || std::ferror(file_)) {
    throw std::runtime_error("writing TensorBoard event file '" + path_ + "': " + std::strerror(errno));
  }
}

}  // namespace shmrl::launch
