#include <cstdlib>
#include <stdexcept>

#include "learner/cuda/plugin.h"

#ifdef SHMRL_WITH_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace shmrl::learner::cuda {

c10::intrusive_ptr<c10d::Backend> make_nccl_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                                    int rank, int size,
                                                    std::chrono::milliseconds timeout,
                                                    int device_index) {
#ifdef SHMRL_WITH_NCCL
  // NCCL binds its communicator to the current device: set it before the first collective.
  c10::cuda::set_device(static_cast<c10::DeviceIndex>(device_index));
  // Unlike Gloo's, an NCCL collective that outlives `timeout` does not throw: the watchdog thread
  // logs "Watchdog caught collective operation timeout ..." and aborts this process (SIGABRT),
  // which the launcher reports as a learner failure. Chosen here rather than inherited, so a
  // stray TORCH_NCCL_ASYNC_ERROR_HANDLING=0 (no handling: a rank would hang forever) cannot apply;
  // no debug dump on timeout (it would write files outside the run dir).
  setenv("TORCH_NCCL_ASYNC_ERROR_HANDLING", "3", 1);
  setenv("TORCH_NCCL_DUMP_ON_TIMEOUT", "0", 1);
  auto opts = c10::make_intrusive<c10d::ProcessGroupNCCL::Options>();
  opts->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, opts);
#else
  (void)store, (void)rank, (void)size, (void)timeout, (void)device_index;
  throw std::runtime_error(
      "this shmrl build found no nccl.h: run the learners with [run] device = \"cpu\" (Gloo), or "
      "rebuild with NCCL's headers (the torch wheel's nvidia/nccl, or the CUDA toolkit's)");
#endif
}

}  // namespace shmrl::learner::cuda
