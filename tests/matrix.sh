#!/usr/bin/env bash
# The reliability matrix, run by scripts/test.sh after its gcc -O2 / -O0,
# clang, gcc ASan+UBSan and valgrind runs (pass --full to run those here
# too, e.g. outside CI).  On top of them:
#   1. clang ASan+UBSan (-fno-sanitize-recover=all) with libFuzzer
#      instrumentation: every test, and every fuzz target's seed corpus;
#   2. ThreadSanitizer: every test (the thread-model test included);
#   3. hostile input (100 MB lines, a million actions, deep nesting, ...)
#      and resource figures (memory per member, per badge, per key);
#   4. fuzzing: each target for FUZZ_SECONDS (default 30) seconds.
# Prints figures for each step; exits non-zero on any failure or crash.
# About 10 minutes on 2 cores (plus FUZZ_SECONDS x number of targets).
# Long fuzzing runs: tests/fuzz/run.sh 14400 (see tests/fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
full=0
[ "${1:-}" = "--full" ] && full=1
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
summary=()
step() { echo; echo "=== matrix: $*"; }
count_tests() { # build dir -> "ok/total"
  local log
  log=$(ls -t "$1"/meson-logs/testlog*.json | head -1)
  /usr/bin/python3 - "$log" <<'PY'
import json, sys
ok = tot = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    tot += 1
    ok += r.get("result") in ("OK", "EXPECTEDFAIL", "SKIP")
print(f"{ok}/{tot}")
PY
}
run_suite() { # name, build dir, meson test args...
  local name=$1 dir=$2
  shift 2
  local t0=$SECONDS
  meson test -C "$dir" --print-errorlogs "$@" >"$dir/matrix-test.log" 2>&1 || {
    tail -40 "$dir/matrix-test.log"
    echo "matrix: $name FAILED"
    exit 1
  }
  summary+=("$(printf '%-34s %8s tests passed  (%ds)' "$name" "$(count_tests "$dir")" $((SECONDS - t0)))")
}

if [ "$full" = 1 ]; then
  step "gcc -O2, gcc -O0, clang -O2, gcc ASan+UBSan, valgrind"
  meson setup build-test --wipe --buildtype=debugoptimized >/dev/null && ninja -C build-test >/dev/null
  run_suite "gcc -O2" build-test
  meson setup build-o0 --wipe --buildtype=debug >/dev/null && ninja -C build-o0 >/dev/null
  run_suite "gcc -O0" build-o0
  CC=clang meson setup build-clang --wipe --buildtype=debugoptimized >/dev/null && ninja -C build-clang >/dev/null
  run_suite "clang -O2" build-clang
  meson setup build-asan --wipe -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all >/dev/null
  ninja -C build-asan >/dev/null
  run_suite "gcc ASan+UBSan" build-asan
  run_suite "gcc valgrind (memcheck, leaks)" build-test --setup valgrind --no-suite slow --no-suite python \
    --no-suite install --no-suite packaging
fi

step "clang ASan+UBSan with libFuzzer instrumentation (build-fuzz)"
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzz=enabled --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all >/dev/null
fi
ninja -C build-fuzz >/dev/null
# Not the slow suite (the gcc runs have it; hostile-heavy and resources run
# below), nor the export check (coverage instrumentation exports
# __start___sancov_* symbols).
mapfile -t fuzz_build_tests < <(meson test -C build-fuzz --list --no-suite slow 2>/dev/null |
  sed -n 's/^[^ ]* \/ //p' | grep -vx exports)
run_suite "clang ASan+UBSan (+ fuzz seeds)" build-fuzz "${fuzz_build_tests[@]}"

step "ThreadSanitizer (build-tsan)"
if [ ! -f build-tsan/build.ninja ]; then
  CC=clang meson setup build-tsan -Db_sanitize=thread -Db_lundef=false --buildtype=debugoptimized >/dev/null
fi
ninja -C build-tsan >/dev/null
# Not install/packaging: their Python loads the instrumented library
# without TSan's runtime (and they test no threads).
run_suite "clang TSan" build-tsan --no-suite slow --no-suite python --no-suite install --no-suite packaging

step "hostile input and resource use"
hostile_dir=build-fuzz
"$hostile_dir/tests/test-hostile" | tee build-fuzz/hostile.log | grep -E 'tried|FAILED' || true
"$hostile_dir/tests/test-hostile" heavy | tee -a build-fuzz/hostile.log | grep -E 'tried|FAILED' || true
grep -q FAILED build-fuzz/hostile.log && { echo "matrix: hostile input FAILED"; exit 1; }
hostile=$(sed -n 's/^hostile inputs tried: //p' build-fuzz/hostile.log | awk '{s += $1} END {print s}')
summary+=("$(printf '%-34s %8s inputs rejected cleanly (ASan+UBSan)' "hostile input" "$hostile")")
build-fuzz/tests/test-resources | grep '^memory:' | tee build-fuzz/resources.log

step "fuzzing, ${FUZZ_SECONDS} s per target"
FUZZ_BUILD=build-fuzz tests/fuzz/run.sh "$FUZZ_SECONDS" | tee build-fuzz/fuzz-summary.log
summary+=("$(tail -1 build-fuzz/fuzz-summary.log)")

echo
echo "=== matrix summary"
printf '%s\n' "${summary[@]}"
sed 's/^memory: /memory: /' build-fuzz/resources.log
