#!/usr/bin/env bash
# Holds a mixed load on a real purrd for SECONDS (default 1800) and samples its memory, descriptors,
# threads and store size; fails if any keeps growing. CI runs the same for one minute.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1800}
dotnet build tests/Purr.Server.Tests --nologo -v quiet -p:BuildWebClient=false
PURR_SOAK_SECONDS=$seconds dotnet test tests/Purr.Server.Tests --no-build --nologo \
  --filter "FullyQualifiedName~Soak" --logger "console;verbosity=detailed" | grep -E "^soak |Passed |Failed |Error Message|grew"
