#!/usr/bin/env bash
# Install what building and testing Plaudit needs on Debian 12 (idempotent).
set -euo pipefail
pkgs=(meson ninja-build gcc clang pkg-config libcmocka-dev uthash-dev libjansson-dev
      libsqlite3-dev python3 python3-pytest python3-jsonschema valgrind tzdata
      libclang-rt-14-dev llvm libmicrohttpd-dev chromium chromium-driver python3-selenium)
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
