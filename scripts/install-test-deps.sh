#!/usr/bin/env bash
# Installs what the test suite needs on Debian 12, idempotently. Run as root (CI is root).
# Today: libsodium23 (the crypto library purrd and the clients load at run time).
set -euo pipefail

have_sodium() { ldconfig -p 2>/dev/null | grep -q 'libsodium\.so\.23'; }

if ! have_sodium; then
  if [ "$(id -u)" != 0 ]; then
    echo "libsodium23 is missing; run as root or: sudo apt-get install libsodium23" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsodium23 >/dev/null
fi

command -v dotnet >/dev/null || { echo "the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
