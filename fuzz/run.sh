#!/usr/bin/env bash
# Fuzzes every target with afl-fuzz (Debian's afl++) over SharpFuzz-instrumented assemblies, for SECONDS each
# (default 10; CI runs the default, `bash fuzz/run.sh 3600` runs for an hour each). Starts from the committed
# corpus in fuzz/corpus/TARGET; findings land in fuzz/out/TARGET. Fails if any target crashed.
# A crash file replays in process with: dotnet fuzz/out/bin/purr-fuzz.dll TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
targets=(server websocket address card room-link profile ratchet onion)
command -v afl-fuzz >/dev/null || { echo "afl-fuzz is missing: run scripts/install-test-deps.sh (Debian package afl++)" >&2; exit 1; }

dotnet tool restore >/dev/null
dotnet build -c Release fuzz/Purr.Fuzz --nologo -v quiet -o fuzz/out/bin
# Only Purr's own code is instrumented: coverage then means coverage of what we wrote.
for assembly in Purr.Core Purr.Protocol Purr.Crypto Purr.Client Purr.Server Purr.Storage.Memory; do
  dotnet tool run sharpfuzz "fuzz/out/bin/$assembly.dll" >/dev/null
done

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1
failed=0
for target in "${targets[@]}"; do
  rm -rf "fuzz/out/$target"
  timeout $((seconds + 60)) afl-fuzz -V "$seconds" -i "fuzz/corpus/$target" -o "fuzz/out/$target" -t 10000 -m none \
    -- dotnet fuzz/out/bin/purr-fuzz.dll "$target" >"fuzz/out/$target.log" 2>&1 || true
  stats="fuzz/out/$target/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "fuzz $target: afl-fuzz did not run; see fuzz/out/$target.log" >&2
    tail -20 "fuzz/out/$target.log" >&2
    failed=1
    continue
  fi
  execs=$(awk -F': *' '/^execs_done/{print $2}' "$stats")
  paths=$(awk -F': *' '/^corpus_count/{print $2}' "$stats")
  crashes=$(find "fuzz/out/$target/default/crashes" -type f ! -name README.txt 2>/dev/null | wc -l)
  echo "fuzz $target: ${seconds}s, $execs runs, $paths inputs in corpus, $crashes crashes"
  if [ "$crashes" -ne 0 ]; then
    failed=1
  fi
done
exit $failed
