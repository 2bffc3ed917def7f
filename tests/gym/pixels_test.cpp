// uint8 observations end to end: a Gymnasium env with uint8 frames (ShmrlTest/Pixels-v0, frames
// that name themselves) stepped by an actor through the bridge, n-step records through its ring into
// the replay service (its own process) and out through the batch slots into the learner's prefetch
// thread: every row of every batch holds the env's own bytes, as uint8 tensors, and the rewards and
// discounts of the n-step records those bytes imply; with whole records stored and with frame-
// deduplicated storage (replay.storage = "frames": the frames are rebuilt into the batches).
#include <torch/torch.h>
#undef CHECK  // c10's glog-style CHECK: Catch's is the one used here
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "actors/actor.h"
#include "actors/envs/gym_spaces.h"
#include "actors/vector_envs.h"
#include "learner/prefetch.h"
#include "replay/process.h"
#include "tests/actors/actor_test_util.h"
#include "tests/replay/helpers.h"
#include "tests/skip.h"

using namespace shmrl;
using namespace std::chrono_literals;

namespace {

constexpr int kObsBytes = 72;  // (2, 6, 6)

// "" if the frame is what Pixels-v0 gives at episode step t of the episode tagged tag.
std::string frame_error(const uint8_t* f, int t, int tag) {
  for (int i = 0; i < kObsBytes; ++i) {
    const int want = i == 0 ? t : i == 1 ? tag : (5 * tag + 7 * t + 13 * i) % 256;
    if (f[i] != want) return "byte " + std::to_string(i) + " is " + std::to_string(f[i]) + ", want " + std::to_string(want);
  }
  return "";
}

}  // namespace

TEST_CASE("uint8 observations arrive bit-exact at the learner's batches", "[gym][pixels]") {
  if (!actors::have_gym_bridge()) SHMRL_SKIP("this build has no Python bridge (pybind11-dev, the venv's gymnasium)");
  setenv("PYTHONPATH", SHMRL_GYM_TEST_DIR, 1);
  const std::string id = "gym:ShmrlTest/Pixels-v0";
  const auto spaces = envs::resolve_gym_spaces(id, {}, "shmrl_test_envs");
  REQUIRE(spaces.obs.dtype == DType::U8);
  const TransitionSchema schema(spaces.obs, spaces.action);
  REQUIRE(schema.field(TransitionSchema::kObs).bytes == kObsBytes);

  const std::string storage = GENERATE("records", "frames");
  INFO("replay.storage = " << storage);
  replay::test::TestRun t;
  constexpr uint32_t B = 32;
  // Small enough that the 800 records wrap around it.
  auto ropts = replay::test::small_options(/*capacity=*/256, B, /*actors=*/1, /*learners=*/1);
  ropts.min_size_to_sample = 64;
  ropts.storage = storage;
  // The service is forked before this process starts Python (the actor below embeds it).
  std::fflush(nullptr);
  const pid_t service = ::fork();
  if (service == 0) ::_exit(replay::run_replay_process(t.run, ropts, schema));

  actors::ActorOptions o = test::small_actor_options();
  o.env_id = id;
  o.python_modules = "shmrl_test_envs";
  o.envs_per_actor = 4;
  o.n_step = 3;
  o.gamma = 0.9;
  o.epsilon_base = 0.5;
  std::atomic<bool> stop{false};
  actors::Actor actor(o, t.run, stop);
  for (int i = 0; i < 200; ++i) actor.step();
  actor.writer().flush();

  auto reader = replay::BatchReader::attach(t.run, 0, schema, B, deadline_in(30s));
  learner::BatchPrefetcher prefetch(reader, schema, torch::kCPU, 1);
  int rows = 0;
  for (int batch = 0; batch < 8; ++batch) {
    auto b = prefetch.next(deadline_in(30s));
    REQUIRE(b.has_value());
    const auto& x = b->batch;
    REQUIRE(x.obs.scalar_type() == torch::kUInt8);
    REQUIRE(x.obs.sizes() == torch::IntArrayRef({B, 2, 6, 6}));
    REQUIRE(x.next_obs.scalar_type() == torch::kUInt8);
    for (uint32_t r = 0; r < B; ++r, ++rows) {
      const auto* obs = static_cast<const uint8_t*>(x.obs[r].data_ptr());
      const auto* next = static_cast<const uint8_t*>(x.next_obs[r].data_ptr());
      const int step = obs[0], tag = obs[1], next_step = next[0];
      INFO("batch " << batch << " row " << r << ": obs step " << step << " tag " << tag << ", next step " << next_step);
      REQUIRE(frame_error(obs, step, tag).empty());
      REQUIRE(frame_error(next, next_step, tag).empty());
      const int last = 3 + tag % 5;  // the step that terminates the episode
      const int k = next_step - step;
      REQUIRE((k == 3 || (k >= 1 && next_step == last)));
      double ret = 0;
      for (int i = 0; i < k; ++i) ret += std::pow(0.9, i) * (step + 1 + i);
      CHECK(x.reward[r].item<float>() == Approx(ret).epsilon(1e-5));
      CHECK(x.discount[r].item<float>() == Approx(next_step == last ? 0.0 : std::pow(0.9, k)).epsilon(1e-5));
    }
    prefetch.done(*b);
  }
  CHECK(rows == 8 * static_cast<int>(B));
  ::kill(service, SIGTERM);
  CHECK(replay::test::wait_child(service, 10s) == 0);
}
