#pragma once
// Inside libshmrl_cuda.so (see learner/cuda_plugin.h): the functions behind CudaPluginApi, each
// linked against LibTorch's CUDA libraries. Nothing outside learner/cuda/ includes this.
#include "learner/cuda_plugin.h"

namespace shmrl::learner::cuda {

c10::intrusive_ptr<c10d::Backend> make_nccl_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                                    int rank, int size,
                                                    std::chrono::milliseconds timeout,
                                                    int device_index);

}  // namespace shmrl::learner::cuda
