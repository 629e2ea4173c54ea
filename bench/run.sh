#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: installs Prosody (Debian) for the comparison, builds in Release, runs
# every scenario against Purr, the raw relay and Prosody, writes BENCHMARKS.md and bench/results/.
# Loopback only; every scenario is bounded in time. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v prosody >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prosody >/dev/null
fi
# The package starts a system-wide Prosody; the bench runs its own on a free port.
service prosody stop >/dev/null 2>&1 || true

dotnet build -c Release bench/Purr.Bench --nologo -v quiet
dotnet bench/Purr.Bench/bin/Release/net10.0/purr-bench.dll all "$@"
service prosody stop >/dev/null 2>&1 || true
