#include "learner/prefetch.h"

#include <c10/core/Event.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "learner/cuda_host.h"

namespace shmrl::learner {
namespace {
torch::ScalarType scalar_type(DType t) {
  switch (t) {
    case DType::F32: return torch::kFloat32;
    case DType::I32: return torch::kInt32;
    case DType::I64: return torch::kInt64;
    case DType::U8: return torch::kUInt8;
    case DType::U32: return torch::kUInt32;
    case DType::U64: return torch::kUInt64;
  }
  throw std::invalid_argument("unknown dtype");
}

constexpr std::size_t align64(std::size_t n) { return (n + 63) & ~std::size_t{63}; }
// How long the prefetch thread waits for a slot before re-checking its stop flag.
constexpr auto kPoll = std::chrono::milliseconds(50);
}  // namespace

Batch batch_from_bytes(const torch::Tensor& bytes, const BatchLayout& layout,
                       const TransitionSchema& schema, const torch::Tensor& weights) {
  const auto b = static_cast<int64_t>(layout.batch_size());
  auto column = [&](std::string_view name) {
    const Field& f = schema.field(name);
    std::vector<int64_t> shape{b};
    shape.insert(shape.end(), f.shape.begin(), f.shape.end());
    // Columns are 64-byte aligned, so reinterpreting the bytes as the field's type is a view.
    return bytes.narrow(0, static_cast<int64_t>(layout.column_offset(name)), b * f.bytes)
        .view(scalar_type(f.dtype))
        .view(shape);
  };
  Batch out;
  out.obs = column(TransitionSchema::kObs);
  out.action = column(TransitionSchema::kAction);
  out.reward = column(TransitionSchema::kReward);
  out.discount = column(TransitionSchema::kDiscount);
  out.next_obs = column(TransitionSchema::kNextObs);
  out.weights = weights;
  return out;
}

struct BatchPrefetcher::Cuda {
  c10::Stream stream;
  std::size_t weights_offset, bytes;
  std::unique_ptr<HostRegistration> registered;       // the slot segment, page-locked
  // Fallback when the segment could not be registered:
  std::vector<torch::Tensor> staging;                 // pinned host buffers, used round-robin
  std::vector<std::shared_ptr<c10::Event>> last_copy;  // the copy that last read staging[i]
  std::size_t next = 0;
};

BatchPrefetcher::BatchPrefetcher(replay::BatchReader& reader, const TransitionSchema& schema,
                                 torch::Device device, int depth)
    : reader_(reader), schema_(schema), device_(device), depth_(static_cast<std::size_t>(depth)) {
  if (depth < 1) throw std::invalid_argument("BatchPrefetcher: depth must be >= 1");
  if (device_.is_cuda()) {
    c10::impl::VirtualGuardImpl impl(c10::DeviceType::CUDA);
    const auto& layout = reader_.layout();
    cuda_ = std::unique_ptr<Cuda>(new Cuda{impl.getStreamFromGlobalPool(device_), 0, 0, nullptr, {}, {}, 0});
    cuda_->weights_offset = align64(layout.bytes());
    cuda_->bytes = cuda_->weights_offset + layout.batch_size() * sizeof(float);
    const auto memory = reader_.memory();
    cuda_->registered = std::make_unique<HostRegistration>(memory.data(), memory.size());
    if (!cuda_->registered->ok())
      std::cerr << "learner: batch slots not page-locked (" << cuda_->registered->error()
                << "): batches go through a pinned staging copy\n";
    // Staging fallback: depth queued + one being filled + one spare, so a buffer is reused only
    // after its batch was handed to the training thread.
    for (std::size_t i = 0; !direct() && i < depth_ + 2; ++i) {
      cuda_->staging.push_back(torch::empty({static_cast<int64_t>(cuda_->bytes)},
                                            torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(true)));
      cuda_->last_copy.push_back(nullptr);
    }
  }
  thread_ = std::thread([this] { run(); });
}

BatchPrefetcher::~BatchPrefetcher() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  for (auto& b : ready_) done(b);
}

bool BatchPrefetcher::direct() const { return cuda_ && cuda_->registered->ok(); }

DeviceBatch BatchPrefetcher::convert(const replay::BatchView& v, std::shared_ptr<c10::Event>& release_after) {
  const auto& layout = reader_.layout();
  const auto b = static_cast<int64_t>(layout.batch_size());
  DeviceBatch out;
  out.seq = v.seq;
  out.generation = v.generation;
  out.keys.assign(v.keys.begin(), v.keys.end());
  if (!cuda_) {
    // The slot memory is only read while we hold the slot (Consumed): from_blob needs a non-const
    // pointer but nothing writes through it.
    auto bytes = torch::from_blob(const_cast<std::byte*>(v.data), {static_cast<int64_t>(layout.bytes())},
                                  torch::kUInt8);
    auto weights = torch::from_blob(const_cast<float*>(v.weights.data()), {b}, torch::kFloat32);
    out.batch = batch_from_bytes(bytes, layout, schema_, weights);
    out.view = v;
    return out;
  }
  auto& c = *cuda_;
  auto event = std::make_shared<c10::Event>(c10::DeviceType::CUDA);
  torch::Tensor dev;
  if (direct()) {
    // Straight from the page-locked slot: asynchronous DMA; the slot goes back after the event.
    c10::StreamGuard guard(c.stream);
    dev = torch::empty({static_cast<int64_t>(c.bytes)}, torch::TensorOptions().dtype(torch::kUInt8).device(device_));
    auto bytes = torch::from_blob(const_cast<std::byte*>(v.data), {static_cast<int64_t>(layout.bytes())},
                                  torch::kUInt8);
    auto weights = torch::from_blob(const_cast<float*>(v.weights.data()), {b * 4}, torch::kUInt8);
    dev.narrow(0, 0, bytes.numel()).copy_(bytes, /*non_blocking=*/true);
    dev.narrow(0, static_cast<int64_t>(c.weights_offset), b * 4).copy_(weights, /*non_blocking=*/true);
    event->record(c.stream);
    release_after = event;
  } else {
    const std::size_t k = c.next++ % c.staging.size();
    if (c.last_copy[k]) c.last_copy[k]->synchronize();  // the previous copy out of staging[k] is done
    auto* stage = static_cast<std::byte*>(c.staging[k].data_ptr());
    std::memcpy(stage, v.data, layout.bytes());
    std::memcpy(stage + c.weights_offset, v.weights.data(), b * sizeof(float));
    reader_.release(v);  // the slot is free for the service again
    c10::StreamGuard guard(c.stream);
    dev = c.staging[k].to(device_, /*non_blocking=*/true);
    event->record(c.stream);
    c.last_copy[k] = event;
  }
  out.batch = batch_from_bytes(dev.narrow(0, 0, static_cast<int64_t>(layout.bytes())), layout,
                               schema_,
                               dev.narrow(0, static_cast<int64_t>(c.weights_offset), b * 4).view(torch::kFloat32));
  out.ready = event;
  return out;
}

void BatchPrefetcher::run() {
  try {
    for (;;) {
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return stop_ || ready_.size() < depth_; });
        if (stop_) return;
      }
      auto v = reader_.acquire(deadline_in(kPoll));
      if (!v) continue;
      std::shared_ptr<c10::Event> release_after;
      DeviceBatch b = convert(*v, release_after);
      bool queued = false;
      {
        std::lock_guard lk(mu_);
        if (!stop_) {
          ready_.push_back(std::move(b));
          queued = true;
          cv_.notify_all();
        }
      }
      // The training stream already waits for this copy on the GPU; the slot goes back to the
      // service once the copy has read it.
      if (release_after) {
        release_after->synchronize();
        reader_.release(*v);
      }
      if (!queued) {
        done(b);
        return;
      }
    }
  } catch (...) {
    std::lock_guard lk(mu_);
    error_ = std::current_exception();
    cv_.notify_all();
  }
}

std::optional<DeviceBatch> BatchPrefetcher::next(Deadline deadline) {
  const auto t0 = Clock::now();
  std::unique_lock lk(mu_);
  cv_.wait_until(lk, deadline, [&] { return !ready_.empty() || error_; });
  wait_s_ += std::chrono::duration<double>(Clock::now() - t0).count();
  if (error_) std::rethrow_exception(error_);
  if (ready_.empty()) return std::nullopt;
  DeviceBatch b = std::move(ready_.front());
  ready_.pop_front();
  cv_.notify_all();
  lk.unlock();
  if (b.ready) {
    // The training stream waits for the copy on the GPU; the allocator learns the memory is used
    // there, so it is not recycled for the side stream while training still reads it.
    c10::impl::VirtualGuardImpl impl(c10::DeviceType::CUDA);
    auto current = impl.getStream(device_);
    b.ready->block(current);
    b.batch.obs.record_stream(current);
  }
  return b;
}

void BatchPrefetcher::done(DeviceBatch& b) {
  if (b.view) {
    reader_.release(*b.view);
    b.view.reset();
  }
  b.batch = Batch{};
}

}  // namespace shmrl::learner
