// Learner device choice: one learner per GPU, refused with the counts (the launcher runs this check
// before any process starts; resolve_device runs it again in each learner).
#include "tests/learner/helpers.h"

#include "learner/device.h"

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
