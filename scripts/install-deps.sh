#!/usr/bin/env bash
# Installs the Debian packages tessera builds and tests with. Idempotent:
# does nothing (and needs no network) when everything is already there.
set -euo pipefail
PACKAGES=(
  cmake ninja-build g++ llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  clang-22 lld-22 libonnx-dev libprotobuf-dev protobuf-compiler libgtest-dev
  python3-numpy python3-onnx python3-pytest python3-torch python3-torchvision
  python3-sklearn python3-matplotlib libonnx-testdata
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
