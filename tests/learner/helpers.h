#pragma once
// Shared helpers of the learner tests: hand-set tiny networks, batches from literals.
// Include this first in every learner test: c10 defines a glog-style CHECK macro, so LibTorch comes
// first and Catch's CHECK replaces it.
#include <torch/torch.h>
#undef CHECK
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "learner/dqn.h"
#include "learner/options.h"
#include "models/q_model.h"
#include "models/qnet.h"

namespace shmrl::learner::test {

// The DQN options of the schema's defaults (the only defaults there are).
inline DqnOptions default_dqn() { return LearnerOptions::defaults().dqn_options(); }

inline torch::Tensor t1(std::vector<float> v) { return torch::tensor(v, torch::kFloat32); }
inline torch::Tensor t2(std::vector<float> v, int64_t rows) {
  return torch::tensor(v, torch::kFloat32).reshape({rows, -1});
}

// Overwrites a Linear layer's weight ([out, in], row-major) and bias.
inline void set_linear(const torch::nn::Linear& l, std::vector<float> w, std::vector<float> b) {
  torch::NoGradGuard g;
  l->weight.copy_(t1(w).reshape_as(l->weight));
  l->bias.copy_(t1(b));
}

// A linear (no hidden layer), non-dueling QNet: Q(s) = W s + b, with W, b given.
inline models::QNetOptions linear_qnet(int64_t obs_dim, int64_t actions, bool dueling = false) {
  models::QNetOptions o;
  o.obs_dim = obs_dim;
  o.num_actions = actions;
  o.dueling = dueling;
  return o;
}

// The QNet behind a QModel built by qnet_factory.
inline models::QNetImpl& as_qnet(models::QModel& m) {
  return dynamic_cast<models::QNetImpl&>(*m.module);
}

// Makes `to` a copy of `from`: online and target networks (an update reads both), across devices.
inline void copy_networks(DqnLearner& from, DqnLearner& to) {
  torch::NoGradGuard g;
  for (auto [src, dst] : {std::pair{&from.online(), &to.online()}, std::pair{&from.target(), &to.target()}}) {
    auto s = src->module->parameters(), d = dst->module->parameters();
    for (std::size_t i = 0; i < s.size(); ++i) d[i].copy_(s[i]);
  }
}

// A fresh temporary directory, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "shmrl-learner-test-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
};

}  // namespace shmrl::learner::test
