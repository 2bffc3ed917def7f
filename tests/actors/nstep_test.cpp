// n-step records against episodes computed by hand (n = 3, gamma = 0.9): one ending by
// termination, one by truncation, one shorter than n, and autoreset boundaries between them.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "actors/nstep.h"

using namespace shmrl;
using namespace shmrl::actors;

namespace {

// Observations are one float (the value tells which step it is), actions Discrete(4).
TransitionSchema scalar_schema() {
  return TransitionSchema(Space::box({1}, {-1e9f}, {1e9f}), Space::discrete(4));
}

struct VectorSink final : RecordSink {
  explicit VectorSink(std::size_t bytes) : bytes(bytes) {}
  std::byte* next_record() override {
    records.emplace_back(bytes);
    return records.back().data();
  }
  std::size_t bytes;
  std::vector<std::vector<std::byte>> records;
};

struct Rec {
  float obs, next_obs, reward, discount;
  int32_t action;
  uint64_t version;
  uint32_t actor;
};

Rec read(const TransitionSchema& s, const std::vector<std::byte>& r) {
  const TransitionRef t = s.unpack(r.data());
  Rec out;
  std::memcpy(&out.obs, t.obs, 4);
  std::memcpy(&out.next_obs, t.next_obs, 4);
  std::memcpy(&out.action, t.action, 4);
  out.reward = t.reward;
  out.discount = t.discount;
  out.version = t.policy_version;
  out.actor = t.actor_id;
  return out;
}

// Feeds one step of env e: action = step index % 4, version = 100 + global step counter.
std::size_t feed(NStepBuilder& b, VectorSink& sink, std::size_t e, int t, float reward,
                 float next_obs, bool term, bool trunc, uint64_t version) {
  const int32_t action = t % 4;
  return b.step(e, reinterpret_cast<const std::byte*>(&action), reward, term, trunc,
                reinterpret_cast<const std::byte*>(&next_obs), version, sink);
}

void begin(NStepBuilder& b, std::size_t e, float obs) {
  b.begin(e, reinterpret_cast<const std::byte*>(&obs));
}

void check(const Rec& r, float obs, float next_obs, double reward, double discount, int32_t action,
           uint64_t version) {
  CHECK(r.obs == obs);
  CHECK(r.next_obs == next_obs);
  CHECK(r.reward == Approx(reward).epsilon(1e-6));
  CHECK(r.discount == Approx(discount).margin(1e-7));
  CHECK(r.action == action);
  CHECK(r.version == version);
  CHECK(r.actor == 7u);
}

}  // namespace

TEST_CASE("n-step records of a terminated episode", "[nstep]") {
  const auto schema = scalar_schema();
  NStepBuilder b(schema, 1, {3, 0.9, 7});
  VectorSink sink(schema.record_bytes());
  // Episode: o0..o5 = 0..5, rewards 1..5, terminates on the 5th step (o5 is the final obs).
  begin(b, 0, 0.f);
  const float rewards[] = {1, 2, 3, 4, 5};
  std::vector<std::size_t> emitted;
  for (int t = 0; t < 5; ++t)
    emitted.push_back(feed(b, sink, 0, t, rewards[t], float(t + 1), t == 4, false, 100 + t));
  CHECK(emitted == std::vector<std::size_t>{0, 0, 1, 1, 3});
  REQUIRE(sink.records.size() == 5);
  std::vector<Rec> r;
  for (const auto& rec : sink.records) r.push_back(read(schema, rec));
  // t=0: 1 + .9*2 + .81*3 = 5.23, bootstraps from o3 with .9^3 = .729
  check(r[0], 0, 3, 5.23, 0.729, 0, 100);
  // t=1: 2 + .9*3 + .81*4 = 7.94, from o4
  check(r[1], 1, 4, 7.94, 0.729, 1, 101);
  // t=2..4 end in the terminal state: discount 0, next_obs the final o5.
  check(r[2], 2, 5, 3 + 0.9 * 4 + 0.81 * 5, 0, 2, 102);  // 10.65
  check(r[3], 3, 5, 4 + 0.9 * 5, 0, 3, 103);             // 8.5
  check(r[4], 4, 5, 5, 0, 0, 104);
  CHECK(b.pending(0) == 0);
}

TEST_CASE("n-step records of a truncated episode keep gamma^k", "[nstep]") {
  const auto schema = scalar_schema();
  NStepBuilder b(schema, 1, {3, 0.9, 7});
  VectorSink sink(schema.record_bytes());
  // Episode: o0..o4 = 10..14, rewards 1, -1, 2, 0.5, truncated on the 4th step.
  begin(b, 0, 10.f);
  const float rewards[] = {1, -1, 2, 0.5};
  for (int t = 0; t < 4; ++t) feed(b, sink, 0, t, rewards[t], float(11 + t), false, t == 3, 200 + t);
  REQUIRE(sink.records.size() == 4);
  std::vector<Rec> r;
  for (const auto& rec : sink.records) r.push_back(read(schema, rec));
  check(r[0], 10, 13, 1 - 0.9 + 0.81 * 2, 0.729, 0, 200);     // 1.72
  check(r[1], 11, 14, -1 + 0.9 * 2 + 0.81 * 0.5, 0.729, 1, 201);  // 1.205
  check(r[2], 12, 14, 2 + 0.9 * 0.5, 0.81, 2, 202);            // 2.45, two steps to o4
  check(r[3], 13, 14, 0.5, 0.9, 3, 203);                       // one step to o4
}

TEST_CASE("episodes shorter than n, back to back, never mix", "[nstep]") {
  const auto schema = scalar_schema();
  NStepBuilder b(schema, 2, {3, 0.9, 7});
  VectorSink sink(schema.record_bytes());
  // Env 0: episode A (2 steps, terminated), autoreset, episode B (1 step, truncated).
  // Env 1, interleaved: one episode, still running at the end with 2 steps pending.
  begin(b, 0, 0.f);
  begin(b, 1, 50.f);
  CHECK(feed(b, sink, 0, 0, 3, 1, false, false, 1) == 0);
  CHECK(feed(b, sink, 1, 0, 10, 51, false, false, 1) == 0);
  CHECK(feed(b, sink, 0, 1, 4, 2, true, false, 2) == 2);  // A ends: o2 final
  begin(b, 0, 20.f);                                       // autoreset: B starts at 20
  CHECK(feed(b, sink, 1, 1, 20, 52, false, false, 2) == 0);
  CHECK(feed(b, sink, 0, 0, 7, 21, false, true, 3) == 1);  // B truncated after one step
  CHECK(feed(b, sink, 1, 2, 30, 53, false, false, 3) == 1);
  CHECK(feed(b, sink, 1, 3, 40, 54, false, false, 4) == 1);
  REQUIRE(sink.records.size() == 5);
  std::vector<Rec> r;
  for (const auto& rec : sink.records) r.push_back(read(schema, rec));
  check(r[0], 0, 2, 3 + 0.9 * 4, 0, 0, 1);   // 6.6, terminated
  check(r[1], 1, 2, 4, 0, 1, 2);
  check(r[2], 20, 21, 7, 0.9, 0, 3);        // B: only its own step, truncated -> .9
  check(r[3], 50, 53, 10 + 0.9 * 20 + 0.81 * 30, 0.729, 0, 1);  // 52.3
  check(r[4], 51, 54, 20 + 0.9 * 30 + 0.81 * 40, 0.729, 1, 2);  // 79.4
  CHECK(b.pending(0) == 0);
  CHECK(b.pending(1) == 2);
}

TEST_CASE("n = 1 records are one-step transitions", "[nstep]") {
  const auto schema = scalar_schema();
  NStepBuilder b(schema, 1, {1, 0.5, 7});
  VectorSink sink(schema.record_bytes());
  begin(b, 0, 0.f);
  CHECK(feed(b, sink, 0, 0, 2, 1, false, false, 9) == 1);
  CHECK(feed(b, sink, 0, 1, 3, 2, true, false, 9) == 1);
  check(read(schema, sink.records[0]), 0, 1, 2, 0.5, 0, 9);
  check(read(schema, sink.records[1]), 1, 2, 3, 0, 1, 9);
}

TEST_CASE("n-step builder refuses misuse", "[nstep]") {
  const auto schema = scalar_schema();
  CHECK_THROWS_AS(NStepBuilder(schema, 1, {0, 0.9, 0}), std::invalid_argument);
  CHECK_THROWS_AS(NStepBuilder(schema, 1, {3, 1.5, 0}), std::invalid_argument);
  CHECK_THROWS_AS(NStepBuilder(schema, 0, {3, 0.9, 0}), std::invalid_argument);
  NStepBuilder b(schema, 1, {3, 0.9, 7});
  VectorSink sink(schema.record_bytes());
  CHECK_THROWS_AS(feed(b, sink, 0, 0, 1, 1, false, false, 0), std::logic_error);  // no begin
  begin(b, 0, 0.f);
  CHECK_THROWS_AS(begin(b, 0, 0.f), std::logic_error);  // episode still running
  feed(b, sink, 0, 0, 1, 1, true, false, 0);
  CHECK_THROWS_AS(feed(b, sink, 0, 1, 1, 1, false, false, 0), std::logic_error);  // ended
}
