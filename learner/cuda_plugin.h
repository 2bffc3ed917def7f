#pragma once
// The CUDA plugin's interface (see cuda_loader.h for what it is and who loads it).
//
// Threading: cuda_plugin() may be called from any thread.
#include <chrono>
#include <cstddef>
#include <string>

#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include "learner/cuda_loader.h"

namespace shmrl::learner {

// What the plugin provides; it returns one from `shmrl_cuda_plugin_v1` (extern "C").
struct CudaPluginApi {
  // ProcessGroupNCCL on cuda:device_index (sets the current device first), the collective timeout
  // enforced by NCCL's watchdog (it aborts the process). Throws std::runtime_error when the build
  // had no nccl.h.
  c10::intrusive_ptr<c10d::Backend> (*make_nccl_backend)(const c10::intrusive_ptr<c10d::Store>& store,
                                                          int rank, int size,
                                                          std::chrono::milliseconds timeout,
                                                          int device_index);
  // cudaHostRegister (portable) of [data, data + bytes); "" on success, else CUDA's error.
  std::string (*host_register)(void* data, std::size_t bytes);
  void (*host_unregister)(void* data);
  // LibTorch's CUDA sync-debug mode: warn on every synchronising call (true) or not.
  void (*set_sync_debug_warn)(bool on);
};

// The loaded plugin, or nullptr when load_cuda_if_gpu() did not load it.
const CudaPluginApi* cuda_plugin();

// dlopens `path` (RTLD_NOW | RTLD_GLOBAL: LibTorch's CUDA libraries register themselves) and returns
// its table, whether or not a GPU is present; nullptr with `error` set when it does not load. For
// load_cuda_if_gpu() and the plugin's own test.
const CudaPluginApi* open_cuda_plugin(const std::string& path, std::string& error);

}  // namespace shmrl::learner
