// ALE ids through the bridge: ale-py's AtariVectorEnv under the Ape-X/DQN protocol. The actor sees
// exactly what AtariVectorEnv stepped directly (tests/gym/atari_reference.py, its own python
// process, the protocol written out there) gives for the same seeds and actions: 84x84x4 frames,
// clipped rewards, life-loss terminations, the final frame stack of an ended episode, then the next
// episode's first.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "actors/envs/gym_spaces.h"
#include "actors/vector_envs.h"
#include "tests/skip.h"

using namespace shmrl;

namespace {
std::vector<int64_t> sums(const std::vector<uint8_t>& obs, std::size_t n) {
  const std::size_t per = obs.size() / n;
  std::vector<int64_t> out(n);
  for (std::size_t e = 0; e < n; ++e)
    for (std::size_t i = 0; i < per; ++i) out[e] += static_cast<int64_t>(obs[e * per + i]);
  return out;
}
}  // namespace

TEST_CASE("ALE/Breakout-v5 through the bridge sees what ale-py's AtariVectorEnv gives", "[gym][atari]") {
  if (!actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  constexpr std::size_t kEnvs = 2;
  constexpr int kSteps = 150;
  auto vec = actors::make_vector_env("gym:ALE/Breakout-v5", {}, "", kEnvs);
  REQUIRE(vec->observation_space().shape == std::vector<int64_t>{4, 84, 84});
  REQUIRE(vec->observation_space().dtype == DType::U8);  // frames stay bytes end to end
  REQUIRE(vec->action_space().n == 4);
  std::mt19937 rng(5);
  nlohmann::json actions = nlohmann::json::array();
  for (int t = 0; t < kSteps; ++t) actions.push_back({rng() % 4, rng() % 4});
  std::FILE* ref = popen((envs::gym_python() + " " + SHMRL_GYM_TEST_DIR + "/atari_reference.py breakout 2 7 '" +
                          actions.dump() + "' 2>/dev/null").c_str(), "r");
  REQUIRE(ref);
  std::vector<nlohmann::json> lines;
  for (char buf[4096]; std::fgets(buf, sizeof buf, ref);) lines.push_back(nlohmann::json::parse(buf));
  REQUIRE(pclose(ref) == 0);
  REQUIRE(lines.size() == kSteps + 1);

  std::vector<uint8_t> obs(kEnvs * vec->observation_space().numel());
  auto* bytes = reinterpret_cast<std::byte*>(obs.data());
  std::vector<uint8_t> mask(kEnvs, 1);
  std::vector<uint64_t> seeds{7, 8};
  vec->reset(mask.data(), seeds.data(), bytes);
  CHECK(sums(obs, kEnvs) == lines[0]["reset"].get<std::vector<int64_t>>());
  int ended = 0;
  for (int t = 0; t < kSteps; ++t) {
    INFO("step " << t + 1);
    const auto& want = lines[t + 1];
    std::vector<int32_t> a{actions[t][0].get<int32_t>(), actions[t][1].get<int32_t>()};
    envs::StepResult r[kEnvs];
    vec->step(reinterpret_cast<const std::byte*>(a.data()), bytes, r);
    REQUIRE(sums(obs, kEnvs) == want["obs"].get<std::vector<int64_t>>());
    for (std::size_t e = 0; e < kEnvs; ++e) {
      CHECK(r[e].reward == want["reward"][e].get<double>());
      CHECK(r[e].terminated == want["terminated"][e].get<bool>());
      CHECK(r[e].truncated == want["truncated"][e].get<bool>());
      mask[e] = r[e].terminated || r[e].truncated;
      ended += mask[e];
    }
    if (mask[0] || mask[1]) {
      vec->reset(mask.data(), seeds.data(), bytes);
      CHECK(sums(obs, kEnvs) == want["restart"].get<std::vector<int64_t>>());
    }
  }
  CHECK(ended >= 1);  // life losses end episodes (episodic life) within the window
}
