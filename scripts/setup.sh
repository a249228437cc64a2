#!/usr/bin/env bash
# Installs what the main job needs on a fresh Debian machine that has the .NET SDK:
# the Fashion-MNIST files (Debian's dataset-fashion-mnist), a font for the image labels (fonts-dejavu-core), and clang
# with libclc of the same LLVM version (the OpenCL C compile test builds every kernel for spir64 and AMD gfx90a).
# With --samples, also the fortunes text that samples/TextAutoencoder trains on. Installs only what is missing.
set -euo pipefail
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
updated=0
install() {
  [ $# -gt 0 ] || return 0
  if [ "$updated" -eq 0 ]; then $sudo apt-get update -qq; updated=1; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
need=()
[ "${1:-}" != "--samples" ] || [ -d /usr/share/games/fortunes ] || need+=(fortunes)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v clang >/dev/null || need+=(clang)
install "${need[@]}"
# libclc's builtins must come from clang's own LLVM version (bitcode is not read by older LLVMs)
llvm_major=$(clang -dumpversion | cut -d. -f1)
[ -f /usr/lib/clc/amdgcn--amdhsa.bc ] || install "libclc-$llvm_major"
