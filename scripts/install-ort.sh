#!/usr/bin/env bash
# Installs ONNX Runtime for node (the reference oracle used by the end-to-end
# tests and benchmarks) under $1 (default build/ort). Idempotent.
# --ignore-scripts: the package's install script tries a download that this
# kind of machine cannot make; the CPU library already ships inside it.
set -euo pipefail
PREFIX="${1:-build/ort}"
VERSION=1.30.0
if [ -f "$PREFIX/node_modules/onnxruntime-node/package.json" ] &&
   grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/onnxruntime-node/package.json"; then
  exit 0
fi
mkdir -p "$PREFIX"
echo "install-ort: installing onnxruntime-node@$VERSION into $PREFIX"
npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$PREFIX" "onnxruntime-node@$VERSION"
