#!/usr/bin/env bash
# Set up, build, and run the community simulation demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
[ -d build ] || meson setup build
ninja -C build
./build/examples/simulate "$@"
