// Data-parallel learners in real processes: two forked CPU learners joined through a TCPStore and
// Gloo, each with its own batch stream, end every update with bit-identical parameters.
#include "tests/learner/helpers.h"

#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <chrono>
#include <fstream>

#include "common/net.h"
#include "learner/distributed.h"
#include "learner/dqn.h"

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

// XXH64 over the bytes of every parameter of online and target networks.
uint64_t params_hash(DqnLearner& l) {
  XXH64_state_t* st = XXH64_createState();
  XXH64_reset(st, 0);
  for (auto* m : {l.online().module.get(), l.target().module.get()})
    for (auto& p : m->parameters()) {
      auto c = p.contiguous();
      XXH64_update(st, c.data_ptr(), c.numel() * c.element_size());
    }
  uint64_t h = XXH64_digest(st);
  XXH64_freeState(st);
  return h;
}

// One learner rank: writes "<hash> <loss>" per update to out_path. Returns the exit status.
int run_rank(int rank, int port, const std::string& out_path) {
  try {
    torch::set_num_threads(1);   // forked after the parent used torch: keep the child single-threaded
    torch::manual_seed(1000 + rank);  // different initial weights: the broadcast must fix that
    DistOptions d;
    d.rank = rank;
    d.world_size = 2;
    d.master_port = port;
    d.timeout = std::chrono::seconds(30);
    ProcessGroup group(d, torch::kCPU);
    DqnOptions o = default_dqn();
    o.target_update_period = 3;
    DqnLearner l(qnet_factory(mlp()), o, torch::kCPU, &group);
    l.sync_replicas();
    std::ofstream out(out_path);
    out << params_hash(l) << " 0\n";
    torch::manual_seed(77 + rank);  // each rank its own sample stream
    for (int i = 0; i < kSteps; ++i) {
      Batch b;
      b.obs = torch::randn({64, 4});
      b.next_obs = torch::randn({64, 4});
      b.action = torch::randint(0, 2, {64}, torch::kInt32);
      b.reward = torch::randn({64});
      b.discount = (torch::rand({64}) > 0.1).to(torch::kFloat32) * 0.97;
      b.weights = torch::rand({64});
      auto r = l.step(b);
      if (!r.applied) return 3;
      out << params_hash(l) << " " << r.loss() << "\n";
    }
    // A stop vote from rank 1 alone ends the loop on both ranks with no update applied.
    auto h = params_hash(l);
    Batch b;
    b.obs = b.next_obs = torch::zeros({4, 4});
    b.action = torch::zeros({4}, torch::kInt32);
    b.reward = b.discount = b.weights = torch::ones({4});
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
}  // namespace

TEST_CASE("two Gloo learners in separate processes stay bit-identical", "[learner][distributed]") {
  TempDir dir;
  const int port = shmrl::pick_free_port();
  std::vector<pid_t> pids;
  for (int rank = 0; rank < 2; ++rank) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) ::_exit(run_rank(rank, port, (dir.path / std::to_string(rank)).string()));
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
