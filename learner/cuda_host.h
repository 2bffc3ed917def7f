#pragma once
// Host memory the GPU's copy engines can read directly: page-locks an existing mapping (a shared
// memory segment) with cudaHostRegister (portable: for every device's context), so host-to-device
// copies from it are asynchronous DMA with no staging copy. Through the CUDA plugin
// (cuda_plugin.h): without it loaded, registration always fails (ok() false).
//
// Threading: construct and destroy on one thread; the registration is process-wide.
#include <cstddef>
#include <string>

namespace shmrl::learner {

class HostRegistration {
 public:
  // Registers the pages holding [data, data + bytes). Never throws: check ok(), error() says why not.
  // Cost: proportional to the pages (they are pinned), once.
  HostRegistration(void* data, std::size_t bytes);
  ~HostRegistration();  // unregisters
  HostRegistration(const HostRegistration&) = delete;
  HostRegistration& operator=(const HostRegistration&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

 private:
  void* data_ = nullptr;
  bool ok_ = false;
  std::string error_;
};

}  // namespace shmrl::learner
