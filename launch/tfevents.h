#pragma once
// TensorBoard event files, written directly (no C++ TensorBoard library exists in Debian or PyPI):
// a file of records [u64 length][u32 masked crc32c(length)][data][u32 masked crc32c(data)], each
// data a tensorflow.Event protobuf. Only the few fields scalars need are encoded, by hand:
//   Event{1: double wall_time, 2: int64 step, 3: string file_version, 5: Summary summary}
//   Summary{1: repeated Value value}, Value{1: string tag, 2: float simple_value}
// crc32c (Castagnoli) comes from Boost.CRC. `tensorboard --logdir runs` reads the files.
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shmrl::launch {

// CRC-32C of `data`. O(n).
uint32_t crc32c(std::span<const uint8_t> data);
// TFRecord's masking of a CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t mask_crc(uint32_t crc);

// One framed record around `data` (the bytes a writer appends).
std::string frame_record(std::string_view data);

// Event protobufs, encoded.
std::string encode_file_version_event(double wall_time, std::string_view version = "brain.Event:2");
std::string encode_scalars_event(double wall_time, int64_t step,
                                 const std::vector<std::pair<std::string, float>>& scalars);

// Appends scalar events to "<dir>/events.out.tfevents.<unix seconds>.<hostname>" (created, with the
// file_version event first). Single thread. Throws std::runtime_error if the file cannot be
// created; write errors later are reported by flush().
class TfEventsWriter {
 public:
  explicit TfEventsWriter(const std::string& dir);
  ~TfEventsWriter();
  TfEventsWriter(const TfEventsWriter&) = delete;
  TfEventsWriter& operator=(const TfEventsWriter&) = delete;

  // One event holding every (tag, value) at `step`. O(bytes).
  void add_scalars(int64_t step, const std::vector<std::pair<std::string, float>>& scalars);
  // Pushes buffered events to the file (so TensorBoard sees them). Throws std::runtime_error on a
  // write error.
  void flush();
  const std::string& path() const { return path_; }

 private:
  void write(const std::string& record);
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace shmrl::launch
