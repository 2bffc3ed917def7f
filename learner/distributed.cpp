#include "learner/distributed.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "learner/backends.h"

namespace shmrl::learner {

void DistOptions::validate() const {
  auto bad = [](const std::string& key, const std::string& value, const std::string& allowed) {
    throw std::invalid_argument(key + " = " + value + ": must be " + allowed);
  };
  if (world_size < 1) bad("run.learners", std::to_string(world_size), "an integer >= 1");
  if (rank < 0 || rank >= world_size)
    bad("--rank", std::to_string(rank), "in [0, " + std::to_string(world_size - 1) + "]");
  if (world_size > 1) {
    if (master_addr.empty()) bad("learner.master_addr", "\"\"", "a host name or IP address");
    if (master_port < 1 || master_port > 65535)
      bad("learner.master_port", std::to_string(master_port),
          "a TCP port in [1, 65535] when run.learners > 1 (the launcher picks a free one)");
  }
  if (timeout.count() <= 0) bad("timeout", std::to_string(timeout.count()) + " ms", "> 0");
}

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  bool nccl = false;
  torch::Device device{torch::kCPU};
};

ProcessGroup::ProcessGroup(const DistOptions& opts, torch::Device device) : opts_(opts) {
  opts_.validate();
  if (opts_.world_size == 1) return;
  impl_ = std::make_unique<Impl>();
  impl_->nccl = device.is_cuda();
  impl_->device = device;
  c10d::TCPStoreOptions so;
  so.port = static_cast<uint16_t>(opts_.master_port);
  so.isServer = opts_.rank == 0;
  so.numWorkers = static_cast<size_t>(opts_.world_size);
  so.waitWorkers = true;
  so.timeout = opts_.timeout;
  std::string where = opts_.master_addr + ":" + std::to_string(opts_.master_port);
  try {
    impl_->store = c10::make_intrusive<c10d::PrefixStore>(
        "epoch" + std::to_string(opts_.epoch) + "/", c10::make_intrusive<c10d::TCPStore>(opts_.master_addr, so));
    impl_->backend =
        impl_->nccl
            ? detail::make_nccl_backend(impl_->store, opts_.rank, opts_.world_size, opts_.timeout,
                                        device.has_index() ? device.index() : 0)
            : detail::make_gloo_backend(impl_->store, opts_.rank, opts_.world_size, opts_.timeout,
                                        opts_.master_addr);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    msg = msg.substr(0, msg.find('\n'));
    throw std::runtime_error("learner rank " + std::to_string(opts_.rank) + " of " +
                             std::to_string(opts_.world_size) + " could not join the group at " +
                             where + " within " + std::to_string(opts_.timeout.count()) +
                             " ms (are all learners started, and is the port free?): " + msg);
  }
}

ProcessGroup::~ProcessGroup() = default;

const char* ProcessGroup::backend_name() const {
  if (!impl_) return "none";
  return impl_->nccl ? "nccl" : "gloo";
}

void ProcessGroup::broadcast(const std::vector<torch::Tensor>& tensors) {
  if (!impl_ || tensors.empty()) return;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat{torch::cat(
      [&] {
        std::vector<torch::Tensor> v;
        for (const auto& t : tensors) v.push_back(t.detach().reshape(-1));
        return v;
      }())};
  c10d::BroadcastOptions bo;
  bo.rootRank = 0;
  impl_->backend->broadcast(flat, bo)->wait();
  int64_t off = 0;
  for (const auto& t : tensors) {
    t.detach().copy_(flat[0].narrow(0, off, t.numel()).view_as(t));
    off += t.numel();
  }
}

double ProcessGroup::average_gradients(const std::vector<torch::Tensor>& params, double vote) {
  if (!impl_) return vote;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  parts.reserve(params.size() + 1);
  for (const auto& p : params) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    parts.push_back(p.grad().reshape(-1).to(torch::kFloat32));
  }
  parts.push_back(torch::full({1}, static_cast<float>(vote),
                              torch::TensorOptions().dtype(torch::kFloat32).device(impl_->device)));
  std::vector<torch::Tensor> flat{torch::cat(parts)};
  c10d::AllreduceOptions ao;
  ao.reduceOp = c10d::ReduceOp::SUM;
  impl_->backend->allreduce(flat, ao)->wait();
  const int64_t n = flat[0].numel() - 1;
  const double votes = flat[0][n].item<double>();
  flat[0].narrow(0, 0, n).div_(opts_.world_size);
  int64_t off = 0;
  for (const auto& p : params) {
    p.grad().copy_(flat[0].narrow(0, off, p.numel()).view_as(p));
    off += p.numel();
  }
  return votes;
}

}  // namespace shmrl::learner
