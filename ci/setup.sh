#!/usr/bin/env bash
# Install what slabfuzz needs on Debian 12. Idempotent: does nothing when all is present.
# usage: ci/setup.sh [-h|--help]
#   Installs the missing Debian packages (apt-get, as root or with sudo):
#   compilers, cmake, ninja, llvm, afl++, mimalloc, chromium, zip, python3.
#   Exit 0 when all are present or installed, 1 when it cannot install, 2 on
#   a usage error.
set -euo pipefail
usage() { sed -n '2,/^set -/{/^set -/d;/SPDX-License/d;s/^# \{0,1\}//;p}' "$0"; }
case ${1-} in -h|--help) usage; exit 0 ;; esac
(($# == 0)) || { echo "setup: takes no arguments (got '$*')" >&2; usage >&2; exit 2; }

packages=(
  build-essential cmake ninja-build
  clang-14 clang llvm-14 llvm libclang-rt-14-dev
  afl++
  libmimalloc-dev
  chromium zip unzip
  python3
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
