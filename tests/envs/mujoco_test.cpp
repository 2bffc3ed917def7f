// The MuJoCo v5 envs against Gymnasium's own trajectories (scripts/record_gymnasium.py, same
// mujoco 4.0.0 library and gymnasium 1.4.0 model files): start from the recorded post-reset
// qpos/qvel (numpy's PCG64 reset noise is not reproduced, so the reset noise is tested
// statistically below), replay the recorded actions through make_env (TimeLimit included) and
// require the observations, rewards and flags to match. The physics is the same library on the
// same inputs and the costs are summed in numpy's order (numpy_sum.h), so every value matches
// exactly (measured: 0 difference); the tolerance, 1e-6 relative above 1, leaves room for a libm
// or compiler that rounds a last bit differently.
// Without MuJoCo (cmake/mujoco.cmake found none) every case here reports Skipped.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "actors/envs/registry.h"
#include "reference_data.h"
#include "tests/skip.h"

using namespace shmrl;
using namespace shmrl::envs;
using namespace shmrl::envs::testing;

namespace {

#ifdef SHMRL_HAVE_MUJOCO
constexpr bool kHaveMujoco = true;
#else
constexpr bool kHaveMujoco = false;
#endif

constexpr double kTol = 1e-6;

double rel_diff(double expected, double got) {
  return std::fabs(expected - got) / std::max(1.0, std::fabs(expected));
}

double max_rel_diff(const std::vector<float>& expected, const std::vector<float>& got) {
  double m = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) m = std::max(m, rel_diff(expected[i], got[i]));
  return m;
}

void replay(const std::string& name) {
  const Recording rec = load_recording(name);
  auto env = make_env(rec.env_id, rec.kwargs);
  REQUIRE(env->max_episode_steps() == rec.max_episode_steps);
  std::vector<float> obs(env->observation_space().numel());
  auto* o = reinterpret_cast<std::byte*>(obs.data());
  double worst_obs = 0, worst_reward = 0;
  std::size_t compared_obs = 0;
  for (const RecordedEpisode& ep : rec.episodes) {
    INFO(name << " seed " << ep.seed);
    env->reset(ep.seed, o);
    env->set_state(ep.initial_state, o);
    REQUIRE(env->state() == ep.initial_state);
    REQUIRE(ep.initial_obs.size() == obs.size());
    REQUIRE(max_rel_diff(ep.initial_obs, obs) <= kTol);
    std::size_t next_obs = 0;
    for (std::size_t t = 0; t < ep.actions.size(); ++t) {
      INFO("step " << t);
      const auto action = encode_action(env->action_space(), ep.actions[t]);
      REQUIRE(env->action_space().contains_action(action.data()));
      const StepResult r = env->step(action.data(), o);
      const bool has_obs = ep.obs_steps.empty() || (next_obs < ep.obs_steps.size() &&
                                                     ep.obs_steps[next_obs] == static_cast<int>(t));
      if (has_obs) {
        const double d = max_rel_diff(ep.obs[next_obs++], obs);
        worst_obs = std::max(worst_obs, d);
        ++compared_obs;
        REQUIRE(d <= kTol);
      }
      const double d_rew = rel_diff(ep.rewards[t], r.reward);
      worst_reward = std::max(worst_reward, d_rew);
      REQUIRE(d_rew <= kTol);
      REQUIRE(r.terminated == ep.terminated[t]);
      REQUIRE(r.truncated == ep.truncated[t]);
    }
    REQUIRE(next_obs == ep.obs.size());
  }
  CHECK(compared_obs > 0);
  WARN(name << ": " << compared_obs << " observations, max relative |obs diff| " << worst_obs
            << ", max relative |reward diff| " << worst_reward);
}

}  // namespace

#define SKIP_WITHOUT_MUJOCO() \
  if (!kHaveMujoco) SHMRL_SKIP("built without MuJoCo (launch/setup installs the mujoco wheel)")

TEST_CASE("HalfCheetah-v5 matches Gymnasium through the time limit", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("HalfCheetah-v5");
}
TEST_CASE("HalfCheetah-v5 with kwargs matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("HalfCheetah-v5-kwargs");
}
TEST_CASE("Hopper-v5 matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Hopper-v5");
}
TEST_CASE("Walker2d-v5 matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Walker2d-v5");
}
TEST_CASE("Ant-v5 matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Ant-v5");
}
TEST_CASE("Ant-v5 with kwargs matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Ant-v5-kwargs");
}
TEST_CASE("Humanoid-v5 matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Humanoid-v5");
}
TEST_CASE("HumanoidStandup-v5 matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("HumanoidStandup-v5");
}
TEST_CASE("InvertedPendulum-v5 matches Gymnasium through the time limit", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("InvertedPendulum-v5");
}
TEST_CASE("InvertedDoublePendulum-v5 matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("InvertedDoublePendulum-v5");
}
TEST_CASE("InvertedDoublePendulum-v5 with kwargs matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("InvertedDoublePendulum-v5-kwargs");
}
TEST_CASE("Reacher-v5 matches Gymnasium through the time limit", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Reacher-v5");
}
TEST_CASE("Reacher-v5 with kwargs matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Reacher-v5-kwargs");
}
TEST_CASE("Pusher-v5 matches Gymnasium through the time limit", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Pusher-v5");
}
TEST_CASE("Swimmer-v5 matches Gymnasium through the time limit", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Swimmer-v5");
}
TEST_CASE("Swimmer-v5 with kwargs matches Gymnasium", "[mujoco][gymnasium]") {
  SKIP_WITHOUT_MUJOCO();
  replay("Swimmer-v5-kwargs");
}

namespace {

struct Moments {
  double mean = 0, sd = 0, max_abs = 0;
};

// Moments of (state - the noiseless initial state) over `episodes` seeded resets, for the state
// values [from, to).
Moments reset_noise(const std::string& id, double scale, std::size_t from, std::size_t to) {
  auto clean = make_env(id, {{"reset_noise_scale", "0"}});
  auto env = make_env(id, {{"reset_noise_scale", std::to_string(scale)}});
  std::vector<std::byte> obs(env->observation_space().bytes());
  clean->reset(0, obs.data());
  const std::vector<double> init = clean->state();
  std::vector<double> noise;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    env->reset(seed, obs.data());
    const std::vector<double> s = env->state();
    for (std::size_t i = from; i < to; ++i) noise.push_back(s[i] - init[i]);
  }
  Moments m;
  m.mean = std::accumulate(noise.begin(), noise.end(), 0.0) / noise.size();
  for (double v : noise) {
    m.sd += (v - m.mean) * (v - m.mean);
    m.max_abs = std::max(m.max_abs, std::fabs(v));
  }
  m.sd = std::sqrt(m.sd / (noise.size() - 1));
  return m;
}

}  // namespace

// Gymnasium draws qpos noise from U(-s, s) (sd s/sqrt(3)) and qvel noise from U(-s, s) or, for
// HalfCheetah, Ant and InvertedDoublePendulum, s * N(0, 1). At least 800 draws each: the sample sd
// is within 5 % (2.5 standard errors for the fewest normal draws, more for the others).
TEST_CASE("MuJoCo reset noise has Gymnasium's distribution", "[mujoco]") {
  SKIP_WITHOUT_MUJOCO();
  const double s = 0.1;
  struct Case {
    const char* id;
    int nq, nv;
    bool normal_qvel;
  };
  for (const Case& c : {Case{"HalfCheetah-v5", 9, 9, true}, Case{"Hopper-v5", 6, 6, false},
                        Case{"Ant-v5", 15, 14, true}, Case{"Humanoid-v5", 24, 23, false},
                        Case{"HumanoidStandup-v5", 24, 23, false}, Case{"Swimmer-v5", 5, 5, false},
                        Case{"InvertedPendulum-v5", 2, 2, false},
                        Case{"InvertedDoublePendulum-v5", 3, 3, true}}) {
    INFO(c.id);
    // 400 resets: the mean is within 4 standard errors of 0.
    const Moments qpos = reset_noise(c.id, s, 0, c.nq);
    CHECK(std::fabs(qpos.mean) < 4 * qpos.sd / std::sqrt(400.0 * c.nq));
    CHECK(qpos.sd == Approx(s / std::sqrt(3.0)).epsilon(0.05));
    CHECK(qpos.max_abs <= s);
    const Moments qvel = reset_noise(c.id, s, c.nq, c.nq + c.nv);
    CHECK(std::fabs(qvel.mean) < 4 * qvel.sd / std::sqrt(400.0 * c.nv));
    CHECK(qvel.sd == Approx(c.normal_qvel ? s : s / std::sqrt(3.0)).epsilon(0.05));
    if (c.normal_qvel)
      CHECK(qvel.max_abs > s);  // a normal's tails reach past s, a uniform's never
    else
      CHECK(qvel.max_abs <= s);
  }
}

// Reacher and Pusher draw their own reset states (no reset_noise_scale): Reacher's target lies in
// the disc of radius 0.2 and its joints get U(+-0.1) angles and U(+-0.005) velocities; Pusher's
// arm starts at the model's initial pose and its cylinder within (-0.3, 0) x (-0.2, 0.2), farther
// than 0.17 from the goal at the origin. The target's, cylinder's and goal's velocities are 0.
TEST_CASE("Reacher and Pusher reset states have Gymnasium's distribution", "[mujoco]") {
  SKIP_WITHOUT_MUJOCO();
  CHECK_THROWS_WITH(make_env("Reacher-v5", {{"reset_noise_scale", "0.1"}}),
                    Catch::Contains("reset_noise_scale"));
  auto reacher = make_env("Reacher-v5");
  std::vector<std::byte> obs(reacher->observation_space().bytes());
  double max_goal = 0, max_angle = 0, max_speed = 0, sum_sq_angle = 0;
  const int n = 400;
  for (int seed = 0; seed < n; ++seed) {
    reacher->reset(seed, obs.data());
    const std::vector<double> s = reacher->state();  // qpos (2 joints, target xy), qvel (same)
    REQUIRE(s.size() == 8);
    max_goal = std::max(max_goal, std::hypot(s[2], s[3]));
    for (int j = 0; j < 2; ++j) {
      max_angle = std::max(max_angle, std::fabs(s[j]));
      sum_sq_angle += s[j] * s[j];
      max_speed = std::max(max_speed, std::fabs(s[4 + j]));
    }
    CHECK(s[6] == 0.0);
    CHECK(s[7] == 0.0);
  }
  CHECK(max_goal < 0.2);
  CHECK(max_goal > 0.19);  // the disc is covered, not a smaller one
  CHECK(max_angle <= 0.1);
  CHECK(std::sqrt(sum_sq_angle / (2 * n)) == Approx(0.1 / std::sqrt(3.0)).epsilon(0.05));
  CHECK(max_speed <= 0.005);
  CHECK(max_speed > 0.004);

  CHECK_THROWS_WITH(make_env("Pusher-v5", {{"reset_noise_scale", "0.1"}}),
                    Catch::Contains("reset_noise_scale"));
  auto pusher = make_env("Pusher-v5");
  obs.resize(pusher->observation_space().bytes());
  pusher->reset(0, obs.data());
  const std::vector<double> first = pusher->state();
  const std::size_t nq = 11, nv = 11;
  REQUIRE(first.size() == nq + nv);
  double min_dist = 1, min_x = 0, max_x = -1, max_y = 0;
  for (int seed = 0; seed < n; ++seed) {
    pusher->reset(seed, obs.data());
    const std::vector<double> s = pusher->state();
    for (std::size_t i = 0; i < 7; ++i) CHECK(s[i] == first[i]);  // the arm: no qpos noise
    const double x = s[nq - 4], y = s[nq - 3];
    min_dist = std::min(min_dist, std::hypot(x, y));
    min_x = std::min(min_x, x);
    max_x = std::max(max_x, x);
    max_y = std::max(max_y, std::fabs(y));
    CHECK(s[nq - 2] == 0.0);
    CHECK(s[nq - 1] == 0.0);
    for (std::size_t i = 0; i < 7; ++i) CHECK(std::fabs(s[nq + i]) <= 0.005);
    for (std::size_t i = nv - 4; i < nv; ++i) CHECK(s[nq + i] == 0.0);
  }
  CHECK(min_dist > 0.17);
  CHECK(min_x >= -0.3);
  CHECK(max_x <= 0.0);
  CHECK(max_y <= 0.2);
  CHECK(max_y > 0.19);
}

TEST_CASE("MuJoCo envs: same seed, same start, and the sizes of Gymnasium", "[mujoco]") {
  SKIP_WITHOUT_MUJOCO();
  const std::map<std::string, std::pair<std::size_t, std::size_t>> sizes = {
      {"HalfCheetah-v5", {17, 6}}, {"Hopper-v5", {11, 3}}, {"Walker2d-v5", {17, 6}},
      {"Ant-v5", {105, 8}}, {"Humanoid-v5", {348, 17}}, {"HumanoidStandup-v5", {348, 17}},
      {"InvertedPendulum-v5", {4, 1}}, {"InvertedDoublePendulum-v5", {9, 1}},
      {"Reacher-v5", {10, 2}}, {"Pusher-v5", {23, 7}}, {"Swimmer-v5", {8, 2}}};
  const std::map<std::string, int> limits = {{"Reacher-v5", 50}, {"Pusher-v5", 100}};
  for (const auto& [id, size] : sizes) {
    INFO(id);
    auto a = make_env(id);
    auto b = make_env(id);
    CHECK(a->observation_space().numel() == size.first);
    CHECK(a->action_space().numel() == size.second);
    CHECK(a->max_episode_steps() == (limits.contains(id) ? limits.at(id) : 1000));
    std::vector<std::byte> oa(a->observation_space().bytes()), ob(oa.size());
    a->reset(7, oa.data());
    b->reset(7, ob.data());
    CHECK(oa == ob);
    b->reset(8, ob.data());
    CHECK(oa != ob);
  }
}

TEST_CASE("MuJoCo kwargs: unknown and malformed ones are refused, a missing model is named", "[mujoco]") {
  SKIP_WITHOUT_MUJOCO();
  CHECK_THROWS_WITH(make_env("Hopper-v5", {{"ctrl_cost", "1"}}),
                    Catch::Contains("unknown kwarg(s) 'ctrl_cost'") && Catch::Contains("ctrl_cost_weight"));
  CHECK_THROWS_WITH(make_env("Hopper-v5", {{"healthy_z_range", "[2, 1]"}}),
                    Catch::Contains("healthy_z_range") && Catch::Contains("low <= high"));
  CHECK_THROWS_WITH(make_env("Ant-v5", {{"main_body", "no_such_body"}}), Catch::Contains("main_body"));
  CHECK_THROWS_WITH(make_env("Ant-v5", {{"frame_skip", "2.5"}}), Catch::Contains("integer"));
  CHECK_THROWS_WITH(make_env("HalfCheetah-v5", {{"xml_file", "/nonexistent/cheetah.xml"}}),
                    Catch::Contains("/nonexistent/cheetah.xml") && Catch::Contains("pip install"));
  // A range with an infinite end, as Gymnasium's default (0.7, inf), and a body by name.
  CHECK_NOTHROW(make_env("Hopper-v5", {{"healthy_z_range", "[0.5, inf]"}}));
  CHECK_NOTHROW(make_env("Ant-v5", {{"main_body", "torso"}}));
}

TEST_CASE("MuJoCo: an unstable simulation ends the episode with a finite observation", "[mujoco]") {
  SKIP_WITHOUT_MUJOCO();
  auto env = make_env("HalfCheetah-v5");
  std::vector<float> obs(env->observation_space().numel());
  auto* o = reinterpret_cast<std::byte*>(obs.data());
  env->reset(0, o);
  std::vector<double> state = env->state();
  for (std::size_t i = 9; i < state.size(); ++i) state[i] = 1e300;  // velocities MuJoCo calls "huge"
  env->set_state(state, o);
  const std::vector<float> zero(env->action_space().numel(), 0.0f);
  const StepResult r = env->step(zero.data(), o);
  CHECK(r.terminated);
  CHECK(r.reward == 0.0);
  for (float v : obs) CHECK(std::isfinite(v));
  for (double v : env->state()) CHECK(std::isfinite(v));
}
