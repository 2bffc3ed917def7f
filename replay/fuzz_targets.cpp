#include "replay/fuzz_targets.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>

#include "common/shm/segment.h"
#include "common/shm/spsc_ring.h"
#include "replay/checkpoint.h"

namespace shmrl::replay {
namespace {

constexpr uint32_t kRecordBytes = 48;
constexpr uint32_t kRingRecords = 16;

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};
using Aligned = std::unique_ptr<std::byte, FreeDeleter>;

Aligned aligned_copy(const fuzz::Bytes& in) {
  const std::size_t size = (in.size() + 63) / 64 * 64 + 64;
  Aligned buf(static_cast<std::byte*>(std::aligned_alloc(64, size)));
  std::memset(buf.get(), 0, size);
  std::memcpy(buf.get(), in.data(), in.size());
  return buf;
}

TransitionSchema fuzz_schema() {
  const float inf = std::numeric_limits<float>::infinity();
  return TransitionSchema(Space::box({4}, {-inf, -inf, -inf, -inf}, {inf, inf, inf, inf}), Space::discrete(2));
}

// A scratch run (its storage segment, a directory for the input file), removed with the target.
struct CheckpointScratch {
  RunContext run{shm::new_run_id(), ProcessId::self(), ""};
  TransitionSchema schema = fuzz_schema();
  std::string file;
  std::optional<Storage> storage;
  CheckpointScratch() {
    run.run_dir = (std::filesystem::temp_directory_path() / ("shmrl-fuzz-" + run.run_id)).string();
    std::filesystem::create_directories(run.run_dir);
    file = run.run_dir + "/replay.ckpt";
    storage.emplace(Storage::create(run, 64, schema, 1.0));
  }
  ~CheckpointScratch() {
    storage.reset();
    shm::remove_run(run.run_id);
    std::error_code ec;
    std::filesystem::remove_all(run.run_dir, ec);
  }
};

fuzz::Bytes file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string s{std::istreambuf_iterator<char>(in), {}};
  return fuzz::to_bytes(s);
}

}  // namespace

fuzz::Target ring_records_target() {
  fuzz::Target t;
  t.name = "ring-records";
  const std::size_t bytes = shm::SpscRing::bytes_needed({kRecordBytes, kRingRecords});
  auto seed = aligned_copy(fuzz::Bytes(bytes));
  auto ring = shm::SpscRing::create(seed.get(), bytes, {kRecordBytes, kRingRecords});
  ring.claim_producer();
  std::byte rec[kRecordBytes];
  for (uint32_t i = 0; i < kRingRecords - 3; ++i) {
    std::memset(rec, static_cast<int>(i), sizeof rec);
    (void)ring.try_push(rec);
  }
  t.seeds.emplace_back(seed.get(), seed.get() + bytes);
  t.run = [](const fuzz::Bytes& in) {
    auto buf = aligned_copy(in);
    auto r = shm::SpscRing::attach(buf.get(), in.size());
    r.claim_consumer();
    // Consume whatever it hands out, as the replay's drain does: every byte of every record read.
    unsigned sum = 0;
    for (int visits = 0; visits < 4 * static_cast<int>(kRingRecords); ++visits) {
      const auto span = r.peek(kRingRecords);
      if (span.size() == 0) {
        if (!r.skip_corrupt()) break;
        continue;
      }
      for (std::size_t i = 0; i < span.size(); ++i)
        for (uint32_t b = 0; b < r.record_bytes(); ++b) sum += static_cast<unsigned>(span.record(i)[b]);
      r.release(span.size());
    }
    asm volatile("" : : "r"(sum));  // keeps the reads
  };
  return t;
}

fuzz::Target replay_checkpoint_target() {
  auto scratch = std::make_shared<CheckpointScratch>();
  fuzz::Target t;
  t.name = "replay-checkpoint";
  {
    // A seed written the way the service writes one: 100 records through a 64-slot storage (wrapped).
    auto& s = *scratch->storage;
    std::vector<std::byte> rec(scratch->schema.record_bytes());
    for (uint64_t k = 0; k < 100; ++k) {
      std::memset(rec.data(), static_cast<int>(k), rec.size());
      s.begin_insert(1);
      std::memcpy(s.record(k), rec.data(), rec.size());
      s.priority(k) = 0.5f + static_cast<float>(k % 5);
      s.seal(k, 1);
      s.commit(1, 0, k + 1);
    }
    write_checkpoint(scratch->file, s, scratch->schema, CheckpointState{s.begin(), s.committed(), 300, 2.5, 4.5, 1});
    t.seeds.push_back(file_bytes(scratch->file));
  }
  t.dictionary = {"SHMRLRCK"};
  t.run = [scratch](const fuzz::Bytes& in) {
    {
      std::ofstream out(scratch->file, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(in.data()), static_cast<std::streamsize>(in.size()));
    }
    load_checkpoint(scratch->file, *scratch->storage, scratch->schema);
  };
  return t;
}

}  // namespace shmrl::replay
