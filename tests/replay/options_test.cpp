#include <catch2/catch.hpp>

#include <string>

#include "replay/options.h"
#include "tests/replay/helpers.h"

using namespace shmrl::replay;
using Catch::Matchers::Contains;

namespace {
std::string with_replay(const std::string& replay_lines, const std::string& extra = "") {
  return "[run]\nactors = 2\nlearners = 1\n[learner]\nbatch_size = 256\n" + extra + "[replay]\n" +
         replay_lines;
}
}  // namespace

TEST_CASE("options: the shipped CartPole config parses and validates") {
  const auto o = load_replay_options(std::string(SHMRL_TEST_DATA_DIR) + "/../../configs/cartpole.toml");
  CHECK(o.env_id == "CartPole-v1");
  o.validate_for(test::cartpole_schema());
}

TEST_CASE("options: every key is read from its section (none left at its default)") {
  const auto o = parse_replay_options(R"(
[run]
actors = 3
learners = 2
seed = 17
[env]
id = "LunarLander-v3"
[actor]
ring_capacity = 4096
[learner]
batch_size = 64
[replay]
capacity = 5000
selector = "uniform"
alpha = 0.7
beta = 0.5
beta_anneal_samples = 0
min_size_to_sample = 100
samples_per_insert = 2.5
error_buffer = 300.0
batch_slots = 4
priority_ring_capacity = 8192
initial_max_priority = 2.0
checkpoint_period_s = 30.0
checkpoint_on_exit = true
restore_from = "/tmp/x.ckpt"
)");
  CHECK(o.actors == 3);
  CHECK(o.learners == 2);
  CHECK(o.seed == 17);
  CHECK(o.env_id == "LunarLander-v3");
  CHECK(o.ring_capacity == 4096);
  CHECK(o.batch_size == 64);
  CHECK(o.capacity == 5000);
  CHECK(o.selector == SelectorKind::Uniform);
  CHECK(o.alpha == 0.7);
  CHECK(o.beta == 0.5);
  CHECK(o.beta_anneal_samples == 0);
  CHECK(o.min_size_to_sample == 100);
  CHECK(o.samples_per_insert == 2.5);
  CHECK(o.error_buffer == 300.0);
  CHECK(o.batch_slots == 4);
  CHECK(o.priority_ring_capacity == 8192);
  CHECK(o.initial_max_priority == 2.0);
  CHECK(o.checkpoint_period_s == 30.0);
  CHECK(o.checkpoint_on_exit);
  CHECK(o.restore_from == "/tmp/x.ckpt");
}

TEST_CASE("options: invalid values are rejected naming the key, the value and what to change") {
  CHECK_THROWS_WITH(parse_replay_options(with_replay("alpha = nan\n")),
                    Contains("replay.alpha") && Contains("nan") && Contains("[0, 10]"));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("beta = -0.1\n")),
                    Contains("replay.beta") && Contains("-0.1"));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("samples_per_insert = 0.0\n")),
                    Contains("replay.samples_per_insert") && Contains("(0, "));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("samples_per_insert = nan\n")),
                    Contains("replay.samples_per_insert"));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("capacity = -5\n")),
                    Contains("replay.capacity") && Contains(">= 0"));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("capacity = 1000\nmin_size_to_sample = 5000\n")),
                    Contains("replay.min_size_to_sample") && Contains("5000") &&
                        Contains("raise replay.capacity"));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("capacity = \"big\"\n")),
                    Contains("replay.capacity") && Contains("integer"));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("capacty = 10\n")),
                    Contains("unknown key 'replay.capacty'") && Contains("'replay.capacity'"));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("selector = \"lifo\"\n")),
                    Contains("replay.selector") && Contains("uniform"));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("batch_slots = 1\n")),
                    Contains("replay.batch_slots"));
  CHECK_THROWS_WITH(parse_replay_options("[replay\ncapacity = 3\n"), Contains("line 1"));
}

TEST_CASE("options: an error buffer that could deadlock the limiter is rejected with the bound") {
  // Batch 256, spi 4: samplers need diff >= min_diff + 256, inserters diff <= max_diff - 4.
  CHECK_THROWS_WITH(parse_replay_options(with_replay("samples_per_insert = 4.0\nerror_buffer = 129.0\n")),
                    Contains("replay.error_buffer") && Contains("= 130") &&
                        Contains("wait for each other forever"));
  CHECK_NOTHROW(parse_replay_options(with_replay("samples_per_insert = 4.0\nerror_buffer = 130.0\n")));
  CHECK_NOTHROW(parse_replay_options(with_replay("error_buffer = inf\n")));
  CHECK_THROWS_WITH(parse_replay_options(with_replay("error_buffer = nan\n")), Contains("replay.error_buffer"));
}

TEST_CASE("options: a capacity /dev/shm cannot hold is rejected before anything is created") {
  auto o = parse_replay_options(with_replay("capacity = 2000000000\nmin_size_to_sample = 1\n"));
  CHECK_THROWS_WITH(o.validate_for(test::cartpole_schema()), Contains("replay.capacity") && Contains("/dev/shm") &&
                                            Contains("lower replay.capacity"));
}
