# LibTorch comes from an existing torch install or the PyPI wheel that launch/setup puts outside the
# checkout; launch/build passes its CMake prefix as Torch_DIR. TORCH_DIR in the environment overrides.
if(DEFINED ENV{TORCH_DIR} AND NOT Torch_DIR)
  set(Torch_DIR "$ENV{TORCH_DIR}")
endif()
# Without a GPU, torch's CUDA config would try to detect one and fail: name the targets (Hopper, Ampere)
# unless the caller chose.
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(ENV{TORCH_CUDA_ARCH_LIST} "8.0;9.0")
endif()
find_package(Torch REQUIRED)

# The PyPI wheel keeps CUDA, cuDNN and NCCL in site-packages/nvidia/*/lib and relies on Python to
# preload them; a C++ binary needs them on its rpath (and the linker must prefer them to any older
# system copy, e.g. /usr/local/cuda's NCCL).
get_filename_component(_shmrl_site "${Torch_DIR}/../../../.." ABSOLUTE)
file(GLOB _shmrl_nvidia_libs LIST_DIRECTORIES true "${_shmrl_site}/nvidia/*/lib")
foreach(_dir ${_shmrl_nvidia_libs})
  add_link_options("-Wl,-rpath-link,${_dir}" "-Wl,-rpath,${_dir}")
endforeach()

set(SHMRL_HAVE_CUDA OFF)
if(CUDA_FOUND)
  set(SHMRL_HAVE_CUDA ON)
endif()
message(STATUS "shmrl: LibTorch ${Torch_VERSION} from ${Torch_DIR}, CUDA build: ${SHMRL_HAVE_CUDA}")

# LibTorch without its CUDA libraries, for processes that never use a GPU (actors): they start without
# loading and initialising libtorch_cuda, cuDNN, cuBLAS and NCCL (about half of a process's start-up).
add_library(shmrl_torch_cpu INTERFACE)
add_library(shmrl::torch_cpu ALIAS shmrl_torch_cpu)
target_include_directories(shmrl_torch_cpu SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
target_link_libraries(shmrl_torch_cpu INTERFACE torch_cpu_library c10)
target_compile_options(shmrl_torch_cpu INTERFACE ${TORCH_CXX_FLAGS})
