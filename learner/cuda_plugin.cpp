#include "learner/cuda_plugin.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>

namespace shmrl::learner {

namespace {
const CudaPluginApi* g_api = nullptr;
}  // namespace

std::string cuda_plugin_path() {
  if (const char* p = std::getenv("SHMRL_CUDA_PLUGIN"); p && *p) return p;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto beside = exe.parent_path() / "libshmrl_cuda.so";
    if (std::filesystem::exists(beside, ec)) return beside.string();
  }
#ifdef SHMRL_CUDA_PLUGIN_PATH
  return SHMRL_CUDA_PLUGIN_PATH;  // test binaries live in build/tests/..., the plugin in build/
#else
  return "";
#endif
}

const CudaPluginApi* open_cuda_plugin(const std::string& path, std::string& error) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    error = dlerror();
    return nullptr;
  }
  using Entry = const CudaPluginApi* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "shmrl_cuda_plugin_v1"));
  if (!entry) {
    error = path + " has no shmrl_cuda_plugin_v1 (a stale build?)";
    return nullptr;
  }
  return entry();
}

bool nvidia_gpu_present() {
  std::error_code ec;
  if (std::filesystem::exists("/dev/nvidia0", ec)) return true;
  const std::filesystem::path gpus = "/proc/driver/nvidia/gpus";
  return std::filesystem::is_directory(gpus, ec) &&
         std::filesystem::directory_iterator(gpus, ec) != std::filesystem::directory_iterator();
}

bool load_cuda_if_gpu() {
  static std::once_flag once;
  std::call_once(once, [] {
    const std::string path = cuda_plugin_path();
    if (path.empty() || !nvidia_gpu_present()) return;  // a CPU-only build or machine: nothing to load
    std::string error;
    g_api = open_cuda_plugin(path, error);
    if (!g_api)
      std::cerr << "shmrl: a GPU is present but the CUDA plugin " << path << " did not load (" << error
                << "); learners run on the CPU\n";
  });
  return g_api != nullptr;
}

const CudaPluginApi* cuda_plugin() {
  load_cuda_if_gpu();
  return g_api;
}

}  // namespace shmrl::learner
