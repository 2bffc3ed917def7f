#include "replay/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace shmrl::replay {
namespace {

constexpr char kMagic[8] = {'S', 'H', 'M', 'R', 'L', 'R', 'C', 'K'};
constexpr uint32_t kVersion = 2;        // 2: Corrupt blocks (version 1 files load, every record sealed good)
constexpr uint32_t kOldestVersion = 1;
constexpr uint64_t kItemsPerBlock = 1 << 16;
// Records rebuilt from frame-deduplicated items per block (each up to tens of KB).
constexpr uint64_t kRebuiltPerBlock = 256;
enum BlockKind : uint32_t { kRecords = 1, kPriorities = 2, kEnd = 3, kCorrupt = 4 };

struct FileHeader {
  char magic[8];
  uint32_t version;
  uint32_t record_bytes;
  uint64_t schema_fingerprint;
  uint64_t begin, end, samples, generation;
  double limiter_diff, max_priority;
  uint64_t checksum;  // XXH64 of everything above
};

struct BlockHeader {
  uint32_t kind;
  uint32_t reserved;
  uint64_t first_key;
  uint64_t count;
  uint64_t payload_bytes;
  uint64_t payload_checksum;
  uint64_t checksum;  // XXH64 of the fields above
};

template <class T>
uint64_t self_checksum(const T& t) {
  return XXH64(&t, offsetof(T, checksum), 0);
}

struct File {
  std::FILE* f = nullptr;
  ~File() {
    if (f) std::fclose(f);
  }
};

class Writer {
 public:
  Writer(const std::string& path) : path_(path) {
    file_.f = std::fopen(path.c_str(), "wb");
    if (!file_.f) fail("cannot create");
  }
  void put(const void* p, std::size_t n) {
    if (n && std::fwrite(p, 1, n, file_.f) != n) fail("cannot write");
  }
  void block(uint32_t kind, uint64_t first, uint64_t count, const void* payload, std::size_t bytes) {
    BlockHeader b{};
    b.kind = kind;
    b.first_key = first;
    b.count = count;
    b.payload_bytes = bytes;
    b.payload_checksum = XXH64(payload, bytes, 0);
    b.checksum = self_checksum(b);
    put(&b, sizeof b);
    put(payload, bytes);
    ++blocks_;
  }
  uint64_t blocks() const { return blocks_; }
  void finish() {
    if (std::fflush(file_.f) != 0 || ::fsync(fileno(file_.f)) != 0) fail("cannot flush");
    if (std::fclose(file_.f) != 0) {
      file_.f = nullptr;
      fail("cannot close");
    }
    file_.f = nullptr;
  }
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("replay checkpoint: ") + what + " " + path_ + ": " +
                             std::strerror(errno));
  }

 private:
  std::string path_;
  File file_;
  uint64_t blocks_ = 0;
};

void fsync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void write_checkpoint(const std::string& path, const Storage& storage, const TransitionSchema& schema,
                      const CheckpointState& s) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string tmp = path + ".tmp";
  {
    Writer w(tmp);
    FileHeader h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.version = kVersion;
    h.record_bytes = static_cast<uint32_t>(schema.record_bytes());
    h.schema_fingerprint = schema.fingerprint();
    h.begin = s.begin;
    h.end = s.end;
    h.samples = s.samples;
    h.generation = s.generation;
    h.limiter_diff = s.limiter_diff;
    h.max_priority = s.max_priority;
    h.checksum = self_checksum(h);
    w.put(&h, sizeof h);
    const std::size_t rb = schema.record_bytes();
    const uint64_t cap = storage.capacity();
    std::vector<uint8_t> corrupt;
    // Blocks never wrap around the end of the slot array, so each payload is one contiguous span.
    // Frame-deduplicated items are written as the whole records they rebuild.
    const uint64_t per_block = storage.frames() ? kRebuiltPerBlock : kItemsPerBlock;
    std::vector<std::byte> rebuilt(storage.frames() ? per_block * rb : 0);
    for (uint64_t k = s.begin; k < s.end;) {
      const uint64_t n = std::min({per_block, s.end - k, cap - k % cap});
      for (uint64_t i = 0; !rebuilt.empty() && i < n; ++i) storage.read(k + i, rebuilt.data() + i * rb);
      w.block(kRecords, k, n, rebuilt.empty() ? storage.record(k) : rebuilt.data(), n * rb);
      w.block(kPriorities, k, n, &storage.priority(k), n * sizeof(float));
      // Each record verified now: the file's own checksums would make a corrupt one look sound.
      corrupt.resize(n);
      for (uint64_t i = 0; i < n; ++i) corrupt[i] = storage.intact(k + i, (k + i) % cap) ? 0 : 1;
      w.block(kCorrupt, k, n, corrupt.data(), n);
      k += n;
    }
    w.block(kEnd, s.end, w.blocks(), nullptr, 0);
    w.finish();
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("replay checkpoint: cannot rename " + tmp + " to " + path + ": " +
                             std::strerror(errno));
  fsync_dir(target.parent_path());
}

CheckpointState load_checkpoint(const std::string& path, Storage& storage, const TransitionSchema& schema) {
  const auto refuse = [&](const std::string& why) -> CheckpointError {
    return CheckpointError("replay checkpoint " + path + " refused: " + why);
  };
  File file;
  file.f = std::fopen(path.c_str(), "rb");
  if (!file.f) throw refuse(std::string("cannot open it: ") + std::strerror(errno));
  FileHeader h{};
  if (std::fread(&h, sizeof h, 1, file.f) != 1) throw refuse("shorter than its header (truncated?)");
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) throw refuse("not a replay checkpoint (bad magic)");
  if (h.checksum != self_checksum(h)) throw refuse("header checksum mismatch (corrupt)");
  if (h.version < kOldestVersion || h.version > kVersion)
    throw refuse("format version " + std::to_string(h.version) + ", this build reads " +
                 std::to_string(kOldestVersion) + " to " + std::to_string(kVersion));
  if (h.schema_fingerprint != schema.fingerprint() || h.record_bytes != schema.record_bytes())
    throw refuse("written for another transition schema (" + std::to_string(h.record_bytes) +
                 "-byte records, this env's are " + std::to_string(schema.record_bytes()) +
                 "): check [env] id");
  if (h.end < h.begin) throw refuse("its key range is inverted (corrupt)");
  if (!std::isfinite(h.limiter_diff) || !(h.max_priority > 0) || !std::isfinite(h.max_priority))
    throw refuse("its limiter or priority state is not finite (corrupt)");
  const uint64_t cap = storage.capacity();
  const uint64_t keep_from = h.end - h.begin > cap ? h.end - cap : h.begin;
  const std::size_t rb = schema.record_bytes();
  std::vector<std::byte> buf;
  std::vector<uint64_t> corrupt_keys;
  uint64_t blocks = 0, next_records = h.begin, next_prios = h.begin, next_corrupt = h.begin;
  for (;;) {
    BlockHeader b{};
    if (std::fread(&b, sizeof b, 1, file.f) != 1)
      throw refuse("it ends after " + std::to_string(blocks) + " blocks without its end marker (torn write?)");
    if (b.checksum != self_checksum(b))
      throw refuse("block " + std::to_string(blocks) + " has a corrupt header");
    if (b.kind == kEnd) {
      if (b.count != blocks || b.first_key != h.end) throw refuse("end marker does not match the blocks read");
      break;
    }
    const bool known = b.kind == kRecords || b.kind == kPriorities || (b.kind == kCorrupt && h.version >= 2);
    const std::size_t item = b.kind == kRecords ? rb : b.kind == kCorrupt ? 1 : sizeof(float);
    uint64_t& next = b.kind == kRecords ? next_records : b.kind == kCorrupt ? next_corrupt : next_prios;
    if (!known || b.first_key != next ||
        b.count > kItemsPerBlock || b.payload_bytes != b.count * item || next + b.count > h.end)
      throw refuse("block " + std::to_string(blocks) + " does not fit the key range (corrupt)");
    buf.resize(b.payload_bytes);
    if (b.payload_bytes && std::fread(buf.data(), 1, b.payload_bytes, file.f) != b.payload_bytes)
      throw refuse("block " + std::to_string(blocks) + " is cut short (torn write?)");
    if (XXH64(buf.data(), buf.size(), 0) != b.payload_checksum)
      throw refuse("block " + std::to_string(blocks) + " (keys " + std::to_string(b.first_key) + "..) fails its checksum (corrupt)");
    for (uint64_t i = 0; i < b.count; ++i) {
      const uint64_t k = b.first_key + i;
      if (k < keep_from) continue;
      if (b.kind == kRecords && storage.frames()) storage.restore_append(k, buf.data() + i * rb);
      else if (b.kind == kRecords) std::memcpy(storage.record(k), buf.data() + i * rb, rb);
      else if (b.kind == kPriorities) std::memcpy(&storage.priority(k), buf.data() + i * sizeof(float), sizeof(float));
      else if (buf[i] != std::byte{0}) corrupt_keys.push_back(k);
    }
    next += b.count;
    ++blocks;
  }
  if (next_records != h.end || next_prios != h.end || (h.version >= 2 && next_corrupt != h.end))
    throw refuse("it lacks some items' blocks (corrupt)");
  // The frame layout may have evicted the oldest items early (restore_append).
  const uint64_t first = storage.frames() ? std::max(keep_from, storage.begin()) : keep_from;
  for (uint64_t k = first; k < h.end; ++k) {
    const float p = storage.priority(k);
    if (!(p >= 0) || !std::isfinite(p)) throw refuse("item " + std::to_string(k) + " has priority " + std::to_string(p));
  }
  storage.seal(first, h.end - first);
  for (uint64_t k : corrupt_keys)
    if (k >= first) storage.mark_corrupt(k);
  storage.set_range(first, h.end);
  CheckpointState s;
  s.begin = first;
  s.end = h.end;
  s.samples = h.samples;
  s.limiter_diff = h.limiter_diff;
  s.max_priority = h.max_priority;
  s.generation = h.generation;
  return s;
}

}  // namespace shmrl::replay
