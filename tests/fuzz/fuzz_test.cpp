// The fuzz targets that need LibTorch or the launcher's config loader (config, learner checkpoints,
// weight blobs): a short run of each, no crash and every bad input refused with a message. Also built
// in the address-sanitizer build (ASan + UBSan on our code, LibTorch uninstrumented).
#include <catch2/catch.hpp>

#include "common/fuzz.h"
#include "launch/fuzz_targets.h"

using namespace shmrl;

TEST_CASE("fuzz: config, learner checkpoints, weight blobs: no crash, every bad input refused with a message", "[fuzz]") {
  const auto name = GENERATE(as<std::string>{}, "config", "learner-checkpoint", "learner-checkpoint-sealed", "weights-blob");
  const fuzz::Target t = launch::make_fuzz_target(name);
  const fuzz::Stats st = fuzz::run(t, 1, /*seconds=*/2, /*max_runs=*/3000);
  INFO(name << ": " << st.runs << " runs, " << st.accepted << " accepted, " << st.refused << " refused; "
            << st.example_refusal);
  for (const auto& f : st.findings) FAIL_CHECK(f);
  CHECK(st.runs >= 50);
  CHECK(st.refused > 0);
  CHECK_FALSE(st.example_refusal.empty());
}
