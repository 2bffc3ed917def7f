// Actors on a GPU host: their policies run on the CPU and must leave CUDA alone (no CUDA seeding,
// which would initialise CUDA in every actor process). Skipped without CUDA.
#include "tests/learner/helpers.h"

#include "actors/policy.h"
#include "tests/learner/gpu/require_cuda.h"

using namespace shmrl;

TEST_CASE("an actor's policy seeds the CPU generator only", "[actors][gpu]") {
  REQUIRE_CUDA_OR_SKIP();
  constexpr uint64_t kSeed = 424242;
  actors::PolicyOptions o;
  o.hidden = {8};
  o.seed = kSeed;
  const auto obs = Space::box({4}, std::vector<float>(4, -1), std::vector<float>(4, 1));
  auto policy = actors::make_policy(obs, Space::discrete(2), o, 4);
  CHECK(at::detail::getDefaultCPUGenerator().current_seed() == kSeed);
  // Read after the policy exists (reading initialises CUDA): never seeded, so not kSeed.
  CHECK(at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, 0)).current_seed() != kSeed);
}
