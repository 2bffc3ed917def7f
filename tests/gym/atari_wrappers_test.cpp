// shmrl's Atari frames equal Gymnasium's own wrappers: an ALE id through the bridge (ale-py's
// AtariVectorEnv under the Ape-X protocol, shmrl_gym.py) gives, byte for byte, what
// AtariPreprocessing + FrameStackObservation give on the same game for the same seeds and actions
// (tests/gym/atari_wrappers_reference.py, its own python process): frame skip 4, max of the last two
// frames, 84x84 grayscale, a 4-frame stack, rewards (clipped to their sign as in training, or true),
// terminations, and each episode's first stack after an end. No-op starts and sticky actions are
// off on both sides: each draws from a random generator the other does not share.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "actors/envs/gym_spaces.h"
#include "actors/vector_envs.h"
#include "tests/skip.h"

using namespace shmrl;

namespace {
constexpr std::size_t kEnvs = 2;
constexpr std::size_t kFrameStack = 4 * 84 * 84;

// Reads the reference's next stack into `want` and compares it with env e's in `obs`.
bool same_stack(std::ifstream& ref, const std::vector<uint8_t>& obs, std::size_t e) {
  std::vector<char> want(kFrameStack);
  REQUIRE(ref.read(want.data(), static_cast<std::streamsize>(want.size())));
  return std::equal(want.begin(), want.end(), obs.begin() + e * kFrameStack,
                    [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; });
}
}  // namespace

TEST_CASE("ALE/Breakout-v5 through the bridge equals Gymnasium's AtariPreprocessing + FrameStackObservation",
          "[gym][atari]") {
  if (!actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge");
  const bool clip = GENERATE(false, true);
  INFO("reward clipping " << clip);
  constexpr int kSteps = 300;  // random play loses Breakout's five lives in ~140 steps: episodes end
  std::mt19937 rng(11);
  nlohmann::json actions = nlohmann::json::array();
  for (int t = 0; t < kSteps; ++t) actions.push_back({rng() % 4, rng() % 4});

  const auto dir = std::filesystem::temp_directory_path() / ("shmrl-atari-wrappers-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto frames = dir / "frames.bin";
  std::FILE* lines_in = popen((envs::gym_python() + " " + SHMRL_GYM_TEST_DIR + "/atari_wrappers_reference.py " +
                               "ALE/Breakout-v5 2 21 " + (clip ? "1" : "0") + " '" + actions.dump() + "' " +
                               frames.string()).c_str(), "r");
  REQUIRE(lines_in);
  std::vector<nlohmann::json> lines;
  for (char buf[4096]; std::fgets(buf, sizeof buf, lines_in);) lines.push_back(nlohmann::json::parse(buf));
  const int status = pclose(lines_in);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    std::filesystem::remove_all(dir);
    SHMRL_SKIP("the venv has no cv2 (opencv-python-headless), which AtariPreprocessing needs");
  }
  REQUIRE(status == 0);
  REQUIRE(lines.size() == kSteps);
  std::ifstream ref(frames, std::ios::binary);

  const envs::EnvKwargs kwargs{{"noop_max", "0"},
                               {"repeat_action_probability", "0.0"},
                               {"episodic_life", "false"},
                               {"reward_clipping", clip ? "true" : "false"}};
  auto vec = actors::make_vector_env("gym:ALE/Breakout-v5", kwargs, "", kEnvs);
  REQUIRE(vec->observation_space().numel() == kFrameStack);
  std::vector<uint8_t> obs(kEnvs * kFrameStack);
  auto* bytes = reinterpret_cast<std::byte*>(obs.data());
  std::vector<uint8_t> mask(kEnvs, 1);
  std::vector<uint64_t> seeds{21, 22};
  vec->reset(mask.data(), seeds.data(), bytes);
  for (std::size_t e = 0; e < kEnvs; ++e) CHECK(same_stack(ref, obs, e));
  int ended = 0;
  for (int t = 0; t < kSteps; ++t) {
    INFO("step " << t + 1);
    std::vector<int32_t> a{actions[t][0].get<int32_t>(), actions[t][1].get<int32_t>()};
    envs::StepResult r[kEnvs];
    vec->step(reinterpret_cast<const std::byte*>(a.data()), bytes, r);
    for (std::size_t e = 0; e < kEnvs; ++e) {
      INFO("env " << e);
      REQUIRE(same_stack(ref, obs, e));
      CHECK(r[e].reward == lines[t]["reward"][e].get<double>());
      CHECK(r[e].terminated == lines[t]["terminated"][e].get<bool>());
      CHECK(r[e].truncated == lines[t]["truncated"][e].get<bool>());
      mask[e] = r[e].terminated || r[e].truncated;
      ended += mask[e];
    }
    if (mask[0] || mask[1]) {
      vec->reset(mask.data(), seeds.data(), bytes);
      for (std::size_t e = 0; e < kEnvs; ++e)
        if (mask[e]) CHECK(same_stack(ref, obs, e));
    }
  }
  CHECK(ref.peek() == std::char_traits<char>::eof());  // every reference stack was compared
  CHECK(ended >= 2);  // full episodes (no episodic life) ended within the window, both restarted
  std::filesystem::remove_all(dir);
}
