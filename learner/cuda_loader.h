#pragma once
// LibTorch's CUDA half (libtorch_cuda, cuDNN, cuBLAS, NCCL: about 0.3 s and 370 MB to load) lives
// behind a plugin, libshmrl_cuda.so (learner/cuda/, its interface in cuda_plugin.h), the only shmrl
// code linked against it. The executables link CPU LibTorch only, so on a machine without a GPU no
// process loads CUDA. A process that may use a GPU calls load_cuda_if_gpu() first thing in main():
// where an NVIDIA GPU is present it dlopens the plugin, which loads libtorch_cuda and registers
// LibTorch's CUDA hooks, so that torch::cuda::is_available(), CUDA tensors and streams work as in a
// CUDA-linked binary. It must run before any LibTorch call that asks for CUDA: LibTorch caches the
// answer. No LibTorch header here, so launcher code and tests may include it.
//
// Threading: any thread (the plugin is loaded once).
#include <string>

namespace shmrl::learner {

// Cheap, loads nothing: an NVIDIA driver with a GPU is present (/proc/driver/nvidia/gpus/* or
// /dev/nvidia0).
bool nvidia_gpu_present();

// Where a GPU is present, loads the plugin (once) and returns true if it loaded; false where no GPU
// is present or the build has no plugin (a LibTorch without CUDA). A present GPU with a plugin that
// fails to load is reported on stderr once, with dlerror's reason: the learners then run on CPU.
bool load_cuda_if_gpu();

// The plugin file this process would load: $SHMRL_CUDA_PLUGIN, else libshmrl_cuda.so beside the
// executable, else the one this build made; "" in a build without CUDA.
std::string cuda_plugin_path();

}  // namespace shmrl::learner
