#!/usr/bin/env bash
# Runs every test in the solution after installing what the tests need.
# Prints one closing line: "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh || exit 1
# Private PostgreSQL and Redis on loopback for the PostgreSQL store and the multi-node tests; stopped at the end.
bash scripts/test-services.sh start >/dev/null || exit 1

log=$(mktemp)
trap 'rm -f "$log"; bash scripts/test-services.sh stop' EXIT
# A test that hangs is stopped after 8 minutes and named (blame), instead of holding CI until its time limit.
dotnet test Purr.slnx --nologo --blame-hang-timeout 8m --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# purrd as native AOT (no trim or AOT warning allowed), and the tests that run real purrd processes, against it.
aot=0
if [ "${PURR_SKIP_AOT:-}" != 1 ]; then
  bash scripts/test-aot.sh 2>&1 | tee -a "$log"
  aot=${PIPESTATUS[0]}
fi

# The browser client's own unit tests (Node): the C# vectors byte for byte, Wycheproof, its ratchet and formats.
# `dotnet test` above built web/ (npm ci + build) through the server project.
node_log=$(mktemp)
(cd web && npm test --silent) 2>&1 | tee "$node_log"
node_status=${PIPESTATUS[0]}
node_passed=$(awk '/^# pass /{print $3}' "$node_log" | tail -1)
node_failed=$(awk '/^# fail /{print $3}' "$node_log" | tail -1)
rm -f "$node_log"

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 21, Skipped: 0, ...").
read -r passed failed skipped < <(awk '
  /^(Passed|Failed)! +- +Failed:/ {
    gsub(",", ""); for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i + 1); if ($i == "Passed:") p += $(i + 1); if ($i == "Skipped:") s += $(i + 1)
    }
  }
  END { print p + 0, f + 0, s + 0 }' "$log")

# A seconds-long smoke run of the benchmark harness (never the full benchmark: bash bench/run.sh).
bench=0
if [ "${PURR_SKIP_BENCH_SMOKE:-}" != 1 ]; then
  dotnet build -c Release bench/Purr.Bench --nologo -v quiet && \
    dotnet bench/Purr.Bench/bin/Release/net10.0/purr-bench.dll smoke && \
    dotnet bench/Purr.Bench/bin/Release/net10.0/purr-bench.dll knee-smoke --server-cpus 0 --bench-cpus 0 && \
    dotnet bench/Purr.Bench/bin/Release/net10.0/purr-bench.dll cores-smoke --server-cpus 0 --wide-server-cpus 0-1 --bench-cpus 0 || bench=1
fi

# Every fuzz target under afl-fuzz for a few seconds (the corpus itself is replayed by the C# tests above);
# `bash fuzz/run.sh 3600` fuzzes for long.
fuzz=0
if [ "${PURR_SKIP_FUZZ:-}" != 1 ]; then
  bash fuzz/run.sh "${PURR_FUZZ_SECONDS:-10}" || fuzz=1
fi

passed=$((passed + ${node_passed:-0}))
failed=$((failed + ${node_failed:-0}))
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
# Name the failed tests again at the very end, where a truncated CI log still shows them.
grep -E '^\s+Failed [A-Za-z_]' "$log" | sort -u | sed 's/^ */failed: /' || true
# And each one's error message with the first lines of its stack, so the cause survives a truncated log too.
awk '
  /^[[:space:]]+Failed [A-Za-z_]/ { show = 1; stack = 0; lines = 0; print "---"; print; next }
  show && /^[[:space:]]+Stack Trace:/ { stack = 1; shown = 0; print; next }
  show && stack { if (++shown > 6 || /^[[:space:]]*$/) { show = 0 } else { print }; next }
  show { if (++lines > 40) { show = 0; lines = 0 } else { print } }
' "$log" || true
if [ "$status" -ne 0 ] || [ "$node_status" -ne 0 ] || [ -z "${node_passed:-}" ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ] || [ "$bench" -ne 0 ] || [ "$fuzz" -ne 0 ] || [ "$aot" -ne 0 ]; then
  exit 1
fi
