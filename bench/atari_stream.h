#pragma once
// A seeded stream of Atari-shaped n-step records (obs and next_obs uint8 [k, 84, 84] frame stacks)
// as actors produce them: E envs stepped in turn, each record's stacks built from its env's own
// episode, n-step records emitted n steps late and flushed at episode end, stacks at an episode's
// start padded with zero frames or with its first frame (both styles occur), and now and then a
// frame equal to the one before (static screens). For `bench replay` and the frame-store tests.
// Header-only, plain C++.
//
// Threading: one thread per stream.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <random>
#include <vector>

#include "common/schema.h"

namespace shmrl::bench {

struct AtariStreamOptions {
  int envs = 8;                  // >= 1
  int n_step = 3;                // >= 1
  int frame_side = 84;           // frames are side x side
  int max_episode_steps = 400;   // episodes last 1..max steps (uniform)
  double repeat_frame = 0.1;     // P(a step's frame equals the one before)
  uint64_t seed = 1;
};

class AtariStream {
 public:
  AtariStream(const TransitionSchema& schema, AtariStreamOptions o)
      : schema_(schema), o_(o), k_(static_cast<std::size_t>(schema.obs_space().shape[0])),
        frame_(static_cast<std::size_t>(o.frame_side * o.frame_side)), rng_(o.seed), envs_(o.envs) {
    for (std::size_t i = 0; i < envs_.size(); ++i) {
      envs_[i].id = static_cast<uint32_t>(i);
      start(envs_[i]);
    }
  }

  // The next record (schema.record_bytes()) into `record`. Its policy_version is its number in the
  // stream, its actor_id its env. O(record bytes) (a step's new frame now and then).
  void next(std::byte* record) {
    while (ready_.empty()) step(envs_[rng_() % envs_.size()]);  // envs interleave irregularly
    std::memcpy(record, ready_.front().data(), ready_.front().size());
    ready_.pop_front();
  }

 private:
  struct Env {
    uint32_t id = 0;
    std::vector<std::vector<std::byte>> frames;  // this episode's: frames[t] after step t
    int length = 0;                              // steps this episode lasts
    bool zero_pad = false;                       // stack padding before step 0: zeros or frames[0]
  };

  void start(Env& e) {
    e.frames.clear();
    e.length = 1 + static_cast<int>(rng_() % static_cast<uint64_t>(o_.max_episode_steps));
    e.zero_pad = rng_() % 2 == 0;
    e.frames.push_back(new_frame(nullptr));
  }

  std::vector<std::byte> new_frame(const std::vector<std::byte>* before) {
    if (before && std::uniform_real_distribution<double>(0, 1)(rng_) < o_.repeat_frame) return *before;
    std::vector<std::byte> f(frame_);
    for (std::size_t i = 0; i < frame_; i += 8) {
      const uint64_t v = rng_();
      std::memcpy(f.data() + i, &v, std::min<std::size_t>(8, frame_ - i));
    }
    return f;
  }

  // Steps e once: its n-step record(s) become ready; a finished episode flushes its last ones.
  void step(Env& e) {
    e.frames.push_back(new_frame(&e.frames.back()));
    const int t = static_cast<int>(e.frames.size()) - 1, n = o_.n_step;
    if (t == e.length) {
      for (int s = std::max(0, t - n); s < t; ++s) emit(e, s, t, true);
      start(e);
    } else if (t >= n) {
      emit(e, t - n, t, false);
    }
  }

  void emit(const Env& e, int t, int t_next, bool terminal) {
    std::vector<std::byte> obs(k_ * frame_), next_obs(k_ * frame_);
    stack(e, t, obs.data());
    stack(e, t_next, next_obs.data());
    const int32_t action = static_cast<int32_t>(produced_ % 6);
    TransitionRef r;
    r.obs = obs.data();
    r.next_obs = next_obs.data();
    r.action = reinterpret_cast<const std::byte*>(&action);
    r.reward = static_cast<float>(t_next - t);
    r.discount = terminal ? 0.0f : 0.97f;
    r.initial_priority = 1.0f;
    r.policy_version = produced_++;
    r.actor_id = e.id;
    ready_.emplace_back(schema_.record_bytes());
    schema_.pack(r, ready_.back().data());
  }

  // Frames t-k+1 .. t of e's episode, padded before its first.
  void stack(const Env& e, int t, std::byte* out) const {
    for (std::size_t i = 0; i < k_; ++i) {
      const int f = t - static_cast<int>(k_ - 1 - i);
      std::byte* dst = out + i * frame_;
      if (f >= 0) std::memcpy(dst, e.frames[f].data(), frame_);
      else if (e.zero_pad) std::memset(dst, 0, frame_);
      else std::memcpy(dst, e.frames[0].data(), frame_);
    }
  }

  const TransitionSchema& schema_;
  AtariStreamOptions o_;
  std::size_t k_, frame_;
  std::mt19937_64 rng_;
  std::vector<Env> envs_;
  std::deque<std::vector<std::byte>> ready_;  // packed records, oldest first
  uint64_t produced_ = 0;
};

}  // namespace shmrl::bench
