// Data-parallel learners in real processes: two forked CPU learners (DQN, SAC, TD3) joined through a
// TCPStore and Gloo, each with its own batch stream, end every update with bit-identical parameters.
#include "tests/learner/helpers.h"

#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>

#include "common/net.h"
#include "learner/distributed.h"
#include "learner/dqn.h"
#include "learner/sac.h"
#include "learner/td3.h"

using namespace shmrl;
using namespace shmrl::learner;
using namespace shmrl::models;
using namespace shmrl::learner::test;

namespace {
constexpr int kSteps = 8;

models::QNetOptions mlp() {
  models::QNetOptions o;
  o.obs_dim = 4;
  o.num_actions = 2;
  o.hidden = {32, 32};
  o.dueling = true;
  return o;
}

// XXH64 over the bytes of every parameter of the trained and target networks.
uint64_t params_hash(Learner& l) {
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  const auto state = l.checkpoint_state();
  for (auto* m : {state.online, state.target})
    for (auto& p : m->parameters()) {
      auto c = p.contiguous();
      XXH64_update(st, c.data_ptr(), c.numel() * c.element_size());
    }
  uint64_t h = XXH64_digest(st);
  XXH64_freeState(st);
  return h;
}

using MakeLearner = std::function<std::unique_ptr<Learner>(ProcessGroup*)>;
using MakeBatch = std::function<Batch(int64_t rows)>;

Batch discrete_batch(int64_t n) {
  Batch b;
  b.obs = torch::randn({n, 4});
  b.next_obs = torch::randn({n, 4});
  b.action = torch::randint(0, 2, {n}, torch::kInt32);
  b.reward = torch::randn({n});
  b.discount = (torch::rand({n}) > 0.1).to(torch::kFloat32) * 0.97;
  b.weights = torch::rand({n});
  return b;
}

// Pendulum-shaped records: 3 observations, one action in [-2, 2].
Batch box_batch(int64_t n) {
  Batch b = discrete_batch(n);
  b.obs = torch::randn({n, 3});
  b.next_obs = torch::randn({n, 3});
  b.action = torch::rand({n, 1}) * 4 - 2;
  return b;
}

ActorCriticOptions ac_options() {
  ActorCriticOptions o;
  o.critic_lr = o.actor_lr = o.alpha_lr = 1e-3;
  o.adam_eps = 1e-8;
  o.grad_clip_norm = 10;
  o.tau = 0.05;
  o.init_alpha = 0.2;
  o.policy_delay = 2;
  o.target_noise = 0.2;
  o.noise_clip = 0.5;
  return o;
}
const models::ActorNetOptions kPendulumNet{3, {-2.0f}, {2.0f}, {32, 32}};

// One learner rank: writes "<hash> <loss>" per update to out_path. Returns the exit status.
int run_rank(int rank, int port, const std::string& out_path, const MakeLearner& make,
             const MakeBatch& batch) {
  try {
    torch::set_num_threads(1);   // forked after the parent used torch: keep the child single-threaded
    torch::manual_seed(1000 + rank);  // different initial weights: the broadcast must fix that
    DistOptions d;
    d.rank = rank;
    d.world_size = 2;
    d.master_port = port;
    d.timeout = std::chrono::seconds(30);
    ProcessGroup group(d, torch::kCPU);
    auto learner = make(&group);
    Learner& l = *learner;
    l.sync_replicas();
    std::ofstream out(out_path);
    out << params_hash(l) << " 0\n";
    torch::manual_seed(77 + rank);  // each rank its own sample stream
    for (int i = 0; i < kSteps; ++i) {
      auto r = l.step(batch(64));
      if (!r.applied) return 3;
      out << params_hash(l) << " " << r.loss() << "\n";
    }
    // A stop vote from rank 1 alone ends the loop on both ranks with no update applied.
    auto h = params_hash(l);
    Batch b = batch(4);
    if (rank == 0) {
      auto r = l.step(b, /*stop=*/false);
      if (r.applied) return 4;
    } else {
      l.stop_round();
    }
    out << (params_hash(l) == h ? "stopped" : "moved") << "\n";
    return out.good() ? 0 : 5;
  } catch (const std::exception& e) {
    std::ofstream(out_path + ".err") << e.what();
    return 2;
  }
}

std::vector<std::string> lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> v;
  for (std::string s; std::getline(in, s);) v.push_back(s);
  return v;
}

void check_two_ranks_identical(const MakeLearner& make, const MakeBatch& batch) {
  TempDir dir;
  const int port = shmrl::pick_free_port();
  std::vector<pid_t> pids;
  for (int rank = 0; rank < 2; ++rank) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) ::_exit(run_rank(rank, port, (dir.path / std::to_string(rank)).string(), make, batch));
    pids.push_back(pid);
  }
  for (int rank = 0; rank < 2; ++rank) {
    int status = 0;
    REQUIRE(::waitpid(pids[rank], &status, 0) == pids[rank]);
    auto err = lines((dir.path / (std::to_string(rank) + ".err")).string());
    INFO("rank " << rank << " error: " << (err.empty() ? "" : err[0]));
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }
  auto r0 = lines((dir.path / "0").string()), r1 = lines((dir.path / "1").string());
  REQUIRE(r0.size() == kSteps + 2);
  REQUIRE(r1.size() == kSteps + 2);
  for (int i = 0; i <= kSteps; ++i) {
    INFO("update " << i);
    auto h0 = r0[i].substr(0, r0[i].find(' ')), h1 = r1[i].substr(0, r1[i].find(' '));
    CHECK(h0 == h1);  // identical parameters on both ranks after every update
    if (i > 0) {
      CHECK(h0 != r0[i - 1].substr(0, r0[i - 1].find(' ')));  // and they did change
      CHECK(r0[i].substr(r0[i].find(' ')) != r1[i].substr(r1[i].find(' ')));  // own batches
    }
  }
  CHECK(r0.back() == "stopped");
  CHECK(r1.back() == "stopped");
}
}  // namespace

TEST_CASE("two Gloo learners in separate processes stay bit-identical", "[learner][distributed]") {
  check_two_ranks_identical(
      [](ProcessGroup* g) {
        DqnOptions o = default_dqn();
        o.target_update_period = 3;
        return std::make_unique<DqnLearner>(qnet_factory(mlp()), o, torch::kCPU, g);
      },
      discrete_batch);
}

TEST_CASE("two Gloo SAC learners stay bit-identical", "[learner][distributed][sac]") {
  check_two_ranks_identical(
      [](ProcessGroup* g) { return std::make_unique<SacLearner>(kPendulumNet, ac_options(), torch::kCPU, g); },
      box_batch);
}

TEST_CASE("two Gloo TD3 learners stay bit-identical", "[learner][distributed][td3]") {
  check_two_ranks_identical(
      [](ProcessGroup* g) { return std::make_unique<Td3Learner>(kPendulumNet, ac_options(), torch::kCPU, g); },
      box_batch);
}

TEST_CASE("joining a group nobody hosts fails at the deadline with the address", "[learner][distributed]") {
  DistOptions d;
  d.rank = 1;
  d.world_size = 2;
  d.master_port = shmrl::pick_free_port();
  d.timeout = std::chrono::milliseconds(1500);
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(ProcessGroup(d, torch::kCPU),
                    Catch::Contains("127.0.0.1:" + std::to_string(d.master_port)));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
}

TEST_CASE("distributed options are validated with the key named", "[learner][distributed]") {
  DistOptions d;
  d.world_size = 2;
  d.master_port = 0;
  CHECK_THROWS_WITH(d.validate(), Catch::Contains("learner.master_port"));
  d.master_port = 1234;
  d.rank = 2;
  CHECK_THROWS_WITH(d.validate(), Catch::Contains("--rank"));
  DistOptions single;  // one learner: no group, no port needed
  CHECK_NOTHROW(ProcessGroup(single, torch::kCPU));
}
