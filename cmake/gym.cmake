# The Python bridge for `gym:` envs (actors/envs/gym/): the actors embed the interpreter the venv
# of launch/setup was made from (its headers and libpython, found by asking the venv's python), with
# pybind11's headers (Debian's pybind11-dev). SHMRL_GYM_PYTHON names another venv's python. Without
# them (or in a sanitizer build) the bridge is left out, `gym:` ids are refused at start and the
# bridge's tests report Skipped. Defines shmrl::python and SHMRL_HAVE_GYM_BRIDGE.
set(_shmrl_home "$ENV{SHMRL_HOME}")
if(NOT _shmrl_home)
  set(_shmrl_home "$ENV{HOME}/.cache/shmrl")
endif()
set(SHMRL_GYM_PYTHON "${_shmrl_home}/torch-venv/bin/python" CACHE FILEPATH
    "Python of the virtual environment holding gymnasium (and ale-py) for gym: envs")

set(SHMRL_HAVE_GYM_BRIDGE OFF)
if(SHMRL_WITH_TORCH AND SHMRL_SANITIZE STREQUAL "" AND EXISTS "${SHMRL_GYM_PYTHON}")
  find_path(SHMRL_PYBIND11_INCLUDE_DIR pybind11/embed.h)
  # A venv's python reports its base interpreter's headers and library directory.
  execute_process(
    COMMAND "${SHMRL_GYM_PYTHON}" -c
            "import sysconfig as s, importlib.util as u; print(';'.join([s.get_paths()['include'], s.get_config_var('LIBDIR') or '', s.get_config_var('LDLIBRARY') or '', str(u.find_spec('gymnasium') is not None)]))"
    OUTPUT_VARIABLE _shmrl_py OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _shmrl_rc)
  if(_shmrl_rc EQUAL 0 AND SHMRL_PYBIND11_INCLUDE_DIR)
    list(GET _shmrl_py 0 _shmrl_py_include)
    list(GET _shmrl_py 1 _shmrl_py_libdir)
    list(GET _shmrl_py 2 _shmrl_py_ldlib)
    list(GET _shmrl_py 3 _shmrl_py_gym)
    if(_shmrl_py_gym STREQUAL "True" AND EXISTS "${_shmrl_py_include}/Python.h"
       AND _shmrl_py_ldlib MATCHES "\\.so" AND EXISTS "${_shmrl_py_libdir}/${_shmrl_py_ldlib}")
      set(SHMRL_HAVE_GYM_BRIDGE ON)
    endif()
  endif()
endif()

if(SHMRL_HAVE_GYM_BRIDGE)
  add_library(shmrl::python SHARED IMPORTED)
  set_target_properties(shmrl::python PROPERTIES
    IMPORTED_LOCATION "${_shmrl_py_libdir}/${_shmrl_py_ldlib}"
    INTERFACE_INCLUDE_DIRECTORIES "${_shmrl_py_include};${SHMRL_PYBIND11_INCLUDE_DIR}")
  message(STATUS "shmrl: gym bridge embeds ${_shmrl_py_libdir}/${_shmrl_py_ldlib} (venv ${SHMRL_GYM_PYTHON})")
else()
  message(STATUS "shmrl: no gym bridge (needs a non-sanitizer torch build, pybind11-dev, and gymnasium "
                 "with a shared libpython for ${SHMRL_GYM_PYTHON}): launch/setup installs them")
endif()
