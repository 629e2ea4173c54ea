#!/usr/bin/env bash
# The chaos run for longer than CI's: purrd (SQLite) under load from senders and subscribed receivers is killed
# (SIGKILL) and stopped (SIGTERM) at random moments and restarted, CYCLES times each (default 100); the run
# fails if an accepted message is lost or an acknowledged one is delivered again. Prints the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
cycles=${1:-100}
dotnet build tests/Purr.Server.Tests --nologo -v quiet -p:BuildWebClient=false
PURR_CHAOS_CYCLES=$cycles dotnet test tests/Purr.Server.Tests --no-build --nologo \
  --filter "FullyQualifiedName~Chaos" --logger "console;verbosity=detailed" | grep -E "^chaos |Passed |Failed |Error Message"
