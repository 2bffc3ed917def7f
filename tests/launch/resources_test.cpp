// Resource sanity before start: the memory estimate against a budget (refused with the figures,
// nothing started), the actors-vs-cores warning, and the measured per-process sizes the estimate
// uses, checked against a real run's processes (/proc/<pid>/smaps_rollup); on a machine without a
// GPU, none of them maps LibTorch's CUDA libraries.
#include "launch/resources.h"

#include <catch2/catch.hpp>

#include <functional>
#include <initializer_list>
#include <string_view>

#include "actors/envs/registry.h"
#include "learner/cuda_loader.h"
#include "tests/launch/train_fixture.h"

using shmrl::launch::Config;
using namespace shmrl::test;

namespace {
shmrl::TransitionSchema cartpole_schema() {
  auto env = shmrl::envs::make_env("CartPole-v1", {});
  return shmrl::TransitionSchema(env->observation_space(), env->action_space());
}

// Anonymous memory of a process in bytes (0 if unreadable).
// Sum of the smaps_rollup lines named `keys`, in bytes.
std::size_t smaps_bytes(pid_t pid, std::initializer_list<std::string_view> keys) {
  std::istringstream in(slurp("/proc/" + std::to_string(pid) + "/smaps_rollup"));
  std::size_t kib = 0;
  for (std::string line; std::getline(in, line);) {
    for (auto key : keys)
      if (line.starts_with(key) && line[key.size()] == ':') kib += std::stoull(line.substr(key.size() + 1));
  }
  return kib << 10;
}

// Largest size of each role over a second of a running run, by `measure`.
std::map<std::string, std::size_t> largest_per_role(const TrainRun& run,
                                                    const std::function<std::size_t(pid_t)>& measure) {
  std::map<std::string, std::size_t> most;
  for (int sample = 0; sample < 5; ++sample) {
    most["launcher"] = std::max(most["launcher"], measure(run.pid()));
    for (const auto& [pid, cmd] : children_of(run.pid())) {
      for (const char* role : {"actor", "learner", "replay"}) {
        if (cmd.find(std::string(" ") + role + " ") != std::string::npos)
          most[role] = std::max(most[role], measure(pid));
      }
    }
    std::this_thread::sleep_for(200ms);
  }
  return most;
}
}  // namespace

TEST_CASE("a run whose memory estimate exceeds the budget is refused with the figures", "[resources]") {
  Config c = Config::defaults();
  const auto schema = cartpole_schema();
  const auto e = shmrl::launch::estimate_memory(c, schema);
  CHECK(e.actors == 2);
  CHECK(e.shared_memory > 0);
  CHECK(e.total() == 2 * e.sizes.actor + e.sizes.learner + e.sizes.replay + e.sizes.launcher +
                         e.sizes.shared_code + e.shared_memory);
  c.set("run.memory_budget_mb", std::to_string((e.total() >> 20) + 1));
  CHECK_NOTHROW(shmrl::launch::check_memory(c, schema));
  c.set("run.memory_budget_mb", "500");
  CHECK_THROWS_WITH(shmrl::launch::check_memory(c, schema),
                    Catch::Contains("run.actors = 2") && Catch::Contains("run.memory_budget_mb = 500") &&
                        Catch::Contains(e.describe()));
  // The 1000 actors: about 100 GB, beyond any budget this machine has.
  c.set("run.actors", "1000");
  c.set("run.memory_budget_mb", "0");
  const auto big = shmrl::launch::estimate_memory(c, schema);
  CHECK(big.total() > 1000 * e.sizes.actor);
  const auto avail = shmrl::launch::available_memory();
  REQUIRE(avail);
  if (*avail < big.total()) {
    CHECK_THROWS_WITH(shmrl::launch::check_memory(c, schema), Catch::Contains("MemAvailable"));
  }
}

TEST_CASE("far more actor processes than cores get a warning", "[resources]") {
  Config c = Config::defaults();
  c.set("run.actors", "8");
  CHECK_FALSE(shmrl::launch::cores_warning(c, 2));
  c.set("run.actors", "9");
  const auto w = shmrl::launch::cores_warning(c, 2);
  REQUIRE(w);
  CHECK_THAT(*w, Catch::Contains("run.actors = 9") && Catch::Contains("2 cores"));
}

TEST_CASE("train refuses a run beyond its memory budget before starting anything", "[resources][train]") {
  TrainRun run({"--actors", "16", "--set", "run.memory_budget_mb=2000"}, "membudget");
  INFO(run.output());
  CHECK(run.wait_exit(60s) == 2);
  CHECK_THAT(run.output(), Catch::Contains("16 actors x") && Catch::Contains("run.memory_budget_mb = 2000"));
  CHECK_FALSE(fs::exists(run.dir()));
  CHECK(children_of(run.pid()).empty());
}

TEST_CASE("the per-process sizes the estimate uses match a real run's processes", "[resources][train]") {
  // The estimate is for exec'ed children (what a GPU machine runs): each one's anonymous memory.
  std::vector<std::string> args = tiny_run_args();
  args.insert(args.end(), {"--set", "run.fork_start=false"});
  std::map<std::string, std::size_t> most, forked;
  {
    TrainRun run(args, "memsize");
    REQUIRE(run.wait_ready(120s));
    // Measured once training is under way (weights published, batches flowing).
    REQUIRE(wait_for([&] { return run.metric("updates") > 0; }, 60s));
    most = largest_per_role(run, [](pid_t p) { return smaps_bytes(p, {"Anonymous"}); });
    kill(run.pid(), SIGTERM);
    CHECK(run.wait_exit(20s) == 128 + SIGTERM);
  }
  // Forked children share the launcher's pages: what each adds is its private memory, less still.
  {
    TrainRun run(tiny_run_args(), "memfork");
    REQUIRE(run.wait_ready(120s));
    REQUIRE(wait_for([&] { return run.metric("updates") > 0; }, 60s));
    forked = largest_per_role(run, [](pid_t p) { return smaps_bytes(p, {"Private_Clean", "Private_Dirty"}); });
    // Without a GPU no process loads LibTorch's CUDA half (learner/cuda_plugin.h).
    if (!shmrl::learner::nvidia_gpu_present()) {
      const auto cuda_maps = largest_per_role(run, [](pid_t p) -> std::size_t {
        return slurp("/proc/" + std::to_string(p) + "/maps").find("libtorch_cuda") != std::string::npos;
      });
      for (const auto& [role, mapped] : cuda_maps) {
        INFO(role);
        CHECK(mapped == 0);
      }
      CHECK(cuda_maps.size() == 4);  // launcher, replay, learner, actor: each was looked at
    }
#if SHMRL_TCMALLOC_LINKED
    // Every process allocates through tcmalloc (cmake/malloc.cmake), forked children included.
    const auto tcmalloc_maps = largest_per_role(run, [](pid_t p) -> std::size_t {
      return slurp("/proc/" + std::to_string(p) + "/maps").find("libtcmalloc") != std::string::npos;
    });
    for (const auto& [role, mapped] : tcmalloc_maps) {
      INFO(role);
      CHECK(mapped == 1);
    }
    CHECK(tcmalloc_maps.size() == 4);
#endif
    kill(run.pid(), SIGTERM);
    CHECK(run.wait_exit(20s) == 128 + SIGTERM);
  }
  const shmrl::launch::ProcessSizes sizes;
  const std::map<std::string, std::size_t> assumed = {
      {"actor", sizes.actor}, {"learner", sizes.learner}, {"replay", sizes.replay}, {"launcher", sizes.launcher}};
  for (const auto& [role, bytes] : assumed) {
    INFO(role << ": measured " << (most[role] >> 20) << " MiB exec'ed, " << (forked[role] >> 20)
              << " MiB private forked; estimate uses " << (bytes >> 20) << " MiB");
    CHECK(most[role] > 0);
    CHECK(most[role] <= bytes);      // the estimate does not undercount
    // Nor far above what the processes use (a few MiB of slack for the smallest roles).
    CHECK(most[role] * 2 + (std::size_t{16} << 20) >= bytes);
    CHECK(forked[role] <= bytes);
  }
}
