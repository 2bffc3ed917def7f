// libshmrl_cuda.so's entry point and its small CUDA runtime calls.
#include <cuda_runtime_api.h>

#include <c10/cuda/CUDAFunctions.h>

#include "learner/cuda/plugin.h"

namespace shmrl::learner::cuda {
namespace {

std::string host_register(void* data, std::size_t bytes) {
  const cudaError_t e = cudaHostRegister(data, bytes, cudaHostRegisterPortable);
  if (e == cudaSuccess) return "";
  cudaGetLastError();  // clear it, so the next CUDA call does not report it
  return std::string("cudaHostRegister: ") + cudaGetErrorString(e);
}

void host_unregister(void* data) { cudaHostUnregister(data); }

void set_sync_debug_warn(bool on) {
  c10::cuda::warning_state().set_sync_debug_mode(on ? c10::cuda::SyncDebugMode::L_WARN
                                                    : c10::cuda::SyncDebugMode::L_DISABLED);
}

constexpr CudaPluginApi kApi{make_nccl_backend, host_register, host_unregister, set_sync_debug_warn};

}  // namespace
}  // namespace shmrl::learner::cuda

extern "C" __attribute__((visibility("default"))) const shmrl::learner::CudaPluginApi* shmrl_cuda_plugin_v1() {
  return &shmrl::learner::cuda::kApi;
}
