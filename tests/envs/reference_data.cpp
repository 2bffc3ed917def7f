#include "reference_data.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace shmrl::envs::testing {

namespace {
std::vector<float> floats(const nlohmann::json& j) {
  std::vector<float> v;
  if (j.is_array())
    for (const auto& x : j) v.push_back(x.get<float>());
  else
    v.push_back(j.get<float>());
  return v;
}
}  // namespace

Recording load_recording(const std::string& name) {
  const std::string path = std::string(SHMRL_TEST_DATA_DIR) + "/gymnasium/" + name + ".json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path + " (run scripts/record_gymnasium.py)");
  const nlohmann::json doc = nlohmann::json::parse(in);
  Recording rec;
  rec.env_id = doc.at("env_id").get<std::string>();
  rec.kwargs = doc.at("kwargs").get<EnvKwargs>();
  rec.max_episode_steps = doc.at("max_episode_steps").get<int>();
  for (const auto& e : doc.at("episodes")) {
    RecordedEpisode ep;
    ep.seed = e.at("seed").get<uint64_t>();
    if (e.contains("initial_state")) ep.initial_state = e["initial_state"].get<std::vector<double>>();
    if (e.contains("draws")) ep.draws = e["draws"].get<std::vector<double>>();
    ep.initial_obs = floats(e.at("initial_obs"));
    for (const auto& a : e.at("actions")) ep.actions.push_back(floats(a));
    for (const auto& o : e.at("obs")) ep.obs.push_back(floats(o));
    if (e.contains("obs_steps")) ep.obs_steps = e["obs_steps"].get<std::vector<int>>();
    ep.rewards = e.at("rewards").get<std::vector<double>>();
    for (int t : e.at("terminated").get<std::vector<int>>()) ep.terminated.push_back(t != 0);
    for (int t : e.at("truncated").get<std::vector<int>>()) ep.truncated.push_back(t != 0);
    rec.episodes.push_back(std::move(ep));
  }
  return rec;
}

std::vector<std::byte> encode_action(const Space& space, const std::vector<float>& action) {
  std::vector<std::byte> bytes(space.bytes());
  if (space.kind == Space::Kind::Discrete) {
    const auto a = static_cast<int32_t>(action.at(0));
    std::memcpy(bytes.data(), &a, sizeof a);
  } else {
    if (action.size() != space.numel()) throw std::runtime_error("recorded action has wrong size");
    std::memcpy(bytes.data(), action.data(), bytes.size());
  }
  return bytes;
}

double max_abs_diff(const std::vector<float>& a, const float* b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
  return m;
}

}  // namespace shmrl::envs::testing
