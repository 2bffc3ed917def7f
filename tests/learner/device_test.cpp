// Learner device choice: one learner per GPU, refused with the counts (the launcher runs this check
// before any process starts; resolve_device runs it again in each learner); the CUDA plugin.
#include "tests/learner/helpers.h"

#include "learner/cuda_plugin.h"
#include "learner/device.h"
#include "tests/skip.h"

using namespace shmrl::learner;

TEST_CASE("more CUDA learners than GPUs is refused with both counts", "[learner][device]") {
  CHECK_THROWS_WITH(check_learners_fit_gpus("cuda", 2, 1),
                    Catch::Contains("run.learners = 2") && Catch::Contains("run.device = \"cuda\"") &&
                        Catch::Contains("1 GPU(s) are here") && Catch::Contains("lower run.learners to 1"));
  CHECK_THROWS_WITH(check_learners_fit_gpus("auto", 3, 2),
                    Catch::Contains("run.learners = 3") && Catch::Contains("2 GPU(s)"));
  CHECK_THROWS_WITH(check_learners_fit_gpus("cuda", 1, 0), Catch::Contains("0 GPU(s)"));
  CHECK_NOTHROW(check_learners_fit_gpus("cuda", 2, 2));
  CHECK_NOTHROW(check_learners_fit_gpus("auto", 4, 0));  // auto without GPUs: CPU learners
  CHECK_NOTHROW(check_learners_fit_gpus("cpu", 8, 1));
}

TEST_CASE("run.device = cpu always resolves to the CPU", "[learner][device]") {
  CHECK(resolve_device("cpu", 5) == torch::Device(torch::kCPU));
  CHECK_THROWS_WITH(resolve_device("tpu", 0), Catch::Contains("auto|cpu|cuda"));
}

// The CUDA plugin (learner/cuda_plugin.h) is real code even here: it loads LibTorch's CUDA libraries
// without a GPU, and its CUDA calls answer with CUDA's own error.
TEST_CASE("the CUDA plugin loads without a GPU and its functions answer", "[learner][device]") {
#ifndef SHMRL_HAVE_CUDA
  SHMRL_SKIP("built against a LibTorch without CUDA: there is no CUDA plugin");
#else
  std::string error;
  CHECK(open_cuda_plugin("/nonexistent/libshmrl_cuda.so", error) == nullptr);
  CHECK_THAT(error, Catch::Contains("/nonexistent/libshmrl_cuda.so"));
  const std::string path = cuda_plugin_path();
  REQUIRE_FALSE(path.empty());
  error.clear();
  const CudaPluginApi* api = open_cuda_plugin(path, error);
  INFO(path << ": " << error);
  REQUIRE(api != nullptr);
  CHECK(api->make_nccl_backend != nullptr);
  CHECK(api->set_sync_debug_warn != nullptr);
  if (!nvidia_gpu_present()) {
    std::vector<char> memory(1 << 16);
    CHECK_THAT(api->host_register(memory.data(), memory.size()), Catch::StartsWith("cudaHostRegister: "));
  }
#endif
}
