#include "learner/checkpoint.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <xxhash.h>

#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "learner/atomic_file.h"

namespace shmrl::learner {
namespace fs = std::filesystem;
namespace {
constexpr const char* kFormat = "shmrl-dqn-checkpoint-v1";
// The file is a LibTorch archive followed by this trailer, so a truncated or bit-flipped file is
// recognised before LibTorch parses it.
constexpr char kTrailerMagic[8] = {'S', 'H', 'M', 'R', 'L', 'C', 'K', '1'};
struct Trailer {
  char magic[8];
  uint64_t payload_bytes;
  uint64_t xxh64;
};
static_assert(sizeof(Trailer) == 24);

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The temporary files (atomic_file.h: "<ckpt>.tmp.<pid>") of writers killed mid-write: a learner
// SIGKILLed while checkpointing leaves one each time. A live writer's (another pid) is left alone.
void remove_dead_writers_files(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const auto at = name.find(".pt.tmp.");
    if (!name.starts_with("ckpt-") || at == std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::strtol(name.c_str() + at + 8, nullptr, 10));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove(e.path(), ec);
  }
}

// The archive bytes of a checkpoint file, checked against its trailer.
std::string read_payload(const std::string& path) {
  if (!fs::exists(path))
    throw CheckpointError("checkpoint " + path + " does not exist");
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const std::exception& e) {
    throw CheckpointError(std::string("checkpoint unreadable: ") + e.what());
  }
  Trailer t{};
  if (bytes.size() >= sizeof(Trailer)) std::memcpy(&t, bytes.data() + bytes.size() - sizeof t, sizeof t);
  if (bytes.size() < sizeof(Trailer) ||
      std::memcmp(t.magic, kTrailerMagic, sizeof kTrailerMagic) != 0 ||
      t.payload_bytes != bytes.size() - sizeof(Trailer))
    throw CheckpointError("checkpoint " + path + " is truncated or not a shmrl checkpoint (" +
                          std::to_string(bytes.size()) +
                          " bytes, no valid trailer)");
  bytes.resize(t.payload_bytes);
  if (XXH64(bytes.data(), bytes.size(), 0) != t.xxh64)
    throw CheckpointError("checkpoint " + path +
                          " is corrupt (checksum mismatch)");
  return bytes;
}

std::string read_string(torch::serialize::InputArchive& ar, const std::string& key) {
  c10::IValue v;
  if (!ar.try_read(key, v) || !v.isString()) throw std::runtime_error("missing record '" + key + "'");
  return v.toStringRef();
}

uint64_t read_u64(torch::serialize::InputArchive& ar, const std::string& key) {
  c10::IValue v;
  if (!ar.try_read(key, v) || !v.isInt()) throw std::runtime_error("missing record '" + key + "'");
  return static_cast<uint64_t>(v.toInt());
}

// The env kwargs record; checkpoints written before it existed have none (no kwargs).
envs::EnvKwargs read_kwargs(torch::serialize::InputArchive& ar) {
  envs::EnvKwargs out;
  c10::IValue v;
  if (!ar.try_read("env_kwargs", v)) return out;
  if (!v.isGenericDict()) throw std::runtime_error("record 'env_kwargs' is not a dict");
  for (const auto& e : v.toGenericDict()) {
    if (!e.key().isString() || !e.value().isString())
      throw std::runtime_error("record 'env_kwargs' holds a non-string entry");
    out[e.key().toStringRef()] = e.value().toStringRef();
  }
  return out;
}

struct Opened {
  torch::serialize::InputArchive ar;
  CheckpointMeta meta;
  CheckpointCounters counters;
};

// Tensors are loaded onto `device`, whatever device they were saved from.
void open_archive(const std::string& path, Opened& o, torch::Device device) {
  std::string payload = read_payload(path);
  try {
    o.ar.load_from(payload.data(), payload.size(), device);
    if (read_string(o.ar, "format") != kFormat) throw std::runtime_error("unknown format");
    o.meta.env_id = read_string(o.ar, "env_id");
    o.meta.arch = read_string(o.ar, "arch");
    o.meta.env_kwargs = read_kwargs(o.ar);
    o.counters.updates = read_u64(o.ar, "updates");
    o.counters.env_steps = read_u64(o.ar, "env_steps");
  } catch (const std::exception& e) {
    throw CheckpointError("checkpoint " + path + " is not a readable shmrl checkpoint (" +
                          first_line(e.what()) + ")");
  }
}
}  // namespace

std::string checkpoint_path(const std::string& dir, uint64_t updates) {
  char name[40];
  std::snprintf(name, sizeof name, "ckpt-%012llu.pt", static_cast<unsigned long long>(updates));
  return (fs::path(dir) / name).string();
}

std::string save_checkpoint(const std::string& dir, const CheckpointMeta& meta,
                            const CheckpointCounters& counters, const CheckpointState& state,
                            int keep) {
  if (keep < 1) throw std::invalid_argument("save_checkpoint: keep must be >= 1");
  torch::serialize::OutputArchive ar, online, target, optim;
  ar.write("format", c10::IValue(std::string(kFormat)));
  ar.write("env_id", c10::IValue(meta.env_id));
  ar.write("arch", c10::IValue(meta.arch));
  c10::Dict<std::string, std::string> kwargs;
  for (const auto& [k, v] : meta.env_kwargs) kwargs.insert(k, v);
  ar.write("env_kwargs", c10::IValue(kwargs));
  ar.write("updates", c10::IValue(static_cast<int64_t>(counters.updates)));
  ar.write("env_steps", c10::IValue(static_cast<int64_t>(counters.env_steps)));
  state.online->save(online);
  state.target->save(target);
  ar.write("online", online);
  ar.write("target", target);
  if (state.optimizer) {
    state.optimizer->save(optim);
    ar.write("optimizer", optim);
  }
  std::ostringstream out;
  ar.save_to(out);
  std::string bytes = std::move(out).str();
  Trailer t{};
  std::memcpy(t.magic, kTrailerMagic, sizeof kTrailerMagic);
  t.payload_bytes = bytes.size();
  t.xxh64 = XXH64(bytes.data(), bytes.size(), 0);
  bytes.append(reinterpret_cast<const char*>(&t), sizeof t);
  std::string path = checkpoint_path(dir, counters.updates);
  write_file_atomic(path, bytes);

  std::vector<std::string> all;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    if (name.starts_with("ckpt-") && name.ends_with(".pt")) all.push_back(e.path().string());
  }
  std::sort(all.begin(), all.end());  // fixed-width counter: lexicographic == numeric
  for (std::size_t i = 0; i + keep < all.size(); ++i) fs::remove(all[i]);
  remove_dead_writers_files(dir);
  return path;
}

std::optional<std::string> latest_checkpoint(const std::string& dir) {
  auto all = checkpoints_newest_first(dir);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::vector<std::string> checkpoints_newest_first(const std::string& dir) {
  std::vector<std::string> all;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return all;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name.starts_with("ckpt-") && name.ends_with(".pt")) all.push_back(e.path().string());
  }
  std::sort(all.rbegin(), all.rend());  // fixed-width counter: lexicographic == numeric
  return all;
}

std::pair<CheckpointMeta, CheckpointCounters> peek_checkpoint(const std::string& path) {
  Opened o;
  // Tensors to the CPU: a checkpoint written on a GPU is then readable on a CPU-only host, and
  // peeking creates no CUDA context on a GPU host.
  open_archive(path, o, torch::kCPU);
  return {o.meta, o.counters};
}

CheckpointCounters load_checkpoint(const std::string& path, const CheckpointMeta& expected,
                                   const CheckpointState& state) {
  Opened o;
  auto params = state.online->parameters();
  open_archive(path, o, params.empty() ? torch::Device(torch::kCPU) : params[0].device());
  if (o.meta.env_id != expected.env_id)
    throw CheckpointError("checkpoint " + path + " was written for env " + o.meta.env_id +
                          ", this run uses " + expected.env_id +
                          ": use a matching run dir, or start without --resume");
  if (o.meta.arch != expected.arch)
    throw CheckpointError("checkpoint " + path + " holds network '" + o.meta.arch +
                          "', this run builds '" + expected.arch +
                          "': use the same [learner] settings, or start without --resume");
  try {
    torch::serialize::InputArchive online, target;
    o.ar.read("online", online);
    o.ar.read("target", target);
    state.online->load(online);
    if (state.target) state.target->load(target);
    if (state.optimizer) {
      torch::serialize::InputArchive optim;
      if (!o.ar.try_read("optimizer", optim))
        throw std::runtime_error("no optimizer state (an export, not a checkpoint?)");
      state.optimizer->load(optim);
    }
  } catch (const std::exception& e) {
    throw CheckpointError("checkpoint " + path + " does not fit this network (" +
                          first_line(e.what()) + ")");
  }
  return o.counters;
}

void export_state_dict(const std::string& path, const torch::nn::Module& module) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& p : module.named_parameters())
    dict.insert(p.key(), p.value().detach().to(torch::kCPU).contiguous());
  for (const auto& b : module.named_buffers())
    dict.insert(b.key(), b.value().detach().to(torch::kCPU).contiguous());
  // torch::pickle_save's container (what torch.save writes), assembled from the same LibTorch
  // pieces but with a plain dict: without the TorchScript type tag pickle_save adds, Python's
  // torch.load accepts the file under its default weights_only=True.
  std::vector<char> pickled;
  torch::jit::Pickler pickler([&](const char* buf, size_t n) { pickled.insert(pickled.end(), buf, buf + n); },
                              nullptr, nullptr, nullptr, nullptr, /*tag_aggregates=*/false);
  pickler.protocol();
  pickler.pushIValue(dict);
  pickler.stop();
  std::string bytes;
  {
    caffe2::serialize::PyTorchStreamWriter writer([&](const void* data, size_t n) {
      bytes.append(static_cast<const char*>(data), n);
      return n;
    });
    torch::jit::writeArchiveAndTensors("data", pickled.data(), pickled.size(), pickler.tensorData(), writer);
    writer.writeEndOfFile();
  }
  write_file_atomic(path, bytes);
}

void write_policy_export(const std::string& dir, const CheckpointMeta& meta, const std::string& algorithm,
                         const CheckpointCounters& counters, const torch::nn::Module& module,
                         const std::string& checkpoint) {
  export_state_dict(dir + "/policy.pt", module);
  nlohmann::json j = {{"env", meta.env_id}, {"algorithm", algorithm}, {"arch", meta.arch}, {"updates", counters.updates},
                      {"env_steps", counters.env_steps}, {"checkpoint", checkpoint}};
  write_file_atomic(dir + "/policy.json", j.dump(2) + "\n");
}

}  // namespace shmrl::learner
