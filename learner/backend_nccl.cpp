#include <stdexcept>

#include "learner/backends.h"
#include "learner/cuda_plugin.h"

namespace shmrl::learner::detail {

c10::intrusive_ptr<c10d::Backend> make_nccl_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                                    int rank, int size,
                                                    std::chrono::milliseconds timeout,
                                                    int device_index) {
  const CudaPluginApi* cuda = cuda_plugin();
  if (!cuda)
    throw std::runtime_error(
        "NCCL needs the CUDA plugin (libshmrl_cuda.so), which is not loaded: no GPU here, or a build "
        "against a LibTorch without CUDA. Run the learners with [run] device = \"cpu\" (Gloo)");
  return cuda->make_nccl_backend(store, rank, size, timeout, device_index);
}

}  // namespace shmrl::learner::detail
