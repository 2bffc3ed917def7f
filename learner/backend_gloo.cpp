// Needs gloo's headers (Debian libgloo-dev): the torch wheel ships ProcessGroupGloo.hpp but not the
// gloo headers it includes. Only shared_ptr-held gloo types are used here, so the older Debian
// headers agree with the gloo compiled into libtorch_cpu on everything this file touches.
#include <cstdlib>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include "learner/backends.h"

namespace shmrl::learner::detail {

c10::intrusive_ptr<c10d::Backend> make_gloo_backend(const c10::intrusive_ptr<c10d::Store>& store,
                                                    int rank, int size,
                                                    std::chrono::milliseconds timeout,
                                                    const std::string& master_addr) {
  auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
  if (master_addr == "127.0.0.1" || master_addr == "localhost" || master_addr == "::1") {
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(master_addr));
  } else if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
  } else {
    opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  // One gloo thread: gradients are all-reduced as one flat buffer, one collective at a time.
  opts->threads = 1;
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, opts);
}

}  // namespace shmrl::learner::detail
