// Segments: naming, exclusive 0600 creation, open/exists, and stale-run cleanup with real processes.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>

#include "common/proc.h"
#include "common/shm/segment.h"
#include "tests/common/shm_test_util.h"

using namespace shmrl;

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

mode_t file_mode(const std::string& shm_name) {
  struct stat st {};
  REQUIRE(::stat(("/dev/shm" + shm_name).c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("segment: names and run ids are validated", "[segment]") {
  const std::string id = shm::new_run_id();
  CHECK(id.find_first_not_of("0123456789abcdef-") == std::string::npos);
  CHECK(shm::segment_name(id, "actor0-ring") == "/shmrl." + id + ".actor0-ring");
  CHECK_THROWS_WITH(shm::segment_name(id, "a.b"), Catch::Contains("[A-Za-z0-9_-]"));
  CHECK_THROWS_AS(shm::segment_name("", "x"), std::invalid_argument);
  CHECK_THROWS_AS(shm::segment_name("a/b", "x"), std::invalid_argument);
}

TEST_CASE("segment: created exclusively with mode 0600, zeroed, aligned, shared", "[segment]") {
  test::RunGuard run;
  const mode_t old_umask = ::umask(0);  // the mode must not depend on the umask
  auto seg = shm::Segment::create(run.id, "data", 10000);
  ::umask(old_umask);
  CHECK(file_mode(seg.name()) == 0600);
  CHECK(seg.size() >= 10000);
  CHECK(reinterpret_cast<uintptr_t>(seg.data()) % 64 == 0);
  CHECK(std::all_of(seg.data(), seg.data() + seg.size(), [](std::byte b) { return b == std::byte{0}; }));
  CHECK(seg.owner() == ProcessId::self());
  CHECK(shm::Segment::exists(run.id, "data"));
  CHECK_FALSE(shm::Segment::exists(run.id, "nope"));
  CHECK_THROWS_WITH(shm::Segment::create(run.id, "data", 10), Catch::Contains("already exists"));
  CHECK_THROWS_AS(shm::Segment::open(run.id, "nope"), std::runtime_error);

  seg.data()[123] = std::byte{42};
  const pid_t child = test::fork_child([&] {
    auto again = shm::Segment::open(run.id, "data");
    if (again.data()[123] != std::byte{42} || again.size() != seg.size()) return 1;
    again.data()[124] = std::byte{43};
    return 0;
  });
  CHECK(test::wait_child(child) == 0);
  CHECK(seg.data()[124] == std::byte{43});
  CHECK(shm::list_segments(run.id) == std::vector<std::string>{"shmrl." + run.id + ".data"});
  seg.unlink();
  seg.unlink();  // idempotent
  CHECK_FALSE(shm::Segment::exists(run.id, "data"));
  CHECK(seg.data()[124] == std::byte{43});  // still mapped
}

TEST_CASE("segment: a SIGKILLed run's segments are removed, a live run's are kept", "[segment]") {
  test::RunGuard dead_run, live_run, headerless_run;
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t owner = test::fork_child([&] {
    shm::Segment::create(dead_run.id, "a", 4096);
    shm::Segment::create(dead_run.id, "b", 4096);
    const char c = 1;
    if (::write(ready[1], &c, 1) != 1) return 1;
    ::pause();  // until SIGKILLed
    return 0;
  });
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  ::close(ready[1]);
  auto live = shm::Segment::create(live_run.id, "x", 4096);
  // While the child lives, its segments survive a cleanup.
  CHECK_FALSE(contains(shm::remove_stale_segments(), "shmrl." + dead_run.id + ".a"));
  CHECK(shm::list_segments(dead_run.id).size() == 2);

  // Headerless segments (creator killed mid-create): removed once older than a minute only.
  auto make_headerless = [&](const std::string& name, bool old) {
    const std::string n = shm::segment_name(headerless_run.id, name);
    const int fd = ::shm_open(n.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, 4096) == 0);
    if (old) {
      const timeval past[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
      REQUIRE(::futimes(fd, past) == 0);
    }
    ::close(fd);
  };
  make_headerless("old", true);
  make_headerless("fresh", false);

  ::kill(owner, SIGKILL);
  CHECK(test::wait_child(owner) == 128 + SIGKILL);
  const auto removed = shm::remove_stale_segments();
  CHECK(contains(removed, "shmrl." + dead_run.id + ".a"));
  CHECK(contains(removed, "shmrl." + dead_run.id + ".b"));
  CHECK(contains(removed, "shmrl." + headerless_run.id + ".old"));
  CHECK(shm::list_segments(dead_run.id).empty());
  CHECK(shm::list_segments(live_run.id).size() == 1);
  CHECK(shm::list_segments(headerless_run.id) ==
        std::vector<std::string>{"shmrl." + headerless_run.id + ".fresh"});
  CHECK(file_mode(live.name()) == 0600);
  CHECK(shm::remove_run(headerless_run.id) == 1);
}
