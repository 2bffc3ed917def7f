# MuJoCo from the PyPI `mujoco` wheel (libmujoco.so.* and include/mujoco/) and the model XMLs from
# gymnasium's package, both in the virtual environment launch/setup fills ($SHMRL_HOME/torch-venv).
# SHMRL_MUJOCO_PYTHON names another interpreter. Without them the MuJoCo envs are left out and their
# tests report Skipped. Defines the target shmrl::mujoco and SHMRL_HAVE_MUJOCO.
set(_shmrl_home "$ENV{SHMRL_HOME}")
if(NOT _shmrl_home)
  set(_shmrl_home "$ENV{HOME}/.cache/shmrl")
endif()
set(SHMRL_MUJOCO_PYTHON "${_shmrl_home}/torch-venv/bin/python" CACHE FILEPATH
    "Python whose site-packages hold the mujoco wheel and gymnasium")

set(SHMRL_HAVE_MUJOCO OFF)
if(EXISTS "${SHMRL_MUJOCO_PYTHON}")
  # find_spec locates the packages without importing them (mujoco's import loads GL bindings).
  execute_process(
    COMMAND "${SHMRL_MUJOCO_PYTHON}" -c
            "import importlib.util as u; print(';'.join(u.find_spec(m).submodule_search_locations[0] for m in ('mujoco', 'gymnasium')))"
    OUTPUT_VARIABLE _shmrl_pkgs OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _shmrl_rc)
  if(_shmrl_rc EQUAL 0)
    list(GET _shmrl_pkgs 0 _shmrl_mujoco_dir)
    list(GET _shmrl_pkgs 1 _shmrl_gym_dir)
    file(GLOB _shmrl_mujoco_lib "${_shmrl_mujoco_dir}/libmujoco.so.*")
    if(_shmrl_mujoco_lib AND EXISTS "${_shmrl_mujoco_dir}/include/mujoco/mujoco.h")
      list(GET _shmrl_mujoco_lib 0 _shmrl_mujoco_lib)
      set(SHMRL_HAVE_MUJOCO ON)
    endif()
  endif()
endif()

if(SHMRL_HAVE_MUJOCO)
  add_library(shmrl::mujoco SHARED IMPORTED)
  get_filename_component(_shmrl_soname "${_shmrl_mujoco_lib}" NAME)
  set_target_properties(shmrl::mujoco PROPERTIES
    IMPORTED_LOCATION "${_shmrl_mujoco_lib}" IMPORTED_SONAME "${_shmrl_soname}"
    INTERFACE_INCLUDE_DIRECTORIES "${_shmrl_mujoco_dir}/include")
  # The model files stay in gymnasium's package; the envs read them from there at run time.
  set(SHMRL_MUJOCO_ASSETS "${_shmrl_gym_dir}/envs/mujoco/assets")
  message(STATUS "shmrl: MuJoCo ${_shmrl_mujoco_lib}, models from ${SHMRL_MUJOCO_ASSETS}")
else()
  message(STATUS "shmrl: no MuJoCo (no mujoco wheel and gymnasium for ${SHMRL_MUJOCO_PYTHON}): "
                 "the MuJoCo envs are left out; launch/setup installs them")
endif()
