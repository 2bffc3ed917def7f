#pragma once
// The shared base of the MuJoCo v5 envs (Gymnasium's envs/mujoco/mujoco_env.py semantics):
// the model XML is read at run time from gymnasium's installed assets folder (never copied here),
// the action is written to ctrl (float32 -> float64, MuJoCo clamps to ctrlrange itself), each step
// runs mj_step frame_skip times then mj_rnePostConstraint (so cfrc_ext is current), and reset is
// mj_resetData, init qpos/qvel plus noise, mj_forward.
//
// Reset noise: Gymnasium draws it from numpy's PCG64 stream, which this RNG (rng.h) does not
// reproduce; qpos gets U(-s, s) and qvel U(-s, s) or s * N(0, 1) as the env says, from the env's
// own stream. Tests start from Gymnasium's recorded qpos/qvel through set_state instead.
//
// Unstable simulation: MuJoCo resets the data itself when qpos/qvel/qacc go NaN, Inf or huge
// and counts a warning; step() notices the count (or a non-finite state), logs it to stderr (the
// actor's log), and ends the episode as terminated with reward 0 and a finite observation, so no
// NaN reaches the replay. MuJoCo's warning and error handlers are replaced process-wide: warnings
// go to stderr instead of MUJOCO_LOG.TXT, errors throw std::runtime_error instead of exit().
//
// Threading: one env per thread at a time; the loaded mjModel is shared read-only between the envs
// of a process (loaded once per path).
#include <mujoco/mujoco.h>

#include <memory>
#include <string>
#include <vector>

#include "actors/envs/env.h"
#include "actors/envs/kwargs.h"
#include "actors/envs/rng.h"
#include "actors/envs/mujoco/numpy_sum.h"

namespace shmrl::envs::mujoco {

// Gymnasium's expand_model_path: "/..." or "./..." as given, "~/..." under $HOME, otherwise in the
// gymnasium assets folder ($SHMRL_MUJOCO_ASSETS if set, else the one found at configure time).
std::string model_path(const std::string& xml_file);

class MujocoEnv : public Env {
 public:
  enum class VelocityNoise { kUniform, kNormal };
  struct Options {
    std::string env_id;      // for messages
    std::string xml_file;    // Gymnasium's xml_file kwarg
    int frame_skip = 1;
    double reset_noise_scale = 0;
    VelocityNoise velocity_noise = VelocityNoise::kUniform;
    int max_episode_steps = 1000;
    // False for envs whose reset noise is fixed (Reacher, Pusher): no reset_noise_scale kwarg.
    bool noise_kwarg = true;
  };
  ~MujocoEnv() override;

  const Space& action_space() const override { return action_space_; }
  const Space& observation_space() const override { return obs_space_; }
  int max_episode_steps() const override { return options_.max_episode_steps; }
  // For `shmrl bench actor`: bare mj_step calls per second on a scratch copy of this env's data
  // (no wrapper, no observation, no reward), with uniform random controls changed every frame_skip
  // steps and a reset every max_episode_steps env steps, for about `seconds` of wall time. An env
  // can step at most this / frame_skip times a second. Allocates the scratch mjData.
  double raw_mj_steps_per_second(double seconds) const;
  int frame_skip() const { return options_.frame_skip; }

  // Reseeds, draws the initial state (add_reset_noise), then set_state.
  void reset(uint64_t seed, std::byte* obs) override;
  // qpos then qvel (Gymnasium's state_vector()).
  std::vector<double> state() const override;
  // Gymnasium's reset path from a given state: mj_resetData, qpos/qvel, mj_forward.
  void set_state(std::span<const double> state, std::byte* obs) override;

 protected:
  // Loads the model (throws std::runtime_error naming the path and the install command when the
  // file is missing or does not load). obs_size comes from the subclass's layout, which the
  // constructor cannot ask a virtual for: subclasses call init_spaces(obs_size) once they know it.
  explicit MujocoEnv(Options options);
  // The kwargs every v5 env takes: xml_file, frame_skip, reset_noise_scale (unless
  // !defaults.noise_kwarg); `defaults` holds the env's Gymnasium defaults and the rest of the options.
  static Options read_options(KwargReader& kw, Options defaults);
  void init_spaces(std::size_t obs_size);
  // The body's id; throws std::runtime_error when the model (a user's xml_file) has none so named.
  int named_body(const char* name) const;

  // Called by reset with qpos/qvel at the model's initial state: adds the env's reset noise from
  // `rng` (freshly seeded). The default is qpos + U(-s, s) and qvel + U(-s, s) or s * N(0, 1)
  // (Options::velocity_noise); envs with other draws override it.
  virtual void add_reset_noise(Rng& rng, double* qpos, double* qvel) const;

  // Writes the action to ctrl and steps frame_skip times. False when MuJoCo reported an unstable
  // simulation or the state is not finite: then call unstable(obs) and return its result.
  bool simulate(const void* action);
  StepResult unstable(std::byte* obs);
  // The observation, from the current data.
  virtual void write_obs(float* obs) const = 0;
  void write_obs_bytes(std::byte* obs) const;

  // Gymnasium's control cost weight * sum(action^2) on the last (float32) action: numpy keeps it
  // in float32 (the Python float weight is "weak"), so it is rounded as float32 here too.
  double action_cost(double weight) const;
  // sum(v^2) over n float64 values, summed as numpy does. Allocation-free for n up to
  // max(nu, 6 nbody) (ctrl, cfrc_ext).
  double squared_sum(const double* v, int n);
  double dt() const { return model_->opt.timestep * options_.frame_skip; }
  const mjModel* model() const { return model_.get(); }
  mjData* data() const { return data_; }
  const std::string& env_id() const { return options_.env_id; }

 private:
  Options options_;
  std::shared_ptr<const mjModel> model_;
  mjData* data_ = nullptr;
  std::vector<double> init_qpos_, init_qvel_;
  std::vector<float> action_;  // the last action, as given
  std::vector<float> obs_scratch_, squares_f32_;
  std::vector<double> squares_;
  Rng rng_;
  Space action_space_, obs_space_;
  long unstable_episodes_ = 0;
};

}  // namespace shmrl::envs::mujoco
