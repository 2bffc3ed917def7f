#include "learner/cuda_host.h"

#include <unistd.h>

#include <cstdint>

#ifdef SHMRL_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace shmrl::learner {

HostRegistration::HostRegistration(void* data, std::size_t bytes) {
  // Whole pages (the mapping around the range is page-granular).
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<uintptr_t>(data) & ~(page - 1);
  const auto end = (reinterpret_cast<uintptr_t>(data) + bytes + page - 1) & ~(page - 1);
  data_ = reinterpret_cast<void*>(begin);
#ifdef SHMRL_HAVE_CUDA
  const cudaError_t e = cudaHostRegister(data_, end - begin, cudaHostRegisterPortable);
  ok_ = e == cudaSuccess;
  if (!ok_) {
    error_ = std::string("cudaHostRegister: ") + cudaGetErrorString(e);
    cudaGetLastError();  // clear it, so the next CUDA call does not report it
  }
#else
  (void)end;
  error_ = "this build has no CUDA";
#endif
}

HostRegistration::~HostRegistration() {
#ifdef SHMRL_HAVE_CUDA
  if (ok_) cudaHostUnregister(data_);
#endif
}

}  // namespace shmrl::learner
