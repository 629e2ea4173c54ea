#!/usr/bin/env bash
# purrd as native AOT: publishes it (any trim or AOT warning fails the build: warnings are errors), checks it is a
# native executable, and runs every test that starts real purrd processes against that binary instead of the JIT
# build: mailboxes end to end across a restart, SIGTERM, shutdown answering every request, purrctl over the admin
# socket, erasure, broadcasts, registration policies, and two or three processes on PostgreSQL and Redis (these need
# the test services: scripts/test-services.sh start). Then the lean build (-p:PurrLean=true: no PostgreSQL, Redis or
# MQTT compiled in) to artifacts/aot-lean: checks that it is smaller, and runs against it the tests that fit a
# single SQLite purrd, and LeanBuildTests (what it refuses). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

out=artifacts/aot
rm -rf "$out"
dotnet publish src/Purr.Server.Host -r linux-x64 -c Release -p:PublishAot=true -p:BuildWebClient=false --nologo -v quiet -o "$out"
test -x "$out/purrd"
head -c 4 "$out/purrd" | grep -q "ELF" || { echo "test-aot: $out/purrd is not a native executable" >&2; exit 1; }
"$out/purrd" --version

PURR_PURRD="$PWD/$out/purrd" dotnet test tests/Purr.Server.Tests --nologo \
  --filter "FullyQualifiedName~Purr.Server.Tests.PersistenceTests|FullyQualifiedName~Purr.Server.Tests.AdminTests|FullyQualifiedName~Purr.Server.Tests.ErasureTests|FullyQualifiedName~Purr.Server.Tests.BroadcastTests|FullyQualifiedName~Purr.Server.Tests.RegistrationTests|FullyQualifiedName~Purr.Server.Tests.ScaleOut|FullyQualifiedName~Purr.Server.Tests.Transports.TransportProcessTests|FullyQualifiedName~Purr.Server.Tests.Federation.FederationProcessTests|FullyQualifiedName~Purr.Server.Tests.Federation.OnionProcessTests" "$@"

lean=artifacts/aot-lean
rm -rf "$lean"
dotnet publish src/Purr.Server.Host -r linux-x64 -c Release -p:PublishAot=true -p:PurrLean=true -p:BuildWebClient=false --nologo -v quiet -o "$lean"
"$lean/purrd" --version | grep -q "built without PostgreSQL, Redis, MQTT" || { echo "test-aot: $lean/purrd is not a lean build" >&2; exit 1; }
# The point of the lean build: Npgsql, StackExchange.Redis and MQTTnet are not compiled in at all.
if grep -a -q -E "Npgsql|StackExchange\.Redis|MQTTnet" "$lean/purrd"; then
  echo "test-aot: $lean/purrd still has PostgreSQL, Redis or MQTT code in it (a feature switch no longer trims)" >&2
  exit 1
fi
echo "test-aot: full $(stat -c %s "$out/purrd") bytes, lean $(stat -c %s "$lean/purrd") bytes"

PURR_PURRD="$PWD/$lean/purrd" PURR_PURRD_LEAN="$PWD/$lean/purrd" dotnet test tests/Purr.Server.Tests --nologo --no-build \
  --filter "FullyQualifiedName~Purr.Server.Tests.PersistenceTests|FullyQualifiedName~Purr.Server.Tests.LeanBuildTests|FullyQualifiedName~Purr.Server.Tests.BroadcastTests" "$@"
