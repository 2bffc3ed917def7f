#include "learner/cuda_host.h"

#include <unistd.h>

#include <cstdint>

#include "learner/cuda_plugin.h"

namespace shmrl::learner {

HostRegistration::HostRegistration(void* data, std::size_t bytes) {
  // Whole pages (the mapping around the range is page-granular).
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<uintptr_t>(data) & ~(page - 1);
  const auto end = (reinterpret_cast<uintptr_t>(data) + bytes + page - 1) & ~(page - 1);
  data_ = reinterpret_cast<void*>(begin);
  const CudaPluginApi* cuda = cuda_plugin();
  if (!cuda) {
    error_ = "the CUDA plugin is not loaded (no GPU here, or a LibTorch without CUDA)";
    return;
  }
  error_ = cuda->host_register(data_, end - begin);
  ok_ = error_.empty();
}

HostRegistration::~HostRegistration() {
  if (ok_) cuda_plugin()->host_unregister(data_);
}

}  // namespace shmrl::learner
