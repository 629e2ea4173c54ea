#!/usr/bin/env bash
# purrd as native AOT: publishes it (any trim or AOT warning fails the build: warnings are errors), checks it is a
# native executable, checks that its methods were laid out in the recorded order, and runs every test that starts real
# purrd processes against that binary instead of the JIT build: mailboxes end to end across a restart, SIGTERM,
# shutdown answering every request, purrctl over the admin socket, erasure, broadcasts, registration policies, and two
# or three processes on PostgreSQL and Redis (these need the test services: scripts/test-services.sh start). Then the
# lean build (-p:PurrLean=true: no PostgreSQL, Redis or MQTT compiled in) to artifacts/aot-lean: checks that it is
# smaller, and runs against it the tests that fit a single SQLite purrd, and LeanBuildTests (what it refuses). Extra
# arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

out=artifacts/aot
rm -rf "$out"
dotnet publish src/Purr.Server.Host -r linux-x64 -c Release -p:PublishAot=true -p:BuildWebClient=false --nologo -v quiet -o "$out"
test -x "$out/purrd"
head -c 4 "$out/purrd" | grep -q "ELF" || { echo "test-aot: $out/purrd is not a native executable" >&2; exit 1; }
"$out/purrd" --version

# The method order (src/Purr.Server.Host/AotMethodOrder.txt, scripts/aot-method-order.sh) must still name the methods it
# lays out, and the build must have used it: otherwise nothing fails, but the idle memory grows by about 9 MiB.
order=src/Purr.Server.Host/AotMethodOrder.txt
nm --defined-only "$out/purrd.dbg" | awk '{ print $3 }' | LC_ALL=C sort -u >"$out/symbols.txt"
named=$(LC_ALL=C sort -u "$order" | LC_ALL=C comm -12 "$out/symbols.txt" - | wc -l)
listed=$(LC_ALL=C sort -u "$order" | wc -l)
if [ $((named * 100)) -lt $((listed * 80)) ]; then
  echo "test-aot: only $named of the $listed methods in $order are still in purrd; run scripts/aot-method-order.sh" >&2
  exit 1
fi
first=$(nm -n --defined-only "$out/purrd.dbg" | grep -B2 -A2 " __start___managedcode$" | awk '{ print $3 }')
if ! head -n 20 "$order" | grep -Fxq -f - <(echo "$first"); then
  echo "test-aot: purrd's managed code does not start with the methods $order names first (was it ignored?)" >&2
  exit 1
fi
echo "test-aot: $named of the $listed methods in the method order are in purrd"

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
