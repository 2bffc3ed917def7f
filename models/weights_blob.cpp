#include "models/weights_blob.h"

#include <torch/torch.h>
#include <xxhash.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace shmrl::models {
namespace {

std::string hex(uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

WeightsBlobHeader header_of(const torch::nn::Module& module) {
  WeightsBlobHeader h;
  std::string desc;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) {
    desc += p.key();
    desc += '[';
    for (auto d : p.value().sizes()) desc += std::to_string(d) + ',';
    desc += "];";
    h.param_count += 1;
    h.num_floats += static_cast<uint64_t>(p.value().numel());
  }
  h.fingerprint = XXH3_64bits(desc.data(), desc.size());
  return h;
}

}  // namespace

WeightsBlobHeader read_weights_blob_header(std::span<const std::byte> blob) {
  WeightsBlobHeader h;
  if (blob.size() < sizeof h)
    throw std::invalid_argument("weights blob: " + std::to_string(blob.size()) +
                                " bytes, shorter than its " + std::to_string(sizeof h) +
                                "-byte header");
  std::memcpy(&h, blob.data(), sizeof h);
  if (h.magic != WeightsBlobHeader::kMagic)
    throw std::invalid_argument("weights blob: bad magic (not a shmrl weights blob)");
  if (h.format_version != WeightsBlobHeader::kFormatVersion)
    throw std::invalid_argument("weights blob: format version " + std::to_string(h.format_version) +
                                ", this build reads version " +
                                std::to_string(WeightsBlobHeader::kFormatVersion));
  if (blob.size() != sizeof h + h.num_floats * sizeof(float))
    throw std::invalid_argument("weights blob: " + std::to_string(blob.size()) +
                                " bytes, header announces " + std::to_string(h.num_floats) +
                                " floats (" + std::to_string(sizeof h + h.num_floats * 4) +
                                " bytes)");
  return h;
}

uint64_t weights_fingerprint(const torch::nn::Module& module) { return header_of(module).fingerprint; }

std::size_t weights_blob_bytes(const torch::nn::Module& module) {
  return sizeof(WeightsBlobHeader) + header_of(module).num_floats * sizeof(float);
}

std::size_t write_weights_blob(const torch::nn::Module& module, std::span<std::byte> out) {
  const WeightsBlobHeader h = header_of(module);
  const std::size_t bytes = sizeof h + h.num_floats * sizeof(float);
  if (out.size() < bytes)
    throw std::invalid_argument("write_weights_blob: buffer of " + std::to_string(out.size()) +
                                " bytes, the blob needs " + std::to_string(bytes));
  std::memcpy(out.data(), &h, sizeof h);
  std::byte* dst = out.data() + sizeof h;
  torch::NoGradGuard no_grad;
  for (const auto& p : module.parameters(/*recurse=*/true)) {
    const auto cpu = p.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const std::size_t n = static_cast<std::size_t>(cpu.numel()) * sizeof(float);
    std::memcpy(dst, cpu.data_ptr<float>(), n);
    dst += n;
  }
  return bytes;
}

std::vector<std::byte> save_weights_blob(const torch::nn::Module& module) {
  std::vector<std::byte> out(weights_blob_bytes(module));
  write_weights_blob(module, out);
  return out;
}

void load_weights_blob(torch::nn::Module& module, std::span<const std::byte> blob) {
  const WeightsBlobHeader got = read_weights_blob_header(blob);
  const WeightsBlobHeader want = header_of(module);
  if (got.fingerprint != want.fingerprint || got.param_count != want.param_count ||
      got.num_floats != want.num_floats)
    throw std::invalid_argument(
        "weights blob does not fit this network: blob has " + std::to_string(got.param_count) +
        " tensors, " + std::to_string(got.num_floats) + " floats, fingerprint " +
        hex(got.fingerprint) + "; network has " + std::to_string(want.param_count) + " tensors, " +
        std::to_string(want.num_floats) + " floats, fingerprint " + hex(want.fingerprint) +
        " (do the learner's and the actor's hidden sizes / dueling agree?)");
  const std::byte* src = blob.data() + sizeof got;
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters(/*recurse=*/true)) {
    // from_blob needs a mutable pointer but is only read here (copied from).
    auto view = torch::from_blob(const_cast<std::byte*>(src), p.sizes(), torch::kFloat32);
    p.copy_(view);
    src += static_cast<std::size_t>(p.numel()) * sizeof(float);
  }
}

}  // namespace shmrl::models
