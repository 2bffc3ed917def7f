#include "models/nature_cnn.h"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace shmrl::models {

void NatureCnnOptions::validate() const {
  if (in_channels <= 0)
    throw std::invalid_argument("NatureCnn: in_channels = " + std::to_string(in_channels) +
                                ", must be > 0");
  if (num_actions <= 0)
    throw std::invalid_argument("NatureCnn: num_actions = " + std::to_string(num_actions) +
                                ", must be > 0");
}

NatureCnnImpl::NatureCnnImpl(const NatureCnnOptions& opts) : opts_(opts) {
  opts_.validate();
  namespace nn = torch::nn;
  c1_ = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(opts_.in_channels, 32, 8).stride(4)));
  c2_ = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(32, 64, 4).stride(2)));
  c3_ = register_module("conv3", nn::Conv2d(nn::Conv2dOptions(64, 64, 3).stride(1)));
  fc_ = register_module("fc", nn::Linear(64 * 7 * 7, 512));  // 84 -> 20 -> 9 -> 7
  head_ = register_module("head", nn::Linear(512, opts_.num_actions));
  if (opts_.dueling) value_ = register_module("value", nn::Linear(512, 1));
}

torch::Tensor NatureCnnImpl::forward(torch::Tensor x) {
  if (x.scalar_type() == torch::kUInt8) x = x.to(torch::kFloat32).div_(255.0);
  x = torch::relu(c1_->forward(x));
  x = torch::relu(c2_->forward(x));
  x = torch::relu(c3_->forward(x));
  x = torch::relu(fc_->forward(x.flatten(1)));
  auto a = head_->forward(x);
  if (!opts_.dueling) return a;
  return value_->forward(x) + a - a.mean(1, /*keepdim=*/true);
}

std::string nature_cnn_arch(const NatureCnnOptions& opts) {
  return "nature_cnn channels=" + std::to_string(opts.in_channels) + " actions=" +
         std::to_string(opts.num_actions) + " dueling=" + std::to_string(opts.dueling ? 1 : 0);
}

std::optional<NatureCnnOptions> parse_nature_cnn_arch(const std::string& arch) {
  NatureCnnOptions o;
  long long channels = 0, actions = 0;
  int dueling = -1;
  if (std::sscanf(arch.c_str(), "nature_cnn channels=%lld actions=%lld dueling=%d", &channels, &actions, &dueling) != 3)
    return std::nullopt;
  o.in_channels = channels, o.num_actions = actions, o.dueling = dueling == 1;
  if (channels <= 0 || actions <= 0 || nature_cnn_arch(o) != arch) return std::nullopt;  // canonical form only
  return o;
}

QModelFactory nature_cnn_factory(const NatureCnnOptions& opts) {
  opts.validate();
  return [opts] {
    NatureCnn net(opts);
    QModel m;
    m.module = net.ptr();
    m.forward = [net](const torch::Tensor& obs) mutable { return net->forward(obs); };
    m.arch = nature_cnn_arch(opts);
    return m;
  };
}

}  // namespace shmrl::models
