#!/usr/bin/env bash
# purrd as native AOT: publishes it (any trim or AOT warning fails the build: warnings are errors), checks it is a
# native executable, and runs every test that starts real purrd processes against that binary instead of the JIT
# build: mailboxes end to end across a restart, SIGTERM, shutdown answering every request, purrctl over the admin
# socket, erasure, broadcasts, registration policies, and two or three processes on PostgreSQL and Redis (these need
# the test services: scripts/test-services.sh start). Extra arguments go to `dotnet test`.
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
