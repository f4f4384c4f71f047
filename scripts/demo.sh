#!/usr/bin/env bash
# Set up, build, and run the community simulation demo.  Only the library
# and the simulation are built (not the tests), so output comes in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
[ -d build ] || meson setup build
ninja -C build examples/simulate
exec ./build/examples/simulate "$@"
