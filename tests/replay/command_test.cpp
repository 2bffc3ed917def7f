// `shmrl replay` itself, exec'd as the launcher does. Builds without LibTorch have no `shmrl`
// binary (it links every component); there this test only says so.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <fstream>
#include <sstream>

#include "common/stats.h"
#include "tests/replay/helpers.h"
#include "tests/skip.h"

using namespace shmrl;
using namespace shmrl::replay;
using namespace shmrl::replay::test;
using namespace std::chrono_literals;

namespace {
const std::string kShmrl = std::string(SHMRL_BINARY_DIR) + "/shmrl";

// Starts `shmrl replay` for run t with `config` text; stderr goes to <run_dir>/replay.err.
pid_t exec_replay(const TestRun& t, const std::string& config) {
  std::filesystem::create_directories(t.run.run_dir);
  const std::string cfg = t.run.run_dir + "/config.toml";
  std::ofstream(cfg) << config;
  const std::string owner = std::to_string(::getpid());
  const std::string err = t.run.run_dir + "/replay.err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::execl(kShmrl.c_str(), "shmrl", "replay", "--run-id", t.run.run_id.c_str(), "--owner-pid",
            owner.c_str(), "--run-dir", t.run.run_dir.c_str(), "--config", cfg.c_str(), nullptr);
    ::_exit(127);
  }
  return pid;
}

std::string slurp(const std::string& path) {
  std::stringstream s;
  s << std::ifstream(path).rdbuf();
  return s.str();
}

const char* kConfig = R"(
[run]
actors = 1
learners = 1
[env]
id = "CartPole-v1"
[actor]
ring_capacity = 1024
[learner]
batch_size = 8
[replay]
capacity = 1000
selector = "prioritized"
min_size_to_sample = 10
samples_per_insert = 1.0
error_buffer = 100.0
)";
}  // namespace

TEST_CASE("command: `shmrl replay` serves a run and stops cleanly on SIGTERM") {
  if (!std::filesystem::exists(kShmrl))
    SHMRL_SKIP("no " + kShmrl + " in this build (LibTorch-free): `shmrl replay` not exercised here");
  TestRun t;
  const pid_t pid = exec_replay(t, kConfig);
  REQUIRE(wait_until([&] { return read_stats(t.run, seg::replay_stats())["ready"] == 1; }, 30s));
  const auto env_schema = cartpole_schema();
  auto prod = actor_producer(t.run, env_schema, 0);
  REQUIRE(push_ids(prod.ring, env_schema, 0, 0, 50));
  auto reader = BatchReader::attach(t.run, 0, env_schema, 8, deadline_in(10s));
  auto b = reader.acquire(deadline_in(10s));
  REQUIRE(b);
  for (std::size_t i = 0; i < 8; ++i) CHECK(record_intact(env_schema, row_record(env_schema, *b, i).data()));
  reader.release(*b);
  ::kill(pid, SIGTERM);
  CHECK(wait_child(pid, 10s) == 0);
  CHECK(slurp(t.run.run_dir + "/replay.err").find("SIGTERM") != std::string::npos);
}

TEST_CASE("command: `shmrl replay` refuses an invalid config with the key named, and a non-zero exit") {
  if (!std::filesystem::exists(kShmrl))
    SHMRL_SKIP("no " + kShmrl + " in this build (LibTorch-free): `shmrl replay` not exercised here");
  TestRun t;
  std::string bad = kConfig;
  bad += "alpha = nan\n";
  const pid_t pid = exec_replay(t, bad);
  CHECK(wait_child(pid, 30s) != 0);
  const std::string err = slurp(t.run.run_dir + "/replay.err");
  CHECK(err.find("replay.alpha") != std::string::npos);
  CHECK(shm::list_segments(t.run.run_id).empty());
}
