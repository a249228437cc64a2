#!/usr/bin/env bash
# Installs what the main job needs on a fresh Debian machine that has the .NET SDK:
# the Fashion-MNIST files (Debian's dataset-fashion-mnist) and a font for the image labels (fonts-dejavu-core).
# With --samples, also the fortunes text that samples/TextAutoencoder trains on.
set -euo pipefail
need=()
[ "${1:-}" != "--samples" ] || [ -d /usr/share/games/fortunes ] || need+=(fortunes)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}"
fi
