#include "actors/envs/gym/gym_bridge.h"

#include <pybind11/embed.h>
#include <pybind11/numpy.h>

#include <mutex>
#include <stdexcept>
#include <vector>

#include "actors/envs/gym_spaces.h"

namespace py = pybind11;

namespace shmrl::envs {
namespace {

// Starts the venv's interpreter once per process and releases the GIL.
void ensure_interpreter() {
  static std::once_flag once;
  std::call_once(once, [] {
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers = 0;  // SIGTERM/SIGINT stay the actor's
    config.parse_argv = 0;
    // The venv's python as the program: getpath reads its pyvenv.cfg, so sys.path has the venv's
    // site-packages (gymnasium, ale-py, numpy) on top of its base interpreter's standard library.
    PyStatus status = PyConfig_SetBytesString(&config, &config.program_name, gym_python().c_str());
    if (!PyStatus_Exception(status)) status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status))
      throw std::runtime_error(std::string("cannot start the embedded Python (") +
                               (status.err_msg ? status.err_msg : "?") + ") for " + gym_python());
    {
      py::gil_scoped_acquire gil;  // a no-op here (held since initialisation); pairs the release
      py::module_::import("sys").attr("path").attr("insert")(0, gym_module_dir());
    }
    PyEval_SaveThread();
  });
}

// A numpy view of memory owned elsewhere (a capsule base: numpy does not copy).
template <class T>
py::array_t<T> view(T* data, std::vector<py::ssize_t> shape) {
  return py::array_t<T>(shape, data, py::capsule(data, [](void*) {}));
}

std::runtime_error python_error(const std::string& id, const char* call, const py::error_already_set& e) {
  return std::runtime_error(id + ": Python raised in " + call + ": " + e.what() +
                            " (its traceback is above in this log)");
}

class GymVectorEnv final : public VectorEnv {
 public:
  GymVectorEnv(const std::string& id, const EnvKwargs& kwargs, const std::string& python_modules,
               std::size_t n, bool evaluation)
      : id_(id),
        spaces_(resolve_gym_spaces(id, kwargs, python_modules)),
        rewards_(n),
        terminated_(n),
        truncated_(n) {
    if (n == 0) throw std::invalid_argument("a vector of " + id + " needs at least one env");
    ensure_interpreter();
    py::gil_scoped_acquire gil;
    try {
      py::list modules;
      std::size_t begin = 0;
      while (begin <= python_modules.size()) {
        const std::size_t end = std::min(python_modules.find(',', begin), python_modules.size());
        if (end > begin) modules.append(python_modules.substr(begin, end - begin));
        begin = end + 1;
      }
      const auto e = static_cast<py::ssize_t>(n);
      bridge_ = py::module_::import("shmrl_gym")
                    .attr("make_bridge")(id.substr(kGymPrefix.size()), kwargs_json(kwargs), modules,
                                    view(rewards_.data(), {e}),
                                    view(reinterpret_cast<bool*>(terminated_.data()), {e}),
                                    view(reinterpret_cast<bool*>(truncated_.data()), {e}), evaluation);
      step_ = bridge_.attr("step");
      reset_ = bridge_.attr("reset");
    } catch (const py::error_already_set& err) {
      throw python_error(id, "gymnasium.make_vec", err);
    }
  }

  ~GymVectorEnv() override {
    py::gil_scoped_acquire gil;
    try {
      bridge_.attr("close")();
    } catch (const py::error_already_set&) {
      // closing is best effort: the process is going away
    }
    step_ = reset_ = bridge_ = py::object();
  }

  double native_steps_per_s(double seconds) override {
    py::gil_scoped_acquire gil;
    try {
      return bridge_.attr("native_rate")(seconds).cast<double>();
    } catch (const py::error_already_set& err) {
      throw python_error(id_, "native_rate", err);
    }
  }

  std::size_t size() const override { return rewards_.size(); }
  const Space& observation_space() const override { return spaces_.obs; }
  const Space& action_space() const override { return spaces_.action; }

  void reset(const uint8_t* mask, const uint64_t* seeds, std::byte* obs) override {
    py::gil_scoped_acquire gil;
    bind(obs, bound_actions_);
    try {
      py::list m, s;
      for (std::size_t e = 0; e < size(); ++e) {
        m.append(py::bool_(mask[e] != 0));
        s.append(py::int_(seeds[e]));
      }
      reset_(m, s);
    } catch (const py::error_already_set& err) {
      throw python_error(id_, "reset", err);
    }
  }

  void step(const std::byte* actions, std::byte* obs, StepResult* results) override {
    {
      py::gil_scoped_acquire gil;
      bind(obs, actions);
      try {
        step_();
      } catch (const py::error_already_set& err) {
        throw python_error(id_, "step", err);
      }
    }
    for (std::size_t e = 0; e < size(); ++e)
      results[e] = StepResult{rewards_[e], terminated_[e] != 0, truncated_[e] != 0};
  }

 private:
  // Points the Python side at the caller's buffers when they change (once, for an actor). GIL held.
  void bind(std::byte* obs, const std::byte* actions) {
    if (obs == bound_obs_ && actions == bound_actions_) return;
    std::vector<py::ssize_t> obs_shape{static_cast<py::ssize_t>(size())};
    for (int64_t d : spaces_.obs.shape) obs_shape.push_back(d);
    py::object obs_view = spaces_.obs.dtype == DType::U8 ? py::object(view(reinterpret_cast<uint8_t*>(obs), obs_shape))
                                                         : py::object(view(reinterpret_cast<float*>(obs), obs_shape));
    py::object actions_view = py::none();
    auto* a = const_cast<std::byte*>(actions);
    if (a && spaces_.action.kind == Space::Kind::Discrete) {
      actions_view = view(reinterpret_cast<int32_t*>(a), {static_cast<py::ssize_t>(size())});
    } else if (a) {
      std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(size())};
      for (int64_t d : spaces_.action.shape) shape.push_back(d);
      actions_view = view(reinterpret_cast<float*>(a), shape);
    }
    bridge_.attr("bind")(obs_view, actions_view);
    bound_obs_ = obs;
    bound_actions_ = actions;
  }

  std::string id_;
  GymSpaces spaces_;
  std::vector<double> rewards_;
  std::vector<uint8_t> terminated_, truncated_;  // numpy bool views (one byte each)
  py::object bridge_, step_, reset_;
  std::byte* bound_obs_ = nullptr;
  const std::byte* bound_actions_ = nullptr;
};

}  // namespace

std::unique_ptr<VectorEnv> make_gym_vector_env(const std::string& id, const EnvKwargs& kwargs,
                                               const std::string& python_modules, std::size_t num_envs,
                                               bool evaluation) {
  return std::make_unique<GymVectorEnv>(id, kwargs, python_modules, num_envs, evaluation);
}

}  // namespace shmrl::envs
