#pragma once
// c10d backend factories, one file each, so only backend_gloo.cpp needs gloo's headers and only
// the CUDA plugin's learner/cuda/nccl.cpp needs NCCL's. Internal to learner/distributed.cpp.
#include <chrono>
#include <string>

#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

namespace shmrl::learner::detail {

// Gloo over TCP. Binds to the loopback interface when master_addr is loopback (single host), else
// to GLOO_SOCKET_IFNAME when set, else to the address this host's name resolves to (as PyTorch does).
c10::intrusive_ptr<c10d::Backend> make_gloo_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                                    int rank, int size,
                                                    std::chrono::milliseconds timeout,
                                                    const std::string& master_addr);

// NCCL on cuda:device_index, from the CUDA plugin (cuda_plugin.h). Throws std::runtime_error when
// the plugin is not loaded or was built without NCCL.
c10::intrusive_ptr<c10d::Backend> make_nccl_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                                    int rank, int size,
                                                    std::chrono::milliseconds timeout,
                                                    int device_index);

}  // namespace shmrl::learner::detail
