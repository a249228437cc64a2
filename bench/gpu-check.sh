#!/usr/bin/env bash
# Run on a GPU machine (see docs/gpu.md), from the repository root, with the self-contained build in .gpu/bin:
#   1. the card; 2. the CUDA backend's loss and gradients on fixed inputs against the CPU backend;
#   3. rae bench --accelerator cuda and the PyTorch reference (cuDNN) in the same call, and their ratio.
set -uo pipefail
cd "$(dirname "$0")/.."
rae=${RAE:-.gpu/bin/rae}
out=${OUT:-/tmp}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
"$rae" devices
echo "== correctness: CUDA vs CPU backend (reference model, fixed inputs)"
"$rae" bench --accelerator cuda --check-only || { echo "CUDA does not match the CPU backend"; exit 1; }
echo "== speed"
"$rae" bench --accelerator cuda --batch-sizes 32,256 --json "$out/bench-cuda.json" | tee "$out/bench.log"
python3 bench/pytorch_reference.py --device cuda --batches 32,256 | tee "$out/pytorch.log"
echo
echo "ratio = ours / PyTorch+cuDNN (ms per training step; the bar is <= 0.5 at batch 32)"
cat "$out/bench.log" "$out/pytorch.log" | awk '
  /^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
              if (f["backend"] ~ /^pytorch/) torch[f["batch"]] = f["ms_per_step"]; else ours[f["batch"]] = f["ms_per_step"] }
  END { for (b in ours) if (b in torch) printf "batch %-5s ours %8.3f ms  pytorch %8.3f ms  ratio %6.3f\n", b, ours[b], torch[b], ours[b] / torch[b] }'
