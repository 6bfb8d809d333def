#!/usr/bin/env bash
# Install the optional tools some tests check the project's files with (the tests skip,
# saying why, where a tool is missing). Idempotent and quick when everything is there.
#   - Foxglove's ROS 2 schema parser @foxglove/rosmsg (npm), into build/node/:
#     test/unit/test_foxglove_schemas.py, recorder and live-view node tests;
#   - Debian's sdformat with the ign CLI (apt, when running as root on Debian/Ubuntu):
#     test/unit/test_gazebo_files.py validates the SDF world and the URDF with `ign sdf -k`.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROSMSG_VERSION=5.0.4

if command -v npm >/dev/null 2>&1; then
  if [ ! -d "$repo/build/node/node_modules/@foxglove/rosmsg" ]; then
    echo "[test tools] npm install @foxglove/rosmsg@$ROSMSG_VERSION into build/node"
    mkdir -p "$repo/build/node"
    npm install --prefix "$repo/build/node" --no-audit --no-fund --silent \
      "@foxglove/rosmsg@$ROSMSG_VERSION" || echo "[test tools] npm install failed; those checks will skip"
  fi
else
  echo "[test tools] npm not found: the @foxglove/rosmsg checks will skip"
fi

if ! command -v ign >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "[test tools] apt-get install libsdformat-dev ignition-tools ruby (ign sdf)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends libsdformat-dev ignition-tools ruby >/dev/null; } \
      || echo "[test tools] apt-get failed; the sdformat checks will skip"
  else
    echo "[test tools] no apt-get as root: the sdformat checks will skip"
  fi
fi
exit 0
