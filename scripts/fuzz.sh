#!/usr/bin/env bash
# Fuzzes the readers of user files with afl-fuzz and SharpFuzz: scripts/fuzz.sh TARGET|all SECONDS
#
# Installs what is missing (Debian's afl++ with apt, the SharpFuzz.CommandLine tool into out/fuzz/tools), builds
# tests/RecurrentAE.Fuzz, instruments RecurrentAE.Model.dll (where the readers live), then runs afl-fuzz on each target
# for SECONDS, one after another, seeded with tests/fuzz-corpus/TARGET and tests/fuzz-regressions/TARGET.
# A crash is any exception other than the reader's DataFormatException, a format error whose message is not one line,
# or an allocation over the bound stated in tests/RecurrentAE.Fuzz/FuzzTargets.cs; a hang is an input that runs longer
# than FUZZ_TIMEOUT_MS (default 5000). Exits 1 if any target found either, listing the inputs and replaying each
# so its exception shows; copy them to tests/fuzz-regressions/TARGET once fixed. Findings stay in out/fuzz/findings.
# Environment: FUZZ_TIMEOUT_MS, FUZZ_NICE (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."

sharpfuzz_version=2.3.0
targets=(idx npy csv series text safetensors checkpoint vocabulary)

usage() { echo "usage: scripts/fuzz.sh TARGET|all SECONDS (targets: ${targets[*]})" >&2; exit 2; }
[ $# -eq 2 ] || usage
[[ "$2" =~ ^[1-9][0-9]*$ ]] || usage
seconds=$2
if [ "$1" = all ]; then selected=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $1 "* ]]; then selected=("$1")
else usage
fi
timeout_ms=${FUZZ_TIMEOUT_MS:-5000}
nice_level=${FUZZ_NICE:-10}

out=out/fuzz
if ! command -v afl-fuzz >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing afl++ (apt)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
if [ ! -x "$out/tools/sharpfuzz" ]; then
  echo "Installing SharpFuzz.CommandLine $sharpfuzz_version into $out/tools"
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$out/tools" >/dev/null
fi

echo "Building tests/RecurrentAE.Fuzz"
dotnet publish tests/RecurrentAE.Fuzz -c Release -o "$out/bin" -nologo -v quiet
# sharpfuzz rewrites an assembly in place and refuses one already instrumented: instrument a fresh copy each time.
rm -rf "$out/instrumented"
cp -r "$out/bin" "$out/instrumented"
"$out/tools/sharpfuzz" "$out/instrumented/RecurrentAE.Model.dll"

# afl-fuzz in a container or a VM: the CPU governor and core_pattern cannot be changed, the dotnet binary carries no
# afl instrumentation of its own (SharpFuzz's fork server speaks for it), there is no terminal for the status screen,
# and the cores are shared (no pinning). .NET starts slowly: give the fork server time.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 \
  AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000 DOTNET_CLI_TELEMETRY_OPTOUT=1

failed=0
for target in "${selected[@]}"; do
  seeds="$out/seeds/$target" findings="$out/findings/$target"
  rm -rf "$seeds" "$findings"
  mkdir -p "$seeds" "$out/findings"
  cp tests/fuzz-corpus/"$target"/* "$seeds"/
  if [ -d tests/fuzz-regressions/"$target" ]; then cp tests/fuzz-regressions/"$target"/* "$seeds"/; fi
  dict=(); [ -f tests/fuzz-corpus/"$target".dict ] && dict=(-x tests/fuzz-corpus/"$target".dict)
  # afl-fuzz skips a seed that crashes with only a warning: replay the seeds (regressions included) first.
  if ! dotnet "$out/instrumented/RecurrentAE.Fuzz.dll" "$target" "$seeds"/* > "$findings.seeds.log" 2>&1; then
    echo "  a seed or regression input of $target crashes:" >&2
    grep -A3 CRASH "$findings.seeds.log" | head -n 40 >&2
    failed=1
    continue
  fi
  echo "Fuzzing $target for ${seconds}s (findings in $findings)"
  status=0
  nice -n "$nice_level" afl-fuzz -i "$seeds" -o "$findings" -t "$timeout_ms" -m none -D -V "$seconds" "${dict[@]}" \
    -- dotnet "$out/instrumented/RecurrentAE.Fuzz.dll" "$target" > "$findings.log" 2>&1 || status=$?
  stats="$findings/default/fuzzer_stats"
  if [ $status -ne 0 ] || [ ! -f "$stats" ]; then
    echo "  afl-fuzz failed (exit $status); the end of $findings.log:" >&2
    tail -n 20 "$findings.log" >&2
    failed=1
    continue
  fi
  value() { sed -n "s/^$1 *: //p" "$stats"; }
  mapfile -t found < <(find "$findings/default/crashes" "$findings/default/hangs" -type f ! -name README.txt 2>/dev/null | sort)
  echo "  $(value execs_done) runs, $(value corpus_count) paths, $(value saved_crashes) crashes, $(value saved_hangs) hangs"
  if [ ${#found[@]} -gt 0 ]; then
    failed=1
    echo "  FOUND ${#found[@]} crashing or hanging inputs for $target:" >&2
    printf '    %s\n' "${found[@]}" >&2
    timeout 120 dotnet "$out/instrumented/RecurrentAE.Fuzz.dll" "$target" "${found[@]}" | grep -A3 CRASH | head -n 40 >&2 || true
  fi
done
[ $failed -eq 0 ] && echo "No crashes or hangs." || echo "Crashes, hangs or afl-fuzz errors: see above." >&2
exit $failed
