#pragma once
// Data-parallel learners: one c10d process group over all learner ranks, used to start every rank
// from rank 0's parameters and to average gradients every step. Backends are LibTorch's own:
// ProcessGroupGloo on CPU, ProcessGroupNCCL on CUDA. Rendezvous goes through c10d's TCPStore, hosted
// by rank 0 at master_addr:master_port, so learners on other hosts join by address and port.
//
// Bit-identical replicas: each rank applies the same all-reduced (summed, then divided by the world
// size) gradient with the same optimizer, starting from the same parameters, so parameters stay
// equal bit for bit as long as every rank runs the same code on the same device type.
//
// Threading: one thread (the training loop) calls everything, in the same order on every rank.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace shmrl::learner {

struct DistOptions {
  int rank = 0;
  int world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;                      // 1..65535 when world_size > 1
  std::chrono::milliseconds timeout{60000};  // rendezvous and every collective
  // Rendezvous number: every rank of one group uses the same; the launcher bumps it when it
  // restarts the group after a learner failed, so the new group's store keys never meet the old's.
  int epoch = 0;
  // Throws std::invalid_argument naming the key ("learner.master_port", ...) and what is allowed.
  void validate() const;
};


class ProcessGroup {
 public:
  // Joins the group; blocks until all world_size ranks have joined or `timeout` passes
  // (std::runtime_error saying which address and port it waited on). The backend follows `device`:
  // Gloo for CPU, NCCL for CUDA (std::runtime_error if this build has no NCCL).
  // world_size == 1 creates no group and every call below is a no-op.
  ProcessGroup(const DistOptions& opts, torch::Device device);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return opts_.rank; }
  int world_size() const { return opts_.world_size; }
  const char* backend_name() const;

  // Overwrites `tensors` on every rank with rank 0's values. O(total numel). Collective.
  void broadcast(const std::vector<torch::Tensor>& tensors);
  // Replaces each parameter's gradient by the mean over ranks (an undefined gradient counts as
  // zeros and is allocated), and returns the sum of the ranks' `vote`s (small integers: they ride
  // in the same float32 buffer, exactly). One flat all-reduce per call. Collective.
  double average_gradients(const std::vector<torch::Tensor>& params, double vote = 0);

 private:
  struct Impl;
  DistOptions opts_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shmrl::learner
