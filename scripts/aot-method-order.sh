#!/usr/bin/env bash
# Regenerates src/Purr.Server.Host/AotMethodOrder.txt, the order in which the native AOT build lays out purrd's methods.
#
# Why: the kernel maps a binary's pages in 64 KiB blocks around each page a process touches (fault-around), so the
# methods a start runs, scattered over 14 MiB of code, made about 9.7 MiB of it resident. Laid out together, in the
# order a start, a first hello and a first conversation run them, they take about 1.4 MiB (BENCHMARKS.md, S5).
#
# How: publishes purrd as native AOT, runs it under valgrind's callgrind (which records every instruction executed),
# dumps the profile after the start and a first hello, then drives a first conversation with the purr CLI (two
# profiles, a card, its answer, a message each way), and maps the executed addresses to methods
# (scripts/aot-method-order.py). Methods the file does not name (new code) go after those it does; names that no
# longer exist are ignored, and scripts/test-aot.sh fails when most of them are gone. Needs root for apt (valgrind).
# Takes a few minutes. Run it after large changes to the server, and commit the file.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v valgrind >/dev/null || missing+=(valgrind)
command -v python3 >/dev/null || missing+=(python3)
command -v objcopy >/dev/null || missing+=(binutils)
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "aot-method-order: install ${missing[*]} (as root: apt-get install ${missing[*]})" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

out=artifacts/aot-order
rm -rf "$out"
# Without the current order (the names do not depend on it, and the file may not exist yet).
dotnet publish src/Purr.Server.Host -r linux-x64 -c Release -p:PublishAot=true -p:BuildWebClient=false -p:PurrMethodOrder=false --nologo -v quiet -o "$out"
dotnet build src/Purr.Cli -c Release --nologo -v quiet
purr="$PWD/src/Purr.Cli/bin/Release/net10.0/purr.dll"

work=$(mktemp -d)
server=0
cleanup() {
  [ "$server" = 0 ] || kill -TERM "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# valgrind 3.19 cannot read the DWARF 5 of purrd.dbg: run a copy that does not point to it (the symbols are read
# from purrd.dbg by aot-method-order.py instead).
mkdir -p "$work/bin" "$work/data"
cp -r "$out"/. "$work/bin/"
rm -f "$work/bin/purrd.dbg"
objcopy --remove-section=.gnu_debuglink "$work/bin/purrd"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$work/profile" \
  "$work/bin/purrd" --urls "http://127.0.0.1:$port" --data "$work/data" --storage sqlite >"$work/purrd.out" 2>"$work/valgrind.out" &
server=$!
for _ in $(seq 1 600); do
  grep -q "purrd listening" "$work/purrd.out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/valgrind.out" >&2; exit 1; }
  sleep 0.2
done
address=$(grep -o "purr://[^ ]*" "$work/purrd.out" | head -1)
[ -n "$address" ] || { echo "aot-method-order: purrd did not start under valgrind" >&2; cat "$work/valgrind.out" >&2; exit 1; }
base=$(awk -v bin="$work/bin/purrd" '$6 == bin && $3 == "00000000" { split($1, range, "-"); print range[1]; exit }' "/proc/$server/maps")

# Phase one, what S5 measures: a WebSocket upgrade and the server's hello frame.
python3 - "$port" <<'EOF'
import base64, os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(f"GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
data = b""
while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 2:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit("aot-method-order: the connection closed before the hello")
    data += chunk
EOF
sleep 2
callgrind_control --dump="start and first hello" "$server" >/dev/null

# Phase two: a first conversation, as a person would have it.
export PURR_PASSPHRASE="method order"
run() { dotnet "$purr" "$@" >/dev/null; }
run --profile "$work/a" init --server "$address" --display-name A
run --profile "$work/b" init --server "$address" --display-name B
run --profile "$work/a" invite --name b --out "$work/card"
run --profile "$work/b" accept "$work/card" --name a
run --profile "$work/a" receive --wait 30
run --profile "$work/b" receive --wait 30
run --profile "$work/b" send a "hello"
run --profile "$work/a" receive --wait 30
run --profile "$work/a" send b "hello to you"
run --profile "$work/b" receive --wait 30

kill -TERM "$server"
wait "$server" || true
server=0
# callgrind names the dumped parts profile.1, profile.2, …; the part left at exit may be plain "profile".
profiles="$(ls "$work"/profile.* | sort -t. -k2 -n) $(ls "$work"/profile 2>/dev/null || true)"
python3 scripts/aot-method-order.py "$out/purrd.dbg" "$base" $profiles >src/Purr.Server.Host/AotMethodOrder.txt
echo "aot-method-order: $(wc -l <src/Purr.Server.Host/AotMethodOrder.txt) methods written to src/Purr.Server.Host/AotMethodOrder.txt"
