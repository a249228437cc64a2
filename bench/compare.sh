#!/usr/bin/env bash
# Times our training step and the PyTorch reference on the same model, on this machine, in one go, and prints the ratio.
# Usage: bench/compare.sh [cpu|cuda] [threads...]      e.g. bench/compare.sh cpu 1 2
# Needs Debian's python3-torch for the CPU peer (apt-get install python3-torch libopenblas0-pthread).
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-cpu}; shift || true
threads=("$@"); [ ${#threads[@]} -gt 0 ] || threads=(1 2)
batches=${BATCHES:-32,256}
rae=${RAE:-}
if [ -z "$rae" ]; then
  dotnet build src/Runner -c Release -v q -nologo >/dev/null
  rae="dotnet src/Runner/bin/Release/net10.0/rae.dll"
fi
python=${PYTHON:-/usr/bin/python3}
accel=$device; [ "$device" = cuda ] || accel=cpu
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "${threads[@]}"; do
  echo "== $t thread(s)"
  $rae bench --accelerator "$accel" --threads "$t" --batch-sizes "$batches" | tee -a "$log"
  "$python" bench/pytorch_reference.py --device "$device" --threads "$t" --batches "$batches" | tee -a "$log"
done
echo
echo "ratio = ours / PyTorch (ms per training step; below 1 is faster)"
awk '
  /^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
              key = f["threads"] " " f["batch"]
              if (f["backend"] ~ /^pytorch/) torch[key] = f["ms_per_step"]; else ours[key] = f["ms_per_step"] }
  END { printf "%-8s %-6s %10s %10s %7s\n", "threads", "batch", "ours ms", "torch ms", "ratio"
        for (k in ours) if (k in torch) { split(k, p, " "); printf "%-8s %-6s %10.3f %10.3f %7.3f\n", p[1], p[2], ours[k], torch[k], ours[k] / torch[k] } }
' "$log" | sort -n
