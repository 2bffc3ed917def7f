// Checkpoints: round trip of networks, optimizer state and counters; atomic files and retention;
// refusal of missing, truncated, corrupt and mismatched files; the Python export.
#include "tests/learner/helpers.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "learner/atomic_file.h"
#include "learner/checkpoint.h"
#include "learner/dqn.h"

using namespace shmrl;
using namespace shmrl::learner;
using namespace shmrl::models;
using namespace shmrl::learner::test;
namespace fs = std::filesystem;

namespace {
models::QNetOptions mlp(std::vector<int64_t> hidden = {8, 8}) {
  models::QNetOptions o;
  o.obs_dim = 4;
  o.num_actions = 2;
  o.hidden = std::move(hidden);
  o.dueling = true;
  return o;
}

Batch batch(uint64_t seed) {
  torch::manual_seed(seed);
  Batch x;
  x.obs = torch::randn({16, 4});
  x.next_obs = torch::randn({16, 4});
  x.action = torch::randint(0, 2, {16}, torch::kInt32);
  x.reward = torch::randn({16});
  x.discount = torch::full({16}, 0.9f);
  x.weights = torch::ones({16});
  return x;
}

bool equal_modules(const torch::nn::Module& a, const torch::nn::Module& b) {
  auto pa = a.parameters(), pb = b.parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (!torch::equal(pa[i], pb[i])) return false;
  return true;
}

DqnOptions opts() {
  DqnOptions o = default_dqn();
  o.target_update_period = 2;
  return o;
}

CheckpointMeta meta_of(const models::QNetOptions& o) { return {"CartPole-v1", qnet_arch(o), {}}; }
}  // namespace

TEST_CASE("checkpoint round trip restores networks, optimizer and counters", "[learner][checkpoint]") {
  TempDir dir;
  torch::manual_seed(1);
  DqnLearner a(qnet_factory(mlp()), opts(), torch::kCPU);
  for (int i = 0; i < 3; ++i) a.step(batch(100 + i));  // target differs from online after 3
  REQUIRE_FALSE(equal_modules(*a.online().module, *a.target().module));
  auto path = save_checkpoint(dir.str(), meta_of(mlp()), {a.updates(), 4242}, a.checkpoint_state());
  CHECK(path == checkpoint_path(dir.str(), 3));
  CHECK(latest_checkpoint(dir.str()) == path);

  torch::manual_seed(2);  // different initial weights
  DqnLearner b(qnet_factory(mlp()), opts(), torch::kCPU);
  REQUIRE_FALSE(equal_modules(*a.online().module, *b.online().module));
  auto counters = load_checkpoint(path, meta_of(mlp()), b.checkpoint_state());
  CHECK(counters.updates == 3);
  CHECK(counters.env_steps == 4242);
  CHECK(equal_modules(*a.online().module, *b.online().module));
  CHECK(equal_modules(*a.target().module, *b.target().module));
  b.set_updates(counters.updates);

  // Same optimizer state: the next update is bit-identical (Adam moments and step count restored).
  a.step(batch(7));
  b.step(batch(7));
  CHECK(equal_modules(*a.online().module, *b.online().module));
  CHECK(equal_modules(*a.target().module, *b.target().module));  // update 4 refreshed both

  auto [m, c] = peek_checkpoint(path);
  CHECK(m == meta_of(mlp()));
  CHECK(c.updates == 3);

  // The run's env kwargs travel with the checkpoint (for evaluation).
  CheckpointMeta with_kwargs = meta_of(mlp());
  with_kwargs.env_kwargs = {{"sutton_barto_reward", "true"}, {"x", "1.5"}};
  const TempDir other;
  const auto kw_path = save_checkpoint(other.str(), with_kwargs, {3, 0}, a.checkpoint_state());
  CHECK(peek_checkpoint(kw_path).first == with_kwargs);
  CHECK(load_checkpoint(kw_path, meta_of(mlp()), b.checkpoint_state()).updates == 3);
}

TEST_CASE("checkpoints are written atomically and only the newest are kept", "[learner][checkpoint]") {
  TempDir dir;
  DqnLearner a(qnet_factory(mlp()), opts(), torch::kCPU);
  for (uint64_t u : {5, 10, 15, 20}) save_checkpoint(dir.str(), meta_of(mlp()), {u, 0}, a.checkpoint_state(), 2);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"ckpt-000000000015.pt", "ckpt-000000000020.pt"});  // no .tmp
  CHECK(latest_checkpoint(dir.str()) == checkpoint_path(dir.str(), 20));
  CHECK_FALSE(latest_checkpoint((dir.path / "nothing").string()).has_value());
}

TEST_CASE("a checkpoint write removes the temporary files of writers killed mid-write, not a live one's",
          "[learner][checkpoint]") {
  TempDir dir;
  DqnLearner a(qnet_factory(mlp()), opts(), torch::kCPU);
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  REQUIRE(dead > 0);
  REQUIRE(waitpid(dead, nullptr, 0) == dead);
  const std::string killed = checkpoint_path(dir.str(), 3) + ".tmp." + std::to_string(dead);
  const std::string live = checkpoint_path(dir.str(), 4) + ".tmp." + std::to_string(getppid());
  write_file_atomic(killed, "half a checkpoint");
  write_file_atomic(live, "being written");
  save_checkpoint(dir.str(), meta_of(mlp()), {5, 0}, a.checkpoint_state());
  CHECK_FALSE(fs::exists(killed));
  CHECK(fs::exists(live));
  CHECK(latest_checkpoint(dir.str()) == checkpoint_path(dir.str(), 5));
}

TEST_CASE("missing, truncated, corrupt and mismatched checkpoints are refused", "[learner][checkpoint]") {
  TempDir dir;
  DqnLearner a(qnet_factory(mlp()), opts(), torch::kCPU);
  auto good = save_checkpoint(dir.str(), meta_of(mlp()), {1, 0}, a.checkpoint_state());
  const std::string bytes = read_file(good);

  CHECK_THROWS_WITH(load_checkpoint((dir.path / "nope.pt").string(), meta_of(mlp()), a.checkpoint_state()),
                    Catch::Contains("does not exist"));

  auto truncated = (dir.path / "truncated.pt").string();
  write_file_atomic(truncated, std::string_view(bytes).substr(0, bytes.size() / 2));
  CHECK_THROWS_AS(load_checkpoint(truncated, meta_of(mlp()), a.checkpoint_state()), CheckpointError);
  CHECK_THROWS_WITH(load_checkpoint(truncated, meta_of(mlp()), a.checkpoint_state()),
                    Catch::Contains("truncated"));

  auto corrupt = (dir.path / "corrupt.pt").string();
  std::string flipped = bytes;
  flipped[flipped.size() / 3] ^= 0x5a;
  write_file_atomic(corrupt, flipped);
  CHECK_THROWS_WITH(load_checkpoint(corrupt, meta_of(mlp()), a.checkpoint_state()),
                    Catch::Contains("corrupt"));

  auto empty = (dir.path / "empty.pt").string();
  write_file_atomic(empty, "");
  CHECK_THROWS_AS(load_checkpoint(empty, meta_of(mlp()), a.checkpoint_state()), CheckpointError);

  // Another architecture: refused before any tensor is touched.
  DqnLearner wide(qnet_factory(mlp({16})), opts(), torch::kCPU);
  auto before = wide.online().module->parameters()[0].clone();
  CHECK_THROWS_WITH(load_checkpoint(good, meta_of(mlp({16})), wide.checkpoint_state()),
                    Catch::Contains("hidden=8,8") && Catch::Contains("hidden=16"));
  CHECK(torch::equal(before, wide.online().module->parameters()[0]));

  // Another env.
  CHECK_THROWS_WITH(load_checkpoint(good, {"Acrobot-v1", qnet_arch(mlp()), {}}, a.checkpoint_state()),
                    Catch::Contains("CartPole-v1") && Catch::Contains("Acrobot-v1"));

  // The intact file still loads.
  CHECK_NOTHROW(load_checkpoint(good, meta_of(mlp()), a.checkpoint_state()));
}

TEST_CASE("the Python export is a pickled dict of the online network's tensors", "[learner][export]") {
  TempDir dir;
  DqnLearner a(qnet_factory(mlp()), opts(), torch::kCPU);
  auto path = (dir.path / "policy.pt").string();
  export_state_dict(path, *a.online().module);
  std::string bytes = read_file(path);
  auto loaded = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
  auto named = a.online().module->named_parameters();
  CHECK(loaded.size() == named.size());
  for (const auto& p : named) {
    INFO(p.key());
    REQUIRE(loaded.contains(p.key()));
    CHECK(torch::equal(loaded.at(p.key()).toTensor(), p.value()));
  }
}

TEST_CASE("QNet architecture strings round-trip", "[learner][checkpoint]") {
  auto o = mlp({64, 32});
  auto parsed = parse_qnet_arch(qnet_arch(o));
  REQUIRE(parsed.has_value());
  CHECK(parsed->hidden == o.hidden);
  CHECK(parsed->obs_dim == 4);
  CHECK(parsed->dueling);
  CHECK_FALSE(parse_qnet_arch("nature_cnn channels=4 actions=18 dueling=1").has_value());
  CHECK_FALSE(parse_qnet_arch("qnet obs_dim=x actions=2 hidden= dueling=1").has_value());
  auto linear = mlp({});
  CHECK(parse_qnet_arch(qnet_arch(linear))->hidden.empty());
}
