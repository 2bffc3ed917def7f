#pragma once
// The one serialisation of network weights between learners (publish) and actors (load): a small
// header, then every parameter as float32, concatenated in named_parameters() order (registration
// order, fixed by the module's constructor). The fingerprint hashes parameter names and shapes, so a
// blob is only ever loaded into a network of the very same architecture.
//
// This header names torch::nn::Module without including LibTorch; the functions taking a module are
// for torch code, the header helpers work anywhere.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace torch::nn {
class Module;
}

namespace shmrl::models {

struct WeightsBlobHeader {
  static constexpr uint64_t kMagic = 0x31424457'4c524d48ULL;  // "HMRLWDB1"
  static constexpr uint32_t kFormatVersion = 1;
  uint64_t magic = kMagic;
  uint32_t format_version = kFormatVersion;
  uint32_t param_count = 0;   // tensors in the blob
  uint64_t fingerprint = 0;   // XXH3 of "name[d0,d1,...];" for every parameter, in order
  uint64_t num_floats = 0;    // float32 values after the header
};
static_assert(sizeof(WeightsBlobHeader) == 32);

// Validated header of a blob. Throws std::invalid_argument if the blob is too short, has a wrong
// magic or version, or its size disagrees with num_floats. O(1).
WeightsBlobHeader read_weights_blob_header(std::span<const std::byte> blob);

// Fingerprint of a module's parameter names and shapes. O(parameters).
uint64_t weights_fingerprint(const torch::nn::Module& module);
// Bytes of the module's blob (header + 4 * numel).
std::size_t weights_blob_bytes(const torch::nn::Module& module);

// Writes the module's blob into out (at least weights_blob_bytes bytes, else std::invalid_argument).
// Parameters may live on any device (copied to CPU float32). Returns the bytes written.
std::size_t write_weights_blob(const torch::nn::Module& module, std::span<std::byte> out);
std::vector<std::byte> save_weights_blob(const torch::nn::Module& module);

// Copies a blob into the module's parameters (any device), without autograd. Throws
// std::invalid_argument naming what differs (fingerprint, count, size) and leaves the module
// untouched in that case. O(bytes).
void load_weights_blob(torch::nn::Module& module, std::span<const std::byte> blob);

}  // namespace shmrl::models
