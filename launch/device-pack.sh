#!/usr/bin/env bash
# Here, before a device run (the GPU machine has no network): fills .deps/ with what
# launch/device-check.sh needs there and the machine lacks.
#   - the Debian packages of the build: the shared recipe (../shared/device/pack-deps.sh), plus
#     tcmalloc (the executables' allocator) and pybind11-dev (the gym bridge's headers);
#   - .deps/wheels: ale-py and gymnasium with their pure-Python dependencies, for CPython 3.10-3.14
#     (the device's version is known only there), so the Pong step has its gym bridge. numpy is not
#     carried (16 MB a version): the device's torch install is expected to have it; device-check.sh
#     says so where it does not.
# Then the device run: carry [".deps"], command `bash launch/device-check.sh`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
recipe=${SHMRL_DEVICE_RECIPE:-$root/../shared/device}
"$recipe/pack-deps.sh" libgoogle-perftools-dev libtcmalloc-minimal4 pybind11-dev
pip=${SHMRL_HOME:-$HOME/.cache/shmrl}/torch-venv/bin/pip
rm -rf .deps/wheels
for version in 3.10 3.11 3.12 3.13 3.14; do
  "$pip" download -q --disable-pip-version-check --only-binary=:all: --no-deps --implementation cp \
    --python-version "$version" --platform manylinux_2_28_x86_64 -d .deps/wheels "ale-py==0.12.1"
done
"$pip" download -q --disable-pip-version-check --only-binary=:all: --no-deps -d .deps/wheels \
  "gymnasium==1.4.0" "cloudpickle==3.1.3" "farama-notifications==0.0.6" "typing-extensions==4.16.0"
du -sh .deps .deps/wheels
