#!/usr/bin/env bash
# Build the libFuzzer targets (clang, ASan + UBSan, -Dfuzz=enabled) and run
# each for a bounded time, starting from the seed corpus in the repository.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET [TARGET...]]     (default: 30 s, all)
#
# Long runs (hours; new inputs are kept in $FUZZ_BUILD/corpus-NAME between
# runs, crashes in $FUZZ_BUILD/artifacts):
#   FUZZ_JOBS=2 tests/fuzz/run.sh 14400
#
# Environment: FUZZ_BUILD (build directory, default build-fuzz), FUZZ_JOBS
# (targets fuzzed at once, default 1), CC (default clang).
# Prints executions and crashes per target; exits 1 when any target crashed.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-30}
shift || true
build=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-1}

if [ ! -f "$build/build.ninja" ]; then
  CC=${CC:-clang} meson setup "$build" -Dfuzz=enabled --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all >/dev/null
fi
ninja -C "$build" >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$build"/tests/fuzz/fuzz-*; do
    [ -x "$f" ] && [ -f "$f" ] && targets+=("${f##*/fuzz-}")
  done
fi

# Per-target flags: the API fuzzer spends its time in per-call checks, so
# shorter inputs give more executions.
flags_for() {
  case "$1" in
    program) echo "-max_len=16384 -dict=tests/fuzz/plaudit.dict" ;;
    events) echo "-max_len=8192 -dict=tests/fuzz/plaudit.dict" ;;
    api) echo "-max_len=1024" ;;
    *) echo "-max_len=4096" ;;
  esac
}

mkdir -p "$build/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one() {
  local t=$1 corpus="$build/corpus-$1" log="$build/fuzz-$1.log"
  mkdir -p "$corpus"
  local seeds=()
  [ -d "tests/fuzz/corpus/$t" ] && seeds=("tests/fuzz/corpus/$t")
  # shellcheck disable=SC2046
  "$build/tests/fuzz/fuzz-$t" $(flags_for "$t") -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "$corpus" "${seeds[@]}" >"$log" 2>&1 || true
}

start=$(date +%s)
running=0
for t in "${targets[@]}"; do
  rm -f "$build/artifacts/$t-"*
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

total_crashes=0
total_execs=0
printf '%-10s %12s %10s %8s %s\n' target executions exec/s corpus crashes
for t in "${targets[@]}"; do
  log="$build/fuzz-$t.log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  ncorp=$(find "$build/corpus-$t" -type f | wc -l)
  crashes=$(find "$build/artifacts" -name "$t-*" -type f | wc -l)
  printf '%-10s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$ncorp" "$crashes"
  total_execs=$((total_execs + ${execs:-0}))
  total_crashes=$((total_crashes + crashes))
  if [ "$crashes" -gt 0 ] || [ -z "$execs" ]; then
    echo "--- $t: see $log and $build/artifacts/$t-*"
    grep -E 'INVARIANT|ERROR|runtime error|SUMMARY' "$log" | head -5 || true
    [ -z "$execs" ] && total_crashes=$((total_crashes + 1))
  fi
done
echo "fuzzing: ${#targets[@]} targets, ${secs} s each, $total_execs executions, $total_crashes crashes ($(( $(date +%s) - start )) s)"
[ "$total_crashes" -eq 0 ]
