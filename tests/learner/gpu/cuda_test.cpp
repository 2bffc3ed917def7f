// The learner on CUDA: same update as on CPU, the prefetch path straight from page-locked slots on a side
// stream, checkpoints across devices, and the NCCL backend. Skipped (ctest: "Skipped") without CUDA.
#include "tests/learner/helpers.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "common/net.h"
#include "common/shm/segment.h"
#include "learner/backends.h"
#include "learner/checkpoint.h"
#include "learner/distributed.h"
#include "learner/dqn.h"
#include "learner/prefetch.h"
#include "tests/learner/batches.h"
#include "tests/learner/gpu/require_cuda.h"

using namespace shmrl;
using namespace shmrl::learner;
using namespace shmrl::models;
using namespace shmrl::learner::test;

namespace {
models::QNetOptions mlp() {
  models::QNetOptions o;
  o.obs_dim = 4;
  o.num_actions = 2;
  o.hidden = {64, 64};
  o.dueling = true;
  return o;
}

Batch random_batch(int64_t b, torch::Device d) {
  torch::manual_seed(9);
  Batch x;
  x.obs = torch::randn({b, 4}).to(d);
  x.next_obs = torch::randn({b, 4}).to(d);
  x.action = torch::randint(0, 2, {b}, torch::kInt32).to(d);
  x.reward = torch::randn({b}).to(d);
  x.discount = torch::full({b}, 0.97f).to(d);
  x.weights = torch::rand({b}).to(d);
  return x;
}
}  // namespace

TEST_CASE("a CUDA update matches the CPU update", "[learner][gpu]") {
  REQUIRE_CUDA_OR_SKIP();
  torch::manual_seed(1);
  DqnLearner cpu(qnet_factory(mlp()), default_dqn(), torch::kCPU);
  DqnLearner gpu(qnet_factory(mlp()), default_dqn(), torch::Device(torch::kCUDA, 0));
  copy_networks(cpu, gpu);  // online and target: the update reads both
  for (int i = 0; i < 3; ++i) {
    auto rc = cpu.step(random_batch(256, torch::kCPU));
    auto rg = gpu.step(random_batch(256, torch::Device(torch::kCUDA, 0)));
    CHECK(rg.loss() == Approx(rc.loss()).epsilon(1e-3));
    CHECK(torch::allclose(rg.td_abs(), rc.td_abs(), 1e-3, 1e-4));
  }
  auto pc = cpu.online().module->parameters(), pg = gpu.online().module->parameters();
  for (std::size_t i = 0; i < pc.size(); ++i) CHECK(torch::allclose(pg[i].cpu(), pc[i], 1e-3, 1e-4));
}

TEST_CASE("CUDA prefetch: side-stream copies straight from the page-locked slots, in order",
          "[learner][gpu]") {
  REQUIRE_CUDA_OR_SKIP();
  struct Run {
    RunContext ctx{shm::new_run_id(), ProcessId::self(), "."};
    ~Run() { shm::remove_run(ctx.run_id); }
  } run;
  const auto schema = cartpole_schema();
  constexpr std::size_t B = 64;
  auto writer = replay::BatchWriter::open_or_create(run.ctx, 0, schema, B, 3, false, 1);
  auto reader = replay::BatchReader::attach(run.ctx, 0, schema, B, deadline_in(std::chrono::seconds(5)));
  BatchPrefetcher prefetch(reader, schema, torch::Device(torch::kCUDA, 0), 2);
  CHECK(prefetch.direct());  // cudaHostRegister took the slot segment: no staging copy
  uint64_t filled = 0;
  for (uint64_t expect = 1; expect <= 20; ++expect) {
    while (fill_one(writer, schema, B, filled + 1)) ++filled;
    auto b = prefetch.next(deadline_in(std::chrono::seconds(5)));
    REQUIRE(b.has_value());
    CHECK(b->seq == expect);
    CHECK(b->batch.obs.is_cuda());
    CHECK_FALSE(b->view.has_value());  // the prefetch thread hands the slot back after the copy
    // Values read on the training stream, after the event: the copy is complete.
    CHECK(b->batch.obs[5][0].item<float>() == static_cast<float>(expect));
    CHECK(b->batch.obs[5][1].item<float>() == 5.0f);
    CHECK(b->batch.action[5].item<int>() == 1);
    CHECK(b->batch.weights[2].item<float>() == Approx(1.0 / 3));
    CHECK(b->keys[7] == expect * 1000 + 7);
    prefetch.done(*b);
  }
}

TEST_CASE("a checkpoint written from CUDA loads on CPU", "[learner][gpu]") {
  REQUIRE_CUDA_OR_SKIP();
  TempDir dir;
  DqnLearner gpu(qnet_factory(mlp()), default_dqn(), torch::Device(torch::kCUDA, 0));
  gpu.step(random_batch(64, torch::Device(torch::kCUDA, 0)));
  const CheckpointMeta meta{"CartPole-v1", qnet_arch(mlp()), {}};
  auto path = save_checkpoint(dir.str(), meta, {gpu.updates(), 0}, gpu.checkpoint_state());
  // What shmrl eval does first: the meta, tensors mapped to the CPU.
  auto [peeked, counters] = peek_checkpoint(path);
  CHECK(peeked.arch == meta.arch);
  CHECK(counters.updates == gpu.updates());
  DqnLearner cpu(qnet_factory(mlp()), default_dqn(), torch::kCPU);
  load_checkpoint(path, meta, cpu.checkpoint_state());
  auto pc = cpu.online().module->parameters(), pg = gpu.online().module->parameters();
  for (std::size_t i = 0; i < pc.size(); ++i) CHECK(torch::equal(pg[i].cpu(), pc[i]));
  // And the optimizer state came along: one more identical step on both stays close.
  cpu.step(random_batch(64, torch::kCPU));
  gpu.step(random_batch(64, torch::Device(torch::kCUDA, 0)));
  pc = cpu.online().module->parameters();
  for (std::size_t i = 0; i < pc.size(); ++i) CHECK(torch::allclose(pg[i].cpu(), pc[i], 1e-3, 1e-4));
}

TEST_CASE("the NCCL backend all-reduces on the GPU", "[learner][gpu]") {
  REQUIRE_CUDA_OR_SKIP();
#ifndef SHMRL_WITH_NCCL
  FAIL("CUDA is available but this build has no NCCL backend (nccl.h not found at configure time)");
#else
  // One rank: NCCL refuses two ranks on one GPU, and this machine may have only one.
  c10d::TCPStoreOptions so;
  so.port = static_cast<uint16_t>(shmrl::pick_free_port());
  so.isServer = true;
  so.numWorkers = 1;
  auto store = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", so);
  auto backend = shmrl::learner::detail::make_nccl_backend(store, 0, 1, std::chrono::seconds(60), 0);
  std::vector<torch::Tensor> t{torch::arange(8, torch::kFloat32).cuda()};
  backend->allreduce(t)->wait();
  CHECK(torch::equal(t[0].cpu(), torch::arange(8, torch::kFloat32)));
#endif
}
