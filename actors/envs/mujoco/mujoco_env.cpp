#include "actors/envs/mujoco/mujoco_env.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

namespace shmrl::envs::mujoco {

namespace {

constexpr const char* kInstall =
    "launch/setup installs it: ${SHMRL_HOME:-~/.cache/shmrl}/torch-venv/bin/pip install "
    "'gymnasium[mujoco]==1.4.0' 'mujoco==4.0.0' (or set SHMRL_MUJOCO_ASSETS to a folder holding "
    "gymnasium's envs/mujoco/assets)";

// Warnings are rare and come in bursts when a simulation blows up: the first ones and then every
// 1000th reach the log.
void log_warning(const char* msg) {
  static std::atomic<long> count{0};
  const long n = ++count;
  if (n <= 10 || n % 1000 == 0) std::fprintf(stderr, "MuJoCo warning (%ld so far): %s\n", n, msg);
}

[[noreturn]] void throw_error(const char* msg) {
  throw std::runtime_error(std::string("MuJoCo error: ") + msg);
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    mju_user_warning = log_warning;
    mju_user_error = throw_error;
  });
}

std::shared_ptr<const mjModel> load_model(const std::string& env_id, const std::string& path) {
  static std::mutex mu;
  // Kept for the process's life: a few small models, loaded (and their XML warnings logged) once.
  static std::map<std::string, std::shared_ptr<const mjModel>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(path); it != cache.end()) return it->second;
  if (!std::filesystem::exists(path))
    throw std::runtime_error(env_id + ": model file " + path + " does not exist; " + kInstall);
  char error[1000] = "";
  mjModel* m = mj_loadXML(path.c_str(), nullptr, error, sizeof error);
  if (!m) throw std::runtime_error(env_id + ": MuJoCo cannot load " + path + ": " + error);
  std::shared_ptr<const mjModel> shared(m, [](const mjModel* p) { mj_deleteModel(const_cast<mjModel*>(p)); });
  cache[path] = shared;
  return shared;
}

int warning_count(const mjData* d) {
  return d->warning[mjWARN_BADQPOS].number + d->warning[mjWARN_BADQVEL].number +
         d->warning[mjWARN_BADQACC].number;
}

}  // namespace

std::string model_path(const std::string& xml_file) {
  if (xml_file.starts_with("/") || xml_file.starts_with(".")) return xml_file;
  if (xml_file.starts_with("~")) {
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "") + xml_file.substr(1);
  }
  const char* dir = std::getenv("SHMRL_MUJOCO_ASSETS");
  return std::string(dir && *dir ? dir : SHMRL_MUJOCO_ASSETS) + "/" + xml_file;
}

MujocoEnv::MujocoEnv(Options options) : options_(std::move(options)) {
  install_handlers();
  model_ = load_model(options_.env_id, model_path(options_.xml_file));
  data_ = mj_makeData(model_.get());
  if (!data_) throw std::runtime_error(options_.env_id + ": mj_makeData failed (out of memory?)");
  init_qpos_.assign(data_->qpos, data_->qpos + model_->nq);
  init_qvel_.assign(data_->qvel, data_->qvel + model_->nv);
  action_.assign(model_->nu, 0.0f);
  squares_f32_.assign(model_->nu, 0.0f);
  squares_.assign(std::max(model_->nu, 6 * model_->nbody), 0.0);  // ctrl or cfrc_ext
  // Gymnasium's action space: actuator_ctrlrange as float32.
  std::vector<float> low(model_->nu), high(model_->nu);
  for (int i = 0; i < model_->nu; ++i) {
    low[i] = static_cast<float>(model_->actuator_ctrlrange[2 * i]);
    high[i] = static_cast<float>(model_->actuator_ctrlrange[2 * i + 1]);
  }
  action_space_ = Space::box({model_->nu}, std::move(low), std::move(high));
}

MujocoEnv::Options MujocoEnv::read_options(KwargReader& kw, Options o) {
  o.xml_file = kw.get_string("xml_file", o.xml_file);
  o.frame_skip = kw.get_int("frame_skip", o.frame_skip, 1, 1000);
  if (o.noise_kwarg) o.reset_noise_scale = kw.get_double("reset_noise_scale", o.reset_noise_scale, 0, 1e3);
  return o;
}

MujocoEnv::~MujocoEnv() { mj_deleteData(data_); }

void MujocoEnv::init_spaces(std::size_t obs_size) {
  const float inf = INFINITY;
  obs_space_ = Space::box({static_cast<int64_t>(obs_size)}, std::vector<float>(obs_size, -inf),
                          std::vector<float>(obs_size, inf));
  obs_scratch_.assign(obs_size, 0.0f);
}

void MujocoEnv::write_obs_bytes(std::byte* obs) const {
  auto* scratch = const_cast<float*>(obs_scratch_.data());  // scratch only: obs may be unaligned
  write_obs(scratch);
  std::memcpy(obs, scratch, obs_scratch_.size() * sizeof(float));
}

int MujocoEnv::named_body(const char* name) const {
  const int id = mj_name2id(model_.get(), mjOBJ_BODY, name);
  if (id < 0)
    throw std::runtime_error(options_.env_id + ": the model " + model_path(options_.xml_file) +
                             " has no body named '" + name + "', which this env reads");
  return id;
}

void MujocoEnv::add_reset_noise(Rng& rng, double* qpos, double* qvel) const {
  const double s = options_.reset_noise_scale;
  for (int i = 0; i < model_->nq; ++i) qpos[i] += rng.uniform(-s, s);
  for (int i = 0; i < model_->nv; ++i)
    qvel[i] += options_.velocity_noise == VelocityNoise::kNormal ? s * rng.standard_normal()
                                                                 : rng.uniform(-s, s);
}

void MujocoEnv::reset(uint64_t seed, std::byte* obs) {
  rng_.reseed(seed);
  std::vector<double> state(init_qpos_);
  state.insert(state.end(), init_qvel_.begin(), init_qvel_.end());
  add_reset_noise(rng_, state.data(), state.data() + model_->nq);
  set_state(state, obs);
}

std::vector<double> MujocoEnv::state() const {
  std::vector<double> s(data_->qpos, data_->qpos + model_->nq);
  s.insert(s.end(), data_->qvel, data_->qvel + model_->nv);
  return s;
}

void MujocoEnv::set_state(std::span<const double> state, std::byte* obs) {
  if (state.size() != static_cast<std::size_t>(model_->nq + model_->nv))
    throw std::invalid_argument(options_.env_id + ": set_state needs nq + nv = " +
                                std::to_string(model_->nq + model_->nv) + " values, got " +
                                std::to_string(state.size()));
  mj_resetData(model_.get(), data_);
  std::memcpy(data_->qpos, state.data(), sizeof(double) * model_->nq);
  std::memcpy(data_->qvel, state.data() + model_->nq, sizeof(double) * model_->nv);
  mj_forward(model_.get(), data_);
  write_obs_bytes(obs);
}

bool MujocoEnv::simulate(const void* action) {
  std::memcpy(action_.data(), action, sizeof(float) * action_.size());
  for (int i = 0; i < model_->nu; ++i) data_->ctrl[i] = action_[i];
  const int warnings = warning_count(data_);
  for (int i = 0; i < options_.frame_skip; ++i) mj_step(model_.get(), data_);
  mj_rnePostConstraint(model_.get(), data_);
  if (warning_count(data_) != warnings) return false;
  for (int i = 0; i < model_->nq; ++i)
    if (!std::isfinite(data_->qpos[i])) return false;
  for (int i = 0; i < model_->nv; ++i)
    if (!std::isfinite(data_->qvel[i])) return false;
  return true;
}

StepResult MujocoEnv::unstable(std::byte* obs) {
  ++unstable_episodes_;
  std::fprintf(stderr,
               "%s: unstable simulation (NaN, Inf or huge state) at t = %g; the episode ends here "
               "as terminated with reward 0 (%ld such episodes in this env)\n",
               options_.env_id.c_str(), data_->time, unstable_episodes_);
  // The observation comes from the model's initial state (MuJoCo resets on the bad values it
  // notices; a non-finite state it missed is reset here too): finite, and never learned from as a
  // bootstrap since the episode is terminated.
  mj_resetData(model_.get(), data_);
  mj_forward(model_.get(), data_);
  write_obs_bytes(obs);
  return {0.0, true, false};
}

double MujocoEnv::raw_mj_steps_per_second(double seconds) const {
  const mjModel* m = model_.get();
  mjData* d = mj_copyData(nullptr, m, data_);
  if (!d) throw std::runtime_error(options_.env_id + ": mj_copyData failed (out of memory?)");
  Rng rng(1);
  long steps = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  do {
    for (int k = 0; k < 100; ++k, ++steps) {  // the clock is read every 100 steps
      if (steps % options_.frame_skip == 0)
        for (int i = 0; i < m->nu; ++i)
          d->ctrl[i] = rng.uniform(m->actuator_ctrlrange[2 * i], m->actuator_ctrlrange[2 * i + 1]);
      if (steps % (long(options_.frame_skip) * options_.max_episode_steps) == 0) {
        mj_resetData(m, d);
        mj_forward(m, d);
      }
      mj_step(m, d);
    }
  } while (std::chrono::steady_clock::now() < until);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  mj_deleteData(d);
  return steps / elapsed;
}

double MujocoEnv::action_cost(double weight) const {
  auto* squares = const_cast<float*>(squares_f32_.data());  // scratch, sized nu at construction
  for (std::size_t i = 0; i < action_.size(); ++i) squares[i] = action_[i] * action_[i];
  return static_cast<float>(weight) * numpy_sum(squares, action_.size());
}

double MujocoEnv::squared_sum(const double* v, int n) {
  if (squares_.size() < static_cast<std::size_t>(n)) squares_.resize(n);
  for (int i = 0; i < n; ++i) squares_[i] = v[i] * v[i];
  return numpy_sum(squares_.data(), n);
}

}  // namespace shmrl::envs::mujoco
