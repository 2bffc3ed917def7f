#include "launch/fuzz_targets.h"

#include <xxhash.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <torch/torch.h>

#include "common/shm/segment.h"
#include "launch/config.h"
#include "launch/train_options.h"
#include "learner/checkpoint.h"
#include "models/weights_blob.h"
#include "replay/fuzz_targets.h"

namespace shmrl::launch {
namespace {
namespace fs = std::filesystem;

constexpr std::size_t kTrailerBytes = 24;  // learner/checkpoint.cpp: magic, payload bytes, XXH64

fuzz::Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return fuzz::to_bytes(std::string{std::istreambuf_iterator<char>(in), {}});
}

void write_bytes(const std::string& path, const fuzz::Bytes& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// A scratch directory of its own, removed with the last target that uses it.
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("shmrl-fuzz-" + shm::new_run_id());
  Scratch() { fs::create_directories(dir); }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

fuzz::Target config_target() {
  auto scratch = std::make_shared<Scratch>();
  fuzz::Target t;
  t.name = "config";
  t.seeds = {read_bytes(default_config_path()), fuzz::to_bytes(Config::defaults().to_toml())};
  t.dictionary = {"[run]", "[replay]", "[learner]", "[env]", "[actor]", "[eval]", " = ", "\"", "'''", "[", "]",
                  "{", "}", ",", "\n", "#", "inf", "nan", "-inf", "1e400", "-1", "0", "9223372036854775808",
                  "true", "capacity", "actors", "hidden = [", "kwargs = { x = 1 }", "restarts.actor", "."};
  const std::string file = scratch->file("config.toml");
  t.run = [scratch, file](const fuzz::Bytes& in) {
    write_bytes(file, in);
    Config::load(file);
  };
  return t;
}

// A tiny network, its optimiser and what a checkpoint of it says it is.
struct Net {
  torch::nn::Linear online{4, 2}, target{4, 2};
  torch::optim::Adam optim{online->parameters(), torch::optim::AdamOptions(1e-3)};
  learner::CheckpointMeta meta{"CartPole-v1", "fuzz linear 4x2", {}};
  learner::CheckpointState state() { return {online.ptr().get(), target.ptr().get(), &optim}; }
};

fuzz::Target learner_checkpoint_target(bool reseal) {
  auto scratch = std::make_shared<Scratch>();
  auto net = std::make_shared<Net>();
  fuzz::Target t;
  t.name = reseal ? "learner-checkpoint-sealed" : "learner-checkpoint";
  torch::NoGradGuard no_grad;
  const std::string saved = learner::save_checkpoint(scratch->dir.string(), net->meta, {42, 4200}, net->state(), 1);
  fuzz::Bytes seed = read_bytes(saved);
  if (reseal) seed.resize(seed.size() - kTrailerBytes);  // the archive alone; the target seals it
  t.seeds = {seed};
  t.dictionary = {"PK\x03\x04", "PK\x01\x02", "PK\x05\x06", "data.pkl", "version", "constants.pkl"};
  const std::string file = scratch->file("ckpt-000000000042.pt");
  t.run = [scratch, net, file, reseal](const fuzz::Bytes& in) {
    fuzz::Bytes bytes = in;
    if (reseal) {
      const uint64_t payload = bytes.size(), sum = XXH64(bytes.data(), bytes.size(), 0);
      const char magic[8] = {'S', 'H', 'M', 'R', 'L', 'C', 'K', '1'};
      bytes.resize(payload + kTrailerBytes);
      std::memcpy(bytes.data() + payload, magic, 8);
      std::memcpy(bytes.data() + payload + 8, &payload, 8);
      std::memcpy(bytes.data() + payload + 16, &sum, 8);
    }
    write_bytes(file, bytes);
    torch::NoGradGuard no_grad;
    learner::peek_checkpoint(file);
    learner::load_checkpoint(file, net->meta, net->state());
  };
  return t;
}

fuzz::Target weights_blob_target() {
  auto net = std::make_shared<Net>();
  fuzz::Target t;
  t.name = "weights-blob";
  t.seeds = {models::save_weights_blob(*net->online)};
  t.run = [net](const fuzz::Bytes& in) {
    torch::NoGradGuard no_grad;
    models::read_weights_blob_header(in);
    models::load_weights_blob(*net->online, in);
  };
  return t;
}

}  // namespace

const std::vector<std::string>& fuzz_target_names() {
  static const std::vector<std::string> names = {"config", "replay-checkpoint", "ring-records", "learner-checkpoint",
                                                 "learner-checkpoint-sealed", "weights-blob"};
  return names;
}

fuzz::Target make_fuzz_target(const std::string& name) {
  if (name == "config") return config_target();
  if (name == "replay-checkpoint") return replay::replay_checkpoint_target();
  if (name == "ring-records") return replay::ring_records_target();
  if (name == "learner-checkpoint") return learner_checkpoint_target(false);
  if (name == "learner-checkpoint-sealed") return learner_checkpoint_target(true);
  if (name == "weights-blob") return weights_blob_target();
  std::string known;
  for (const auto& n : fuzz_target_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown fuzz target '" + name + "': known are " + known);
}

}  // namespace shmrl::launch
