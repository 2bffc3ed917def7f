#include "actors/eval_channel.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>

#include "common/shm/futex.h"

namespace shmrl::actors {

struct alignas(64) EvalChannelHeader {
  std::atomic<uint64_t> magic;  // set last by create(): attach() sees a whole header or none
  uint64_t max_weights;
  uint32_t max_episodes;
  std::atomic<int32_t> server_pid;
  std::atomic<uint64_t> request;  // newest request number (launcher)
  std::atomic<uint64_t> cancel;   // newest cancelled request (launcher)
  std::atomic<uint64_t> done;     // newest answered request (evaluator)
  shm::EventWord request_event;   // the evaluator sleeps on it between requests
  // The request (launcher; read after `request`).
  uint64_t seed, weight_version, weight_bytes;
  uint32_t episodes;
  // The answer (evaluator; read after `done`).
  uint32_t status, count;
  uint64_t env_steps;
  char error[EvalChannel::kMaxError + 1];
};

namespace {
constexpr uint64_t kMagic = 0x73686d726c657631ULL;  // "shmrlev1"
constexpr std::size_t kHeaderBytes = (sizeof(EvalChannelHeader) + 63) / 64 * 64;
}  // namespace

EvalChannel::EvalChannel(shm::Segment seg)
    : seg_(std::move(seg)), h_(reinterpret_cast<EvalChannelHeader*>(seg_.data())) {}

EvalChannel EvalChannel::create(const RunContext& run, std::size_t max_weights, int max_episodes) {
  if (max_episodes < 1) throw std::invalid_argument("EvalChannel: max_episodes must be >= 1");
  const std::size_t weights_at = kHeaderBytes + (static_cast<std::size_t>(max_episodes) * sizeof(double) + 63) / 64 * 64;
  EvalChannel c(shm::Segment::create(run.run_id, seg::eval_channel(), weights_at + max_weights, run.owner));
  c.h_->max_weights = max_weights;
  c.h_->max_episodes = static_cast<uint32_t>(max_episodes);
  c.h_->magic.store(kMagic, std::memory_order_release);
  return c;
}

std::optional<EvalChannel> EvalChannel::attach(const RunContext& run) {
  if (!shm::Segment::exists(run.run_id, seg::eval_channel())) return std::nullopt;
  try {
    EvalChannel c(shm::Segment::open(run.run_id, seg::eval_channel()));
    if (c.seg_.size() < kHeaderBytes || c.h_->magic.load(std::memory_order_acquire) != kMagic) return std::nullopt;
    return c;
  } catch (const std::runtime_error&) {
    return std::nullopt;  // the launcher is still creating it
  }
}

double* EvalChannel::returns() const { return reinterpret_cast<double*>(seg_.data() + kHeaderBytes); }
std::byte* EvalChannel::weights() const { return seg_.data() + seg_.size() - h_->max_weights; }
std::size_t EvalChannel::max_weights() const { return h_->max_weights; }
int EvalChannel::max_episodes() const { return static_cast<int>(h_->max_episodes); }
pid_t EvalChannel::server_pid() const { return h_->server_pid.load(std::memory_order_acquire); }

uint64_t EvalChannel::submit(uint64_t seed, int episodes, uint64_t weight_version,
                             std::span<const std::byte> blob) {
  if (blob.size() > max_weights() || episodes < 1 || episodes > max_episodes())
    throw std::invalid_argument("EvalChannel::submit: " + std::to_string(blob.size()) + " bytes of weights and " +
                                std::to_string(episodes) + " episodes do not fit the channel");
  const uint64_t seq = h_->request.load(std::memory_order_relaxed) + 1;
  h_->seed = seed;
  h_->weight_version = weight_version;
  h_->weight_bytes = blob.size();
  h_->episodes = static_cast<uint32_t>(episodes);
  std::memcpy(weights(), blob.data(), blob.size());
  h_->request.store(seq, std::memory_order_release);
  h_->request_event.notify();
  return seq;
}

void EvalChannel::cancel(uint64_t seq) { h_->cancel.store(seq, std::memory_order_release); }

std::optional<EvalAnswer> EvalChannel::answer(uint64_t seq) const {
  if (h_->done.load(std::memory_order_acquire) != seq) return std::nullopt;
  EvalAnswer a;
  a.status = static_cast<EvalStatus>(h_->status);
  a.env_steps = h_->env_steps;
  a.returns.assign(returns(), returns() + std::min<uint32_t>(h_->count, h_->max_episodes));
  a.error = std::string(h_->error, strnlen(h_->error, kMaxError));
  return a;
}

void EvalChannel::serve(pid_t self) {
  served_ = h_->request.load(std::memory_order_acquire);
  h_->server_pid.store(self, std::memory_order_release);
}

std::optional<EvalRequest> EvalChannel::next(std::chrono::nanoseconds timeout) {
  if (h_->request.load(std::memory_order_acquire) == served_) {
    const uint32_t seen = h_->request_event.prepare();
    if (h_->request.load(std::memory_order_acquire) == served_) h_->request_event.sleep(seen, timeout);
    h_->request_event.finish();
  }
  const uint64_t seq = h_->request.load(std::memory_order_acquire);
  if (seq == served_) return std::nullopt;
  served_ = seq;
  EvalRequest r;
  r.seq = seq;
  r.seed = h_->seed;
  r.weight_version = h_->weight_version;
  r.episodes = static_cast<int>(h_->episodes);
  const std::size_t bytes = std::min<uint64_t>(h_->weight_bytes, h_->max_weights);
  r.weights.assign(weights(), weights() + bytes);
  return r;
}

bool EvalChannel::cancelled(uint64_t seq) const { return h_->cancel.load(std::memory_order_acquire) >= seq; }

void EvalChannel::reply(uint64_t seq, const EvalAnswer& a) {
  if (a.returns.size() > h_->max_episodes)
    throw std::invalid_argument("EvalChannel::reply: more returns than the channel holds");
  h_->status = static_cast<uint32_t>(a.status);
  h_->count = static_cast<uint32_t>(a.returns.size());
  h_->env_steps = a.env_steps;
  std::copy(a.returns.begin(), a.returns.end(), returns());
  const std::size_t n = std::min(a.error.size(), kMaxError);
  std::memcpy(h_->error, a.error.data(), n);
  h_->error[n] = '\0';
  h_->done.store(seq, std::memory_order_release);
}

}  // namespace shmrl::actors
