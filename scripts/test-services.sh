#!/usr/bin/env bash
# Starts (or stops) the PostgreSQL and Redis the scale-out tests use: private instances on loopback, on
# their own ports and in their own directory, so nothing of the machine's own services is touched.
# Idempotent: `start` on running instances does nothing; `stop` on stopped ones does nothing.
#   bash scripts/test-services.sh start   # then PURR_TEST_POSTGRES / PURR_TEST_REDIS as printed
#   bash scripts/test-services.sh stop
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the Debian package made.
set -euo pipefail

root=${PURR_TEST_SERVICES_DIR:-/tmp/purr-test-services}
# Below Linux's ephemeral range (32768-60999): a port in it can be held by some client's outgoing connection
# (after a benchmark's 10,000 connections PostgreSQL once failed to bind the 55432 used until 2026-12).
pg_port=${PURR_TEST_POSTGRES_PORT:-15432}
redis_port=${PURR_TEST_REDIS_PORT:-16379}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
pg_data="$root/postgres"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  [ -n "$pg_bin" ] || { echo "PostgreSQL is not installed (scripts/install-test-deps.sh installs it)" >&2; exit 1; }
  command -v redis-server >/dev/null || { echo "redis-server is not installed (scripts/install-test-deps.sh installs it)" >&2; exit 1; }
  mkdir -p "$root"
  chmod 0755 "$root"
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    mkdir -p "$pg_data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_data"
    as_postgres "$pg_bin/initdb" -D "$pg_data" -U purr -A trust --no-sync -E UTF8 >/dev/null
  fi
  if ! as_postgres "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -w -l "$pg_data/log" \
      -o "-p $pg_port -h 127.0.0.1 -k $pg_data -c fsync=off -c max_connections=300" start >/dev/null
  fi
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --dir "$root" --pidfile "$root/redis.pid" --logfile "$root/redis.log"
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "PURR_TEST_POSTGRES=Host=127.0.0.1;Port=$pg_port;Username=purr;Database=postgres"
  echo "PURR_TEST_REDIS=127.0.0.1:$redis_port"
}

stop() {
  if [ -n "$pg_bin" ] && [ -f "$pg_data/PG_VERSION" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
  fi
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
