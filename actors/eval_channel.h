#pragma once
// The launcher <-> evaluator protocol of gym: runs: one shared-memory segment of the run
// (seg::eval_channel()), created by the launcher at its first request, holding one request (seed,
// episodes, the weights blob to evaluate) and one answer (the returns, or why there are none).
//
//   launcher:  submit() -> request = k (futex wake) ... answer(k) until it is there, cancel(k) to stop it
//   evaluator: serve() once; next() waits (with a timeout) for request > last served; cancelled(k)
//              between vector steps; reply(k, ...) publishes answer k.
//
// One request at a time: the launcher submits k + 1 only once answer k arrived or the evaluator that
// took k has ended (the launcher reports that request failed). A restarted evaluator serves only
// requests submitted after its serve(), so an answer never belongs to an earlier process's request:
// the launcher submits only while server_pid() is the evaluator it supervises.
//
// Threading: one thread per side. Plain C++.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/run.h"
#include "common/shm/segment.h"

namespace shmrl::actors {

struct EvalChannelHeader;

enum class EvalStatus : uint32_t { Ok = 0, Failed = 1, Cancelled = 2 };

struct EvalRequest {
  uint64_t seq = 0, seed = 0, weight_version = 0;
  int episodes = 0;
  std::vector<std::byte> weights;
};

struct EvalAnswer {
  EvalStatus status = EvalStatus::Failed;
  std::vector<double> returns;  // Ok: one per episode
  uint64_t env_steps = 0;
  std::string error;            // Failed: what went wrong (at most kMaxError bytes)
};

class EvalChannel {
 public:
  static constexpr std::size_t kMaxError = 2000;

  // Launcher: a new channel for blobs of up to max_weights bytes and up to max_episodes returns.
  // Throws as shm::Segment::create.
  static EvalChannel create(const RunContext& run, std::size_t max_weights, int max_episodes);
  // Evaluator: the run's channel, or std::nullopt while the launcher has not created it.
  static std::optional<EvalChannel> attach(const RunContext& run);

  // ---- launcher
  std::size_t max_weights() const;
  int max_episodes() const;
  // The pid of the evaluator serving the channel (0 before the first serve()).
  pid_t server_pid() const;
  // Publishes a request and returns its number. Preconditions: weights.size() <= max_weights(),
  // 1 <= episodes <= max_episodes(); the previous request was answered or its server ended.
  uint64_t submit(uint64_t seed, int episodes, uint64_t weight_version, std::span<const std::byte> weights);
  // Asks the evaluator to stop request `seq` (it answers Cancelled within a vector step).
  void cancel(uint64_t seq);
  // Answer `seq`, once the evaluator has published it.
  std::optional<EvalAnswer> answer(uint64_t seq) const;

  // ---- evaluator
  // Makes this process the channel's server; requests submitted before are not its to answer.
  void serve(pid_t self);
  // The next request after the last one served, waiting up to `timeout` (nullopt if none came).
  std::optional<EvalRequest> next(std::chrono::nanoseconds timeout);
  bool cancelled(uint64_t seq) const;
  // Publishes the answer to request `seq` (error truncated to kMaxError bytes; returns must fit).
  void reply(uint64_t seq, const EvalAnswer& answer);

 private:
  explicit EvalChannel(shm::Segment seg);
  double* returns() const;
  std::byte* weights() const;
  shm::Segment seg_;
  EvalChannelHeader* h_;
  uint64_t served_ = 0;  // evaluator: the last request taken
};

}  // namespace shmrl::actors
