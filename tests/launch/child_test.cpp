// Child processes of the launcher: logs, exit statuses, process groups, the SIGTERM-then-SIGKILL
// stop, and PR_SET_PDEATHSIG when the launcher is SIGKILLed. Real processes (/bin/sh, sleep).
#include "launch/child.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "common/proc.h"

using namespace shmrl::launch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("shmrl-child-test-" + std::to_string(getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string log(const std::string& name) const { return (path / (name + ".log")).string(); }
};
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}
auto soon(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }
}  // namespace

TEST_CASE("a child's output goes to its log and its exit status is reported", "[child]") {
  TempDir dir;
  Child c = Child::spawn("/bin/sh", {"-c", "echo out; echo err >&2; exit 3"}, dir.log("a"));
  REQUIRE(c.wait_until(soon(5s)));
  CHECK(describe_wait_status(*c.poll()) == "exited with status 3");
  CHECK(slurp(dir.log("a")) == "out\nerr\n");

  // A restart appends to the same log.
  Child again = Child::spawn("/bin/sh", {"-c", "echo second"}, dir.log("a"));
  REQUIRE(again.wait_until(soon(5s)));
  CHECK(slurp(dir.log("a")) == "out\nerr\nsecond\n");
}

TEST_CASE("an exec failure is status 127 with a line in the log", "[child]") {
  TempDir dir;
  Child c = Child::spawn("/nonexistent/program", {}, dir.log("b"));
  REQUIRE(c.wait_until(soon(5s)));
  CHECK(describe_wait_status(*c.poll()) == "exited with status 127");
  CHECK_THAT(slurp(dir.log("b")), Catch::Contains("exec of /nonexistent/program failed"));
}

TEST_CASE("children run in their own process group and stop with SIGTERM, else SIGKILL", "[child]") {
  TempDir dir;
  Child polite = Child::spawn("/bin/sleep", {"100"}, dir.log("polite"));
  // Ignores SIGTERM (and so does the sleep it starts): needs the SIGKILL to the whole group.
  Child stubborn = Child::spawn("/bin/sh", {"-c", "trap '' TERM; sleep 100; sleep 100"}, dir.log("stubborn"));
  std::this_thread::sleep_for(200ms);  // let the shell install its trap
  CHECK(getpgid(polite.pid()) == polite.pid());
  CHECK(getpgid(stubborn.pid()) == stubborn.pid());
  CHECK(getpgid(polite.pid()) != getpgrp());

  auto t0 = std::chrono::steady_clock::now();
  auto killed = stop_children({&polite, &stubborn}, 500ms);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(killed == std::vector<std::size_t>{1});
  CHECK_FALSE(polite.running());
  CHECK_FALSE(stubborn.running());
  CHECK(describe_wait_status(*polite.poll()) == "killed by signal 15 (SIGTERM)");
  CHECK(describe_wait_status(*stubborn.poll()) == "killed by signal 9 (SIGKILL)");
  CHECK(took < 3s);

  // A child never started (its role's start-up failed earlier) stops at once.
  Child never;
  t0 = std::chrono::steady_clock::now();
  CHECK(stop_children({&never}, 2s).empty());
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
}

TEST_CASE("children get SIGTERM when the launcher is SIGKILLed", "[child]") {
  TempDir dir;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t launcher = fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {  // a stand-in launcher: starts a child, reports its pid, waits to be killed
    close(fds[0]);
    Child c = Child::spawn("/bin/sleep", {"100"}, dir.log("orphan"));
    pid_t pid = c.pid();
    if (write(fds[1], &pid, sizeof pid) != sizeof pid) _exit(1);
    pause();
    _exit(0);
  }
  close(fds[1]);
  pid_t child = 0;
  REQUIRE(read(fds[0], &child, sizeof child) == sizeof child);
  close(fds[0]);
  auto child_id = shmrl::ProcessId::of(child);
  REQUIRE(child_id.alive());

  kill(launcher, SIGKILL);
  REQUIRE(waitpid(launcher, nullptr, 0) == launcher);
  auto deadline = soon(5s);
  while (child_id.alive() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  CHECK_FALSE(child_id.alive());
}

TEST_CASE("a forced stop SIGKILLs at once instead of waiting out the grace", "[child]") {
  TempDir dir;
  Child stubborn = Child::spawn("/bin/sh", {"-c", "trap '' TERM; sleep 100; sleep 100"}, dir.log("stubborn"));
  std::this_thread::sleep_for(200ms);  // let the shell install its trap
  const auto t0 = std::chrono::steady_clock::now();
  // The second Ctrl-C arrives 300 ms into a 20 s grace.
  auto killed = stop_children({&stubborn}, 20s, [&] { return std::chrono::steady_clock::now() - t0 > 300ms; });
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(killed == std::vector<std::size_t>{0});
  CHECK(describe_wait_status(*stubborn.poll()) == "killed by signal 9 (SIGKILL)");
  CHECK(took >= 300ms);
  CHECK(took < 3s);
}
