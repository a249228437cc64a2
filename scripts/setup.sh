#!/usr/bin/env bash
# Installs what the main job needs on a fresh Debian machine that has the .NET SDK:
# the Fashion-MNIST files (Debian's dataset-fashion-mnist), a font for the image labels (fonts-dejavu-core), and clang
# with libclc of the same LLVM version (the OpenCL C compile test builds every kernel for spir64 and AMD gfx90a).
# With --samples, also the fortunes text that samples/TextAutoencoder trains on; with --mpi, Open MPI (openmpi-bin for
# mpirun, libopenmpi-dev; rae loads libmpi.so.40 at run time) for data-parallel runs and scripts/mpi-check.sh. The main
# job needs neither. Installs only what is missing.
set -euo pipefail
samples=0 mpi=0
for flag in "$@"; do
  case "$flag" in
    --samples) samples=1 ;;
    --mpi) mpi=1 ;;
    *) echo "setup.sh: unknown option '$flag' (use --samples and/or --mpi)" >&2; exit 2 ;;
  esac
done
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
updated=0
install() {
  [ $# -gt 0 ] || return 0
  if [ "$updated" -eq 0 ]; then $sudo apt-get update -qq; updated=1; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
need=()
[ "$samples" -eq 0 ] || [ -d /usr/share/games/fortunes ] || need+=(fortunes)
if [ "$mpi" -eq 1 ]; then
  command -v mpirun >/dev/null || need+=(openmpi-bin)
  dpkg -s libopenmpi-dev >/dev/null 2>&1 || need+=(libopenmpi-dev)
fi
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v clang >/dev/null || need+=(clang)
install "${need[@]}"
# libclc's builtins must come from clang's own LLVM version (bitcode is not read by older LLVMs)
llvm_major=$(clang -dumpversion | cut -d. -f1)
[ -f /usr/lib/clc/amdgcn--amdhsa.bc ] || install "libclc-$llvm_major"
