#!/usr/bin/env bash
# The GPU check: ONE command on the GPU machine (device tool, carry [".deps"]), at most ~9 minutes:
#   bash launch/device-check.sh
# It logs the machine, builds only what it runs (shmrl, test_learner_gpu) against the machine's own
# CUDA LibTorch, and runs, each under its own time cap so that a hang cannot eat the window:
#   ctest -L gpu            the CUDA tests (a skip there is a failure: CUDA was not usable)
#   shmrl bench learner     --device cuda --json
#   shmrl sweep             configs/sweeps/gpu-scaling.toml: 1..14 actors, learner on CUDA
#   shmrl train             60 s on CUDA per config (CartPole, Pendulum SAC), then shmrl eval of
#                           its checkpoint: the real learner loop (prefetch, priorities, weight
#                           publishing, checkpoints) on the GPU
#   shmrl train pong        configs/pong.toml for SHMRL_PONG_S (150) s, learner on CUDA, where the
#                           build has the gym bridge: the return curve and updates/s (pong.txt)
# Every step's duration goes to steps.txt; whatever runs out of time is recorded and the check
# moves on. Results in $OUT (at most 8 files come back from a device run):
#   machine.txt  steps.txt  build.log  ctest-gpu.log  bench-learner.json  train.txt  pong.txt  runs.tar.gz
# (exactly 8: the device tool returns no more; the gym venv's log opens build.log, the sweep's output
# ends train.txt and its folder is in runs.tar.gz)
#
# Before the device run, once here (the GPU machine has no network):
#   launch/device-pack.sh   # fills .deps/ (Debian packages + unpack.sh, tcmalloc, pybind11-dev;
#                           # wheels/: ale-py and gymnasium for the Pong step's gym bridge)
#
# Rehearsal on a machine without a GPU (docs/gpu.md; a manual step, not part of CI: ~20 min cold):
#   launch/device-check.sh --rehearse
# packs .deps with the shared recipe, unpacks it into build-rehearse/deps (not /opt/deps), configures
# with the system's own -dev packages out of CMake's sight (CMAKE_IGNORE_PREFIX_PATH=/usr), builds,
# and runs the same steps on the CPU (gpu tests must be skipped there, short train).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rehearse=0
[ "${1:-}" = "--rehearse" ] && rehearse=1
out=${OUT:-$root/device-check-out}
mkdir -p "$out"
budget=${SHMRL_CHECK_BUDGET_S:-540}  # the device tool allows 600 s per command
jobs=${SHMRL_BUILD_JOBS:-$(nproc)}
python=${SHMRL_PYTHON:-python3}
start=$SECONDS
status=0

step_log() { echo "$*" | tee -a "$out/steps.txt"; }
# step NAME CAP_S CMD...: runs CMD under `timeout`, capped by what is left of the budget; logs the
# duration and how it ended. Returns CMD's status (124: ran out of time).
step() {
  local name=$1 cap=$2; shift 2
  local left=$((budget - (SECONDS - start)))
  ((cap > left)) && cap=$left
  if ((cap < 5)); then
    step_log "[skip] $name: budget of ${budget} s spent"
    return 124
  fi
  local t0=$SECONDS rc=0
  timeout --kill-after=10 "$cap" "$@" || rc=$?
  local how="ok"
  ((rc == 124 || rc == 137)) && how="TIMED OUT after ${cap} s"
  ((rc != 0 && rc != 124 && rc != 137)) && how="FAILED (status $rc)"
  step_log "[$((SECONDS - t0)) s] $name: $how"
  return $rc
}
: >"$out/steps.txt"

if ((rehearse)); then
  build=${SHMRL_GPU_BUILD_DIR:-$root/build-rehearse}
  deps=$build/deps
  device=cpu
  # The torch that launch/setup installed (this machine's python3 has none).
  [ -n "${SHMRL_PYTHON:-}" ] || python=${SHMRL_HOME:-$HOME/.cache/shmrl}/torch-venv/bin/python
  budget=${SHMRL_CHECK_BUDGET_S:-3600}  # a cold build on 2 cores
  recipe=${SHMRL_DEVICE_RECIPE:-$root/../shared/device}  # the shared device recipe's folder
  step "pack .deps (shared recipe)" 300 "$recipe/pack-deps.sh" libgoogle-perftools-dev libtcmalloc-minimal4 >"$out/pack.log" 2>&1 ||
    { cat "$out/pack.log"; exit 1; }
  mkdir -p "$deps"
  # The carried unpack.sh, beside the .deb files it unpacks, pointed at a private prefix instead of
  # /opt/deps.
  unpack=.deps/unpack-rehearse.sh
  sed "s|^dest=/opt/deps\$|dest=$deps|" .deps/unpack.sh >"$unpack"
  grep -q "^dest=$deps\$" "$unpack" || { echo "device-check: unpack.sh has no dest=/opt/deps line" >&2; exit 1; }
  cmake_extra=(-DCMAKE_IGNORE_PREFIX_PATH=/usr)
else
  build=${SHMRL_GPU_BUILD_DIR:-$root/build-gpu}
  device=cuda
  unpack=.deps/unpack.sh
  cmake_extra=()
fi
mkdir -p "$build"

if [ -f "$unpack" ]; then
  # On its own line: a failing unpack stops the script here (set -e), its error above.
  exports=$(bash "$unpack")
  eval "$exports"
elif ((!rehearse)); then
  echo "device-check: no $unpack: run ../shared/device/pack-deps.sh here first and carry .deps" >&2
fi
[ -d /usr/local/cuda/bin ] && export PATH="/usr/local/cuda/bin:$PATH"
# As launch/build: ccache (where there is one) shares objects between build dirs and clones.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}

{
  echo "== $(date -u) device-check$( ((rehearse)) && echo ' --rehearse')"
  echo "== git: $(git rev-parse --short HEAD 2>/dev/null || echo '?') $(git status --porcelain 2>/dev/null | wc -l) changed files"
  nvidia-smi || echo "nvidia-smi: not available"
  PYTHONWARNINGS=ignore "$python" -c 'import torch, sys; print("python", sys.version.split()[0], "torch", torch.__version__,
      "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "devices", torch.cuda.device_count(),
      "cudnn", torch.backends.cudnn.version(),
      "nccl", torch.cuda.nccl.version() if torch.cuda.is_available() else None)' || echo "torch: not importable"
  command -v nvcc >/dev/null && nvcc --version | tail -2
  "${CXX:-c++}" --version | head -1
  cmake --version | head -1
  echo "cores $(nproc), $(free -g | awk '/Mem:/ {print $2}') GiB"
  cat /etc/os-release
} >"$out/machine.txt" 2>&1
cat "$out/machine.txt"

: >"$out/build.log"
# The gym bridge's Python (Pong): a venv over the machine's python (its numpy and torch stay
# visible) with the carried ale-py and gymnasium wheels (launch/device-pack.sh). In the rehearsal,
# setup's venv has them already.
if ((!rehearse)) && [ -d .deps/wheels ]; then
  gym_venv=$build/gym-venv
  if step "gym venv (carried wheels)" 90 bash -c '"$1" -m venv --system-site-packages "$2" &&
      "$2/bin/pip" install -q --no-index --find-links .deps/wheels ale-py==0.12.1 gymnasium==1.4.0 &&
      "$2/bin/python" -c "import numpy, gymnasium, ale_py"' _ "$python" "$gym_venv" >>"$out/build.log" 2>&1; then
    cmake_extra+=(-DSHMRL_GYM_PYTHON="$gym_venv/bin/python")
  else
    tail -5 "$out/build.log" | tee -a "$out/steps.txt"
  fi
fi

torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
step configure 120 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTorch_DIR="$torch_prefix/Torch" "${cmake_extra[@]}" >>"$out/build.log" 2>&1 ||
  { tail -40 "$out/build.log"; exit 1; }
grep -E "shmrl:" "$out/build.log" | tee -a "$out/steps.txt" || true
build_cap=330  # 16 cores there
((rehearse)) && build_cap=3000
step "build shmrl test_learner_gpu" "$build_cap" cmake --build "$build" -j "$jobs" --target shmrl test_learner_gpu \
  >>"$out/build.log" 2>&1 || { grep -E "error|FAILED" "$out/build.log" | head -40; exit 1; }

step "ctest -L gpu" 150 ctest --test-dir "$build" -L gpu --output-on-failure --timeout 120 \
  >"$out/ctest-gpu.log" 2>&1 || status=1
tail -15 "$out/ctest-gpu.log"
# On the GPU machine a skipped gpu test is a failure of this check: CUDA was not usable.
if ((!rehearse)) && grep -q "(Skipped)" "$out/ctest-gpu.log"; then
  step_log "device-check: gpu tests were skipped: CUDA is not usable from the build"
  status=1
fi

bench_args=(--device "$device" --json)
((rehearse)) && bench_args+=(--seconds 0.5)
step "bench learner ($device)" 120 "$build/shmrl" bench learner "${bench_args[@]}" \
  >"$out/bench-learner.json" 2>>"$out/steps.txt" || status=1
cat "$out/bench-learner.json"

# Configs to train: CartPole and the SAC config (Pong below: it has no checkpoint evaluation).
train_s=60
((rehearse)) && train_s=10
: >"$out/train.txt"
for cfg in configs/cartpole.toml configs/pendulum.toml; do
  if [ ! -f "$cfg" ]; then
    step_log "[skip] train $cfg: no such config yet"
    continue
  fi
  name=$(basename "$cfg" .toml)
  rundir=$build/runs
  rm -rf "${rundir:?}/$name-$device"
  rc=0
  step "train $name ($device, ${train_s} s)" $((train_s + 45)) "$build/shmrl" train --config "$cfg" \
    --device "$device" --time-limit "$train_s" --run-dir "$rundir" --run-id "$name-$device" \
    >>"$out/train.txt" 2>&1 || rc=$?
  ((rc == 0)) || status=1
  {
    echo "== $name summary.json"
    cat "$rundir/$name-$device/summary.json" 2>/dev/null || echo "(none)"
    echo "== $name learner0.log (tail)"
    tail -20 "$rundir/$name-$device/logs/learner0.log" 2>/dev/null || true
  } >>"$out/train.txt"
  ckpt=$(ls "$rundir/$name-$device"/checkpoints/ckpt-*.pt 2>/dev/null | tail -1 || true)
  if [ -n "$ckpt" ]; then
    step "eval $name checkpoint (CPU)" 60 "$build/shmrl" eval --checkpoint "$ckpt" --episodes 5 \
      >>"$out/train.txt" 2>&1 || status=1
  else
    step_log "device-check: train $name wrote no checkpoint"
    status=1
  fi
done
# Pong (issue 12): a few minutes of Ape-X on Atari frames with the Nature CNN on CUDA. Needs the
# gym bridge (configure found pybind11 and SHMRL_GYM_PYTHON with gymnasium and ale-py).
pong_s=${SHMRL_PONG_S:-150}
((rehearse)) && pong_s=20
if grep -q "shmrl: gym bridge embeds" "$out/build.log"; then
  rm -rf "${build:?}/runs/pong-$device"
  step "train pong ($device, ${pong_s} s)" $((pong_s + 60)) "$build/shmrl" train --config configs/pong.toml \
    --device "$device" --time-limit "$pong_s" --run-dir "$build/runs" --run-id "pong-$device" \
    >"$out/pong.txt" 2>&1 || status=1
  {
    echo "== pong summary.json"
    cat "$build/runs/pong-$device/summary.json" 2>/dev/null || echo "(none)"
    echo "== pong return curve and rates (metrics.csv)"
    cat "$build/runs/pong-$device/metrics.csv" 2>/dev/null || echo "(none)"
  } >>"$out/pong.txt"
  tail -30 "$out/pong.txt"
else
  step_log "[skip] train pong: this build has no gym bridge (see build.log's shmrl: lines)"
fi

# Last, as it matters least if the budget runs out: the scaling sweep (issue 14), env steps/s and
# updates/s against the actor count with the learner on CUDA.
if ((!rehearse)); then
  step "sweep gpu-scaling" 150 "$build/shmrl" sweep configs/sweeps/gpu-scaling.toml --out "$build/sweep" \
    >"$build/sweep.txt" 2>&1 || status=1
  { echo "== sweep gpu-scaling"; cat "$build/sweep.txt"; } | tee -a "$out/train.txt"
fi

tar -czf "$out/runs.tar.gz" -C "$build" runs $([ -d "$build/sweep" ] && echo sweep) 2>/dev/null || true

step_log "device-check: total $((SECONDS - start)) s, $( ((status == 0)) && echo PASSED || echo FAILED)"
exit $status
