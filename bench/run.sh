#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: installs Prosody and ejabberd (Debian) for the comparison, builds in Release, runs
# every scenario against Purr, the raw relay, Prosody and ejabberd, writes BENCHMARKS.md and bench/results/.
# Loopback only; every scenario is bounded in time. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v prosody >/dev/null || ! [ -d /usr/lib/x86_64-linux-gnu/ejabberd-23.01 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prosody ejabberd >/dev/null
fi
# The packages start a system-wide Prosody and ejabberd; the bench runs its own of each on a free port.
service prosody stop >/dev/null 2>&1 || true
service ejabberd stop >/dev/null 2>&1 || true

# `bash bench/run.sh scale`: S1 and S2 on SQLite, PostgreSQL and two nodes with Redis (docs/scale-out.md);
# it needs the private PostgreSQL and Redis the tests use.
if [ "${1:-}" = scale ]; then
  bash scripts/install-test-deps.sh
  bash scripts/test-services.sh start >/dev/null
  trap 'bash scripts/test-services.sh stop' EXIT
fi

dotnet build -c Release bench/Purr.Bench --nologo -v quiet
dotnet bench/Purr.Bench/bin/Release/net10.0/purr-bench.dll "${1:-all}" "${@:2}"
service prosody stop >/dev/null 2>&1 || true
service ejabberd stop >/dev/null 2>&1 || true
