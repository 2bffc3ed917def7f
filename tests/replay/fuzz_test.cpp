// The seeded mutational fuzzer (common/fuzz.h) on the plain-C++ readers of untrusted bytes: a
// short run of each (also in the sanitizer builds, where a memory error is a failure), every bad
// input refused with a message; and the fuzzer's own determinism.
#include <catch2/catch.hpp>

#include "common/fuzz.h"
#include "replay/fuzz_targets.h"

using namespace shmrl;

TEST_CASE("fuzz: the same seed mutates to the same inputs, another seed to others") {
  const std::vector<fuzz::Bytes> pool = {fuzz::to_bytes("[run]\nactors = 2\n"), fuzz::to_bytes("abcdefgh")};
  auto inputs = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<fuzz::Bytes> out;
    for (int i = 0; i < 200; ++i) {
      fuzz::Bytes b = pool[0];
      fuzz::mutate(b, rng, pool, {"[eval]"});
      out.push_back(b);
    }
    return out;
  };
  const auto a = inputs(5), b = inputs(5), c = inputs(6);
  CHECK(a == b);
  CHECK(a != c);
  std::size_t changed = 0;
  for (const auto& x : a) changed += x != pool[0];
  CHECK(changed > 150);  // a few mutations may leave it as it was (a truncation to its own size)
}

TEST_CASE("fuzz: ring records and replay checkpoints: no crash, every bad input refused with a message") {
  const auto target = GENERATE(as<std::string>{}, "ring-records", "replay-checkpoint");
  const fuzz::Target t = target == "ring-records" ? replay::ring_records_target() : replay::replay_checkpoint_target();
  const fuzz::Stats st = fuzz::run(t, 1, /*seconds=*/3, /*max_runs=*/4000);
  INFO(target << ": " << st.runs << " runs, " << st.accepted << " accepted, " << st.refused << " refused; "
              << st.example_refusal);
  for (const auto& f : st.findings) FAIL_CHECK(f);
  CHECK(st.runs >= 200);
  CHECK(st.refused > 0);
  CHECK(st.accepted > 0);
  CHECK_FALSE(st.example_refusal.empty());
}
