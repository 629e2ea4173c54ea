#!/usr/bin/env bash
# Installs what the test suite needs on Debian 12, idempotently. Run as root (CI is root).
# - chromium: Debian's browser, driven headless by the browser-client tests (never a downloaded one);
# - afl++: the fuzzer that drives the SharpFuzz targets in fuzz/ (fuzz/run.sh);
# - tmux: a real terminal for the `purr chat` tests; zbar-tools: decodes the QR codes purr prints;
# - postgresql (15) and redis-server: the PostgreSQL store and the multi-node tests (scripts/test-services.sh
#   starts private instances of both on loopback);
# - clang and zlib1g-dev: native AOT links purrd with them (scripts/test-aot.sh);
# - mosquitto: the MQTT broker the MQTT transport tests start privately on a free loopback port (Debian's package
#   may also start its own service on 1883; the tests do not use it);
# - Node.js 20+ with npm: builds the browser client and runs its unit tests (checked, not installed:
#   Debian 12's own nodejs is 18; install Node 20 from your distribution channel of choice).
set -euo pipefail

# (libsodium comes with the build: the libsodium NuGet package's native libraries.)
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v afl-fuzz >/dev/null || missing+=(afl++)
command -v tmux >/dev/null || missing+=(tmux)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v clang >/dev/null || missing+=(clang)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js 20 or later with npm is required (the browser client is built with it)" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || { echo "Node.js 20 or later is required (found $(node --version))" >&2; exit 1; }
