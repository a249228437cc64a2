#!/usr/bin/env bash
# Data parallelism under Open MPI, end to end (CI: .ci/run runs it after 'scripts/setup.sh --mpi', as one test).
# 1. The Open MPI binding's handle lookup test, which needs libmpi (RAE_REQUIRE_MPI=1: it may not pass by finding none).
# 2. 'mpirun -np 2 rae train --accelerator cpu --threads 1 --epochs 1 --max-steps 100' on generated sine waves ends on the
#    weights of one process with the same global batch bit for bit and at its val_loss to 1e-4 relative (the validation
#    sum is grouped by rank), and writes one run folder (no --out: rank 1
#    must not create a second runs/<time> folder), printed once.
# 3. 'mpirun -np 2 rae score' and 'rae encode' write byte for byte the files of one process.
# Uses the Release build of the tests' solution build (dotnet test RecurrentAE.sln -c Release); builds rae when missing.
source "$(dirname "$0")/lib.sh" mpi-check
command -v mpirun >/dev/null || fail "no mpirun: install Open MPI with scripts/setup.sh --mpi"
# Open MPI refuses root unless told; --oversubscribe lets 2 ranks share fewer cores.
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun=(mpirun --oversubscribe -np 2)

rae="$repo/src/Runner/bin/Release/net10.0/rae"
[ -x "$rae" ] || dotnet build src/Runner -c Release --nologo -v quiet >/dev/null
step "the binding's handle lookup (libmpi present)"
RAE_REQUIRE_MPI=1 dotnet test tests/RecurrentAE.Tests -c Release --no-build --nologo -v quiet \
  --filter "FullyQualifiedName~Distributed.CommunicatorTests.Open_mpi" >"$tmp/binding.log" 2>&1 || { cat "$tmp/binding.log"; fail "binding test"; }

# 4,000 noisy sines of 16-32 steps (fixed seed): 3,600 train, 100 steps of 32.
awk 'BEGIN{srand(7); for(i=0;i<4000;i++){n=16+int(rand()*17); f=0.2+rand()*0.6; p=rand()*6.283; a=0.5+rand(); s="";
  for(t=0;t<n;t++) s=s (t?",":"") sprintf("%.5f", a*sin(f*t+p)+0.05*(rand()-0.5)); print s}}' >"$tmp/sines.csv"
train=(train --csv "$tmp/sines.csv" --accelerator cpu --threads 1 --epochs 1 --max-steps 100)

step "one process: rae ${train[*]}"
"$rae" "${train[@]}" --out "$tmp/one" >"$tmp/one.log" 2>&1 || { cat "$tmp/one.log"; fail "one-process training"; }
mkdir "$tmp/cwd"
step "two ranks: ${mpirun[*]} rae ${train[*]} (no --out)"
(cd "$tmp/cwd" && "${mpirun[@]}" "$rae" "${train[@]}") >"$tmp/two.log" 2>&1 || { cat "$tmp/two.log"; fail "mpirun training"; }
grep -q "data parallel on 2 ranks" "$tmp/two.log" || { cat "$tmp/two.log"; fail "the run did not say it was data parallel on 2 ranks"; }
runs=$(ls "$tmp/cwd/runs" | wc -l)
[ "$runs" -eq 1 ] || fail "$runs run folders written (expected 1): $(ls "$tmp/cwd/runs" | xargs)"
two="$tmp/cwd/runs/$(ls "$tmp/cwd/runs")"
[ "$(grep -c '^Wrote model.safetensors' "$tmp/two.log")" -eq 1 ] || { cat "$tmp/two.log"; fail "the outputs were not reported exactly once"; }
[ "$(ls "$two" | xargs)" = "$(ls "$tmp/one" | xargs)" ] || fail "the run folder holds '$(ls "$two" | xargs)', one process wrote '$(ls "$tmp/one" | xargs)'"
# The CPU backend sums every gradient in one fixed tree that 2 ranks split at its root (docs/distributed.md), so the two
# runs end on the same weights bit for bit: the safetensors' tensor bytes (after each file's own JSON header, whose
# history holds timings) must match.
tensors() { local n; n=$(od -An -t u8 -N8 "$1" | tr -d ' '); tail -c +$((n + 9)) "$1"; }
cmp -s <(tensors "$tmp/one/model.safetensors") <(tensors "$two/model.safetensors") ||
  fail "two ranks ended on other weights than one process (not bit for bit)"
step "two ranks ended on one process's weights bit for bit"
val() { tail -1 "$1/history.csv" | cut -d, -f3; }
a=$(val "$tmp/one") b=$(val "$two")
awk -v a="$a" -v b="$b" 'BEGIN { d = (a > b ? a - b : b - a) / a; printf "mpi-check: val_loss one process %s, two ranks %s: %.2e relative\n", a, b, d; exit !(d <= 1e-4) }' ||
  fail "val_loss differs by more than 1e-4 relative"

step "scoring and encoding: two ranks against one process"
for cmd in score encode; do
  "$rae" $cmd --model "$tmp/one" --csv "$tmp/sines.csv" -a cpu --threads 1 --out "$tmp/$cmd-one.csv" >"$tmp/$cmd-one.log" 2>&1 || { cat "$tmp/$cmd-one.log"; fail "$cmd"; }
  "${mpirun[@]}" "$rae" $cmd --model "$tmp/one" --csv "$tmp/sines.csv" -a cpu --threads 1 --out "$tmp/$cmd-two.csv" >"$tmp/$cmd-two.log" 2>&1 || { cat "$tmp/$cmd-two.log"; fail "mpirun $cmd"; }
  cmp -s "$tmp/$cmd-one.csv" "$tmp/$cmd-two.csv" || fail "$cmd: two ranks wrote another file than one process"
  step "$cmd: two ranks wrote one process's file byte for byte ($(wc -l <"$tmp/$cmd-one.csv") lines)"
done
step "OK"
