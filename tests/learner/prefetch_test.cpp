// The prefetch thread over real shared-memory batch slots: zero-copy tensors with the written
// values, in sampling order, slots handed back after use, errors and deadlines.
#include "tests/learner/helpers.h"

#include "common/shm/segment.h"
#include "learner/prefetch.h"
#include "tests/learner/batches.h"

using namespace shmrl;
using namespace shmrl::learner;
using namespace shmrl::models;
using namespace shmrl::learner::test;

namespace {
struct Run {
  RunContext ctx{shm::new_run_id(), ProcessId::self(), "."};
  ~Run() { shm::remove_run(ctx.run_id); }
};
}  // namespace

TEST_CASE("prefetched CPU batches are views of the slots, in order, released after use",
          "[learner][prefetch]") {
  Run run;
  const auto schema = cartpole_schema();
  constexpr std::size_t B = 16;
  auto writer = replay::BatchWriter::open_or_create(run.ctx, 0, schema, B, 3, false, 1);
  auto reader = replay::BatchReader::attach(run.ctx, 0, schema, B, deadline_in(std::chrono::seconds(5)));
  BatchPrefetcher prefetch(reader, schema, torch::kCPU, 1);

  uint64_t filled = 0;
  for (uint64_t expect = 1; expect <= 6; ++expect) {
    while (fill_one(writer, schema, B, filled + 1)) ++filled;  // keep every free slot full
    auto b = prefetch.next(deadline_in(std::chrono::seconds(5)));
    REQUIRE(b.has_value());
    CHECK(b->seq == expect);
    REQUIRE(b->batch.obs.sizes() == torch::IntArrayRef({16, 4}));
    CHECK(b->batch.obs.scalar_type() == torch::kFloat32);
    CHECK(b->batch.obs[3][0].item<float>() == static_cast<float>(expect));  // batch `expect`, row 3
    CHECK(b->batch.obs[3][1].item<float>() == 3.0f);
    CHECK(b->batch.next_obs[3][2].item<float>() == Approx(0.6));
    CHECK(b->batch.action.scalar_type() == torch::kInt32);
    CHECK(b->batch.action[3].item<int>() == 1);
    CHECK(b->batch.reward[7].item<float>() == 1.0f);
    CHECK(b->batch.discount[5].item<float>() == 0.0f);
    CHECK(b->batch.discount[6].item<float>() == Approx(0.97));
    CHECK(b->batch.weights[2].item<float>() == Approx(1.0 / 3));
    CHECK(b->keys[9] == expect * 1000 + 9);
    // Zero-copy: the tensor's memory is the slot itself.
    CHECK(b->batch.obs.data_ptr() == static_cast<const void*>(b->view->column(TransitionSchema::kObs)));
    prefetch.done(*b);
  }
  // Drain what is left, then nothing more is published: the deadline is honoured and counted.
  while (auto b = prefetch.next(deadline_in(std::chrono::milliseconds(300)))) prefetch.done(*b);
  const double waited = prefetch.wait_seconds();
  auto t0 = Clock::now();
  CHECK_FALSE(prefetch.next(deadline_in(std::chrono::milliseconds(200))).has_value());
  CHECK(Clock::now() - t0 >= std::chrono::milliseconds(190));
  CHECK(prefetch.wait_seconds() >= waited + 0.19);
}

TEST_CASE("batch_from_bytes views columns on any tensor without copying", "[learner][prefetch]") {
  const auto schema = cartpole_schema();
  BatchLayout layout(schema, 4);
  auto bytes = torch::zeros({static_cast<int64_t>(layout.bytes())}, torch::kUInt8);
  auto w = torch::ones({4});
  Batch b = batch_from_bytes(bytes, layout, schema, w);
  b.reward.fill_(2.5f);
  auto again = batch_from_bytes(bytes, layout, schema, w);
  CHECK(again.reward.sum().item<float>() == 10.0f);
  CHECK(again.obs.sizes() == torch::IntArrayRef({4, 4}));
  CHECK(again.obs.sum().item<float>() == 0.0f);  // other columns untouched
}
