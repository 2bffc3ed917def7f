#pragma once
// Batch prefetch: a background thread takes ready batches from this learner's shared-memory batch
// slots (replay/batch_slots.h) and turns them into tensors on the learner's device, so the training
// thread finds the next batch waiting instead of waiting on a copy.
//   CPU:  zero-copy. Tensors are views of the slot (torch::from_blob); the slot stays acquired until
//         done() hands it back.
//   CUDA: the slot segment is page-locked once (cudaHostRegister), so each batch is copied
//         straight from its slot to the device by non_blocking copies on a side stream (no host
//         copy); the prefetch thread releases the slot when the copy's event completes, and next()
//         makes the training stream wait for that event (on the GPU, not the host). Where the
//         segment cannot be registered, the slot is first copied into pinned staging memory
//         (released at once), with a warning on stderr.
//
// Threading: next()/done() from one training thread; the prefetch thread is internal.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "common/schema.h"
#include "common/time.h"
#include "learner/dqn.h"
#include "replay/batch_slots.h"

namespace c10 {
class Event;
}

namespace shmrl::learner {

struct DeviceBatch {
  Batch batch;                  // on the learner's device
  std::vector<uint64_t> keys;   // replay keys in row order (for priority updates)
  uint64_t seq = 0;             // batch number in the slot segment
  uint64_t generation = 0;      // replay storage generation that sampled it
  std::optional<replay::BatchView> view;  // CPU: the slot, held until done()
  std::shared_ptr<c10::Event> ready;      // CUDA: the copy's event (internal)
};

// Views of one batch's columns (a uint8 tensor over BatchLayout bytes, on any device) as typed
// tensors; `weights` is a [B] float32 tensor. Never copies. O(fields).
Batch batch_from_bytes(const torch::Tensor& bytes, const BatchLayout& layout,
                       const TransitionSchema& schema, const torch::Tensor& weights);

class BatchPrefetcher {
 public:
  // depth: batches kept ready (>= 1). On CPU each one holds a slot, so depth + 1 (the batch being
  // trained on) should stay below the number of slots for the service to keep filling.
  // `reader` must outlive the prefetcher. Starts the thread.
  BatchPrefetcher(replay::BatchReader& reader, const TransitionSchema& schema, torch::Device device,
                  int depth);
  ~BatchPrefetcher();  // stops and joins the thread; releases the slots of undelivered batches
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // The next batch in sampling order, ready to use on the current stream; std::nullopt if none
  // arrived by the deadline. Rethrows an error of the prefetch thread.
  std::optional<DeviceBatch> next(Deadline deadline);
  // The caller is done with b (its tensors may no longer be used): releases its slot on CPU.
  void done(DeviceBatch& b);
  // Seconds next() spent waiting, in total.
  double wait_seconds() const { return wait_s_; }
  // CUDA: batches are copied straight from the registered slot segment (false: staging fallback).
  bool direct() const;

 private:
  void run();
  // The batch's tensors; on CUDA also the event after which the slot may be released (null: it
  // already was, or it is held until done()).
  DeviceBatch convert(const replay::BatchView& v, std::shared_ptr<c10::Event>& release_after);

  replay::BatchReader& reader_;
  const TransitionSchema& schema_;
  torch::Device device_;
  std::size_t depth_;
  struct Cuda;  // staging buffers, side stream, events (CUDA only)
  std::unique_ptr<Cuda> cuda_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<DeviceBatch> ready_;
  bool stop_ = false;
  std::exception_ptr error_;
  double wait_s_ = 0;
  std::thread thread_;
};

}  // namespace shmrl::learner
