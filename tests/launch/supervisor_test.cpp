// Supervisor: readiness waits, start failures quoting the log, actor restarts within the budget,
// fatal ends of the replay service, and stopping everyone. Children are real /bin/sh processes.
#include "launch/supervisor.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace shmrl::launch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("shmrl-supervisor-test-" + std::to_string(getpid()));
  Console console{"", false};
  Fixture() { fs::create_directories(dir); }
  ~Fixture() { fs::remove_all(dir); }
  std::string file(const std::string& name) const { return (dir / name).string(); }
  // Ready when the member has created "<dir>/<name>.ready".
  std::function<bool(const Member&)> ready_file() const {
    return [this](const Member& m) { return fs::exists(dir / (m.name + ".ready")); };
  }
};
auto in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }
const auto never = [] { return false; };
// Polls every 20 ms until the supervisor reports why the run must stop, or `within` passes.
std::optional<std::string> poll_until_fatal(Supervisor& sup, std::chrono::milliseconds within) {
  std::optional<std::string> fatal;
  const auto deadline = in(within);
  while (!(fatal = sup.poll()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  return fatal;
}
}  // namespace

TEST_CASE("start waits for readiness, poll restarts crashed actors within the budget", "[supervisor]") {
  Fixture f;
  Supervisor sup("/bin/sh", f.dir.string(), RestartPolicy{.actor = 2, .backoff_s = 0}, f.console);
  sup.add(Role::Replay, 0, "replay", {"-c", "touch " + f.file("replay.ready") + "; exec sleep 100"});
  // The actor counts its starts in a file and crashes 100 ms after each start.
  sup.add(Role::Actor, 0, "actor0",
          {"-c", "echo start >> " + f.file("starts") + "; touch " + f.file("actor0.ready") +
                     "; echo crashing; sleep 0.1; exit 7"});
  sup.start(Role::Replay, f.ready_file(), in(5s), never);
  sup.start(Role::Actor, f.ready_file(), in(5s), never);

  const auto fatal = poll_until_fatal(sup, 10s);
  REQUIRE(fatal);
  CHECK(sup.restarts(Role::Actor) == 2);
  CHECK_THAT(*fatal, Catch::Contains("actor0") && Catch::Contains("exited with status 7") &&
                         Catch::Contains("actor restart budget exhausted (run.restarts.actor = 2)") &&
                         Catch::Contains("crashing"));
  std::ifstream starts(f.file("starts"));
  int n = 0;
  for (std::string l; std::getline(starts, l);) ++n;
  CHECK(n == 3);  // the first start plus two restarts
  CHECK(sup.members()[0].child.running());
  CHECK(sup.stop_all(2s).empty());
  CHECK_FALSE(sup.members()[0].child.running());
}

TEST_CASE("a replay service that ends is restarted after its backoff, then fatal past its budget", "[supervisor]") {
  Fixture f;
  Supervisor sup("/bin/sh", f.dir.string(), RestartPolicy{.replay = 2, .backoff_s = 0.2}, f.console);
  sup.add(Role::Replay, 0, "replay",
          {"-c", "echo start >> " + f.file("starts") + "; touch " + f.file("replay.ready") +
                     "; sleep 0.1; echo storage gone >&2; exit 1"});
  sup.start(Role::Replay, f.ready_file(), in(5s), never);
  const auto t0 = std::chrono::steady_clock::now();
  const auto fatal = poll_until_fatal(sup, 10s);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(fatal);
  CHECK_THAT(*fatal, Catch::Contains("replay (pid") && Catch::Contains("exited with status 1") &&
                         Catch::Contains("storage gone") &&
                         Catch::Contains("replay restart budget exhausted (run.restarts.replay = 2)"));
  CHECK(sup.restarts(Role::Replay) == 2);
  CHECK(took >= 0.2 + 0.4);  // the backoff doubles: 0.2 s, then 0.4 s
  const auto events = sup.take_restarts();
  REQUIRE(events.size() == 2);
  CHECK(events[0].name == "replay");
  CHECK(events[1].count == 2);
  CHECK_THAT(events[0].why, Catch::Contains("exited with status 1"));
  CHECK(sup.take_restarts().empty());
  std::ifstream starts(f.file("starts"));
  int n = 0;
  for (std::string l; std::getline(starts, l);) ++n;
  CHECK(n == 3);
}

TEST_CASE("restart delays double per restart of a process, up to the cap", "[supervisor]") {
  const RestartPolicy p{.backoff_s = 0.5};
  CHECK(p.delay_s(1) == 0.5);
  CHECK(p.delay_s(3) == 2.0);
  CHECK(p.delay_s(20) == RestartPolicy::kMaxBackoffS);
}

TEST_CASE("start fails clearly when a child ends early, is not ready in time, or a stop arrives",
          "[supervisor]") {
  Fixture f;
  SECTION("ends before ready") {
    Supervisor sup("/bin/sh", f.dir.string(), {}, f.console);
    sup.add(Role::Learner, 0, "learner0", {"-c", "echo 'bad config: learner.lr' >&2; exit 2"});
    CHECK_THROWS_WITH(sup.start(Role::Learner, f.ready_file(), in(5s), never),
                      Catch::Contains("learner0") && Catch::Contains("exited with status 2") &&
                          Catch::Contains("bad config: learner.lr"));
  }
  SECTION("not ready by the deadline") {
    Supervisor sup("/bin/sh", f.dir.string(), {}, f.console);
    sup.add(Role::Learner, 0, "learner0", {"-c", "exec sleep 100"});
    auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(sup.start(Role::Learner, f.ready_file(), in(300ms), never),
                      Catch::Contains("did not become ready in time"));
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    sup.stop_all(1s);
    CHECK_FALSE(sup.members()[0].child.running());
  }
  SECTION("stop requested") {
    Supervisor sup("/bin/sh", f.dir.string(), {}, f.console);
    sup.add(Role::Learner, 0, "learner0", {"-c", "exec sleep 100"});
    CHECK_THROWS_WITH(sup.start(Role::Learner, f.ready_file(), in(5s), [] { return true; }),
                      Catch::Contains("stopped during start-up"));
  }
}

TEST_CASE("starting many children stops at the first stop signal or dead child", "[supervisor]") {
  Fixture f;
  SECTION("a stop signal between two spawns") {
    Supervisor sup("/bin/sh", f.dir.string(), RestartPolicy{.actor = 0}, f.console);
    for (int i = 0; i < 50; ++i) sup.add(Role::Actor, i, "actor" + std::to_string(i), {"-c", "exec sleep 100"});
    int checks = 0;
    auto stop_on_third = [&] { return ++checks >= 3; };
    CHECK_THROWS_WITH(sup.start(Role::Actor, f.ready_file(), in(10s), stop_on_third),
                      Catch::Contains("stopped during start-up"));
    int spawned = 0;
    for (const auto& m : sup.members()) spawned += m.child.pid() > 0;
    CHECK(spawned == 2);
    sup.stop_all(2s);
  }
  SECTION("a child that dies before the next spawn") {
    Supervisor sup("/bin/sh", f.dir.string(), RestartPolicy{.actor = 0}, f.console);
    sup.add(Role::Actor, 0, "actor0", {"-c", "echo out of memory; exit 3"});
    for (int i = 1; i < 50; ++i) sup.add(Role::Actor, i, "actor" + std::to_string(i), {"-c", "exec sleep 100"});
    // Before the second spawn, give the first child time to end (bounded).
    int checks = 0;
    auto slow_second = [&] {
      if (++checks == 2) {
        const pid_t first = sup.members()[0].child.pid();
        const std::string stat = "/proc/" + std::to_string(first) + "/stat";
        for (int i = 0; i < 500; ++i) {
          std::ifstream in(stat);
          std::string s;
          std::getline(in, s);
          if (s.find(") Z") != std::string::npos) break;
          std::this_thread::sleep_for(10ms);
        }
      }
      return false;
    };
    CHECK_THROWS_WITH(sup.start(Role::Actor, f.ready_file(), in(10s), slow_second),
                      Catch::Contains("actor0") && Catch::Contains("exited with status 3"));
    int spawned = 0;
    for (const auto& m : sup.members()) spawned += m.child.pid() > 0;
    CHECK(spawned == 1);
    sup.stop_all(2s);
  }
}

TEST_CASE("a learner aborted by NCCL's watchdog is reported as a learner failure with the cause",
          "[supervisor]") {
  Fixture f;
  Supervisor sup("/bin/sh", f.dir.string(), RestartPolicy{.learner = 0}, f.console);
  // What ProcessGroupNCCL logs on a collective timeout, then the abort it ends with.
  sup.add(Role::Learner, 1, "learner1",
          {"-c", "touch " + f.file("learner1.ready") + "; sleep 0.2; echo '[rank1]:[E] [PG ID 0 Rank 1] "
                 "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=9, OpType=ALLREDUCE, "
                 "Timeout(ms)=300000) ran for 300004 milliseconds before timing out.' >&2; "
                 "for i in 1 2 3 4 5 6 7 8 9 10; do echo stack frame $i >&2; done; kill -ABRT $$"});
  sup.start(Role::Learner, f.ready_file(), in(5s), never);
  const auto fatal = poll_until_fatal(sup, 5s);
  REQUIRE(fatal);
  CHECK_THAT(*fatal, Catch::Contains("learner1 (pid") && Catch::Contains("signal 6") &&
                         Catch::Contains("NCCL collective") && Catch::Contains("watchdog aborted learner1") &&
                         Catch::Contains("learner restart budget exhausted (run.restarts.learner = 0)"));
}
