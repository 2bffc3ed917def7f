// StallWatch: a stats block that stops changing is reported once past warn_s and once past kill_s;
// any change, or a new pid (a restart), starts afresh; forgotten processes are not reported.
#include "launch/stall.h"

#include <catch2/catch.hpp>

using namespace shmrl::launch;

TEST_CASE("a process whose stats stop changing is warned about, then marked for a kill, once each", "[stall]") {
  StallWatch w({.warn_s = 2, .kill_s = 5});
  StatMap a{{"pid", 10}, {"updates", 1}};
  w.observe("learner0", a, 0);
  w.observe("actor0", {{"pid", 11}, {"env_steps", 1}}, 0);
  for (double t = 1; t <= 6; t += 1) {
    w.observe("learner0", a, t);  // unchanged
    w.observe("actor0", {{"pid", 11}, {"env_steps", t}}, t);  // moving
    const auto s = w.stalled(t);
    if (t < 2) {
      CHECK(s.empty());
      continue;
    }
    REQUIRE(s.size() == 1);
    CHECK(s[0].name == "learner0");
    CHECK(s[0].for_s == t);
    CHECK(s[0].warn == (t == 2));
    CHECK(s[0].kill == (t == 5));
  }
  CHECK(stall_note(w.stalled(6)) == " | stalled learner0 6 s");
  // A restart publishes a new pid: no longer stalled.
  w.observe("learner0", {{"pid", 12}, {"updates", 1}}, 7);
  CHECK(w.stalled(7).empty());
  CHECK(w.stalled(9.5).size() == 2);  // both: actor0 has not moved since 6 s either
  w.forget("learner0");
  CHECK(w.stalled(100).size() == 1);  // actor0, last seen moving at 6 s
  CHECK(w.stalled(100)[0].name == "actor0");
}

TEST_CASE("zero limits never report a stall, and a process not seen yet is never stalled", "[stall]") {
  StallWatch w({.warn_s = 0, .kill_s = 0});
  w.observe("replay", {{"pid", 3}}, 0);
  w.observe("actor0", {}, 0);
  CHECK(w.stalled(1e6).empty());
  CHECK(stall_note({}).empty());
}
