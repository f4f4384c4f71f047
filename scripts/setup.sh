#!/usr/bin/env bash
# Install what building and testing Plaudit needs on Debian 12 (idempotent).
#   scripts/setup.sh        everything: build, tests, sanitizers, the report's
#                           browser test (chromium + selenium)
#   scripts/setup.sh demo   only what building the library and the examples
#                           needs (scripts/demo.sh)
set -euo pipefail
build_pkgs=(meson ninja-build gcc pkg-config uthash-dev libjansson-dev tzdata)
test_pkgs=(clang libcmocka-dev libsqlite3-dev python3 python3-pytest python3-jsonschema valgrind
           libclang-rt-14-dev llvm chromium chromium-driver python3-selenium libmicrohttpd-dev
           python3-mesonpy python3-venv python3-pip)
case "${1:-all}" in
  demo) pkgs=("${build_pkgs[@]}") ;;
  all) pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: scripts/setup.sh [all|demo]" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
