#!/usr/bin/env bash
# Set up, build and run every test: gcc -O2 and -O0, clang, release
# builds (-O3; the benchmarks run once on a small workload), ASan+UBSan,
# valgrind, and the fuzz/hostile-input matrix when present.  The packaging
# test (the wheel pip builds from the source tree) does not depend on the
# build's options: it runs once, with gcc -O2.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
step() { echo; echo "=== $*"; }
# A fresh build directory each time (meson's --wipe needs an existing one).
fresh() { rm -rf "$1"; meson setup "$@" >/dev/null; }

step "gcc -O2"
fresh build-test --buildtype=debugoptimized
meson test -C build-test --print-errorlogs

step "gcc -O0"
fresh build-o0 --buildtype=debug
meson test -C build-o0 --print-errorlogs --no-suite packaging

step "clang -O2"
CC=clang fresh build-clang --buildtype=debugoptimized
meson test -C build-clang --print-errorlogs --no-suite packaging

step "gcc and clang -O3 (release builds, as the benchmark is built: warnings are errors there too; the benchmarks on a small workload)"
fresh build-rel --buildtype=release
ninja -C build-rel >/dev/null
CC=clang fresh build-rel-clang --buildtype=release
ninja -C build-rel-clang >/dev/null
# The benchmarks run every phase on a small workload: their own checks (the
# same state with and without the history, the reorder window, the outbox)
# must hold; no figure is judged here (docs/performance.md).
build-rel/bench/plaudit-bench --members 2000 --events 40000 --curve 1000,2000 --sqlite-events 5000 \
  --sync-events 20 --queries 1000 --digest >/dev/null 2>build-rel/bench-smoke.log \
  || { cat build-rel/bench-smoke.log; exit 1; }
build-rel/bench/window-bench --events 20000 --members 500 >/dev/null

step "ASan + UBSan"
fresh build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all
meson test -C build-asan --print-errorlogs --no-suite packaging

step "valgrind"
meson test -C build-test --setup valgrind --print-errorlogs --no-suite slow --no-suite python \
  --no-suite install --no-suite packaging

if [ -x tests/matrix.sh ]; then
  step "fuzzing and hostile input"
  tests/matrix.sh
fi
echo
echo "all test runs passed"
