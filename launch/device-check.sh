#!/usr/bin/env bash
# GPU check, run ON the GPU machine (see /work/shared/device/README.md): builds shmrl against the
# machine's own CUDA LibTorch, runs the ctest `gpu` tests (which must run there, not skip) and the
# learner benchmark on CUDA. Results go to $OUT (default ./device-check-out):
#   machine.txt         nvidia-smi -L, torch version, CUDA/NCCL as torch sees them
#   configure.log, build.log
#   ctest-gpu.log       ctest -L gpu --output-on-failure
#   bench-learner.json  shmrl bench learner --json (updates/s at batch 512, MLP and Nature CNN)
#
# Before the device run, once on the build machine (the GPU machine has no network):
#   ../shared/device/pack-deps.sh libgloo-dev libxxhash-dev
# (libgloo-dev: the gloo headers ProcessGroupGloo.hpp includes; the wheel does not ship them.)
# Then one `device` run with carry [".deps"] and the command:  bash launch/device-check.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
out=${OUT:-$root/device-check-out}
mkdir -p "$out"
build=${SHMRL_GPU_BUILD_DIR:-$root/build-gpu}
jobs=${SHMRL_BUILD_JOBS:-$(nproc)}

if [ -f .deps/unpack.sh ]; then
  eval "$(bash .deps/unpack.sh)"
  # unpack.sh does not cover pkg-config (libxxhash): point it at the unpacked .pc files too.
  export PKG_CONFIG_PATH=/opt/deps/usr/lib/x86_64-linux-gnu/pkgconfig:/opt/deps/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
fi
[ -d /usr/local/cuda/bin ] && export PATH="/usr/local/cuda/bin:$PATH"

{
  nvidia-smi -L || echo "nvidia-smi: not available"
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda,
      "available", torch.cuda.is_available(), "devices", torch.cuda.device_count(),
      "nccl", torch.cuda.nccl.version() if torch.cuda.is_available() else None)'
} 2>&1 | tee "$out/machine.txt"

torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$torch_prefix/Torch" \
  >"$out/configure.log" 2>&1 || { tail -40 "$out/configure.log"; exit 1; }
grep -E "shmrl:" "$out/configure.log" || true
# Everything: any component's test may carry the gpu label.
cmake --build "$build" -j "$jobs" >"$out/build.log" 2>&1 ||
  { grep -E "error|FAILED" "$out/build.log" | head -40; exit 1; }

status=0
ctest --test-dir "$build" -L gpu --output-on-failure --timeout 300 2>&1 | tee "$out/ctest-gpu.log" || status=1
# On a GPU machine a skipped gpu test is a failure of this check: CUDA was not usable.
if grep -q "(Skipped)" "$out/ctest-gpu.log"; then
  echo "device-check: gpu tests were skipped: CUDA is not usable from the build" | tee -a "$out/ctest-gpu.log"
  status=1
fi

"$build/shmrl" bench learner --json --device cuda >"$out/bench-learner.json" 2>"$out/bench-learner.err" ||
  { cat "$out/bench-learner.err"; status=1; }
cat "$out/bench-learner.json"
exit $status
