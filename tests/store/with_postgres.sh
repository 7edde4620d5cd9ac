#!/usr/bin/env bash
# with_postgres.sh CMD [ARGS...]: runs CMD against a throw-away PostgreSQL server.
# The server lives in a fresh temporary directory, listens on 127.0.0.1 only (a free port)
# and on a unix socket inside that directory; FOGLINE_TEST_PG_URL points CMD at an empty
# database. The server is stopped and the directory deleted when this script exits, also
# when CMD fails or the script is interrupted. initdb refuses to run as root, so as root the
# server runs as the Debian `postgres` user in a directory that user owns.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [[ $# -eq 0 ]]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi
for tool in initdb pg_ctl; do
  if [[ ! -x $PGBIN/$tool ]]; then
    echo "with_postgres: $PGBIN/$tool not found (Debian package postgresql-15; set PGBIN)" >&2
    exit 1
  fi
done

as_server=()
if [[ $(id -u) -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with_postgres: running as root and there is no 'postgres' user to run the server" >&2
    exit 1
  fi
  as_server=(runuser -u postgres --)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/fogline-pg.XXXXXX")
chmod 755 "$dir"
[[ ${#as_server[@]} -gt 0 ]] && chown postgres: "$dir"
started=0
cleanup() {
  local rc=$?
  if [[ $started -eq 1 ]]; then
    "${as_server[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${as_server[@]}" "$PGBIN/initdb" -D "$dir/data" -U fogline -A trust -E UTF8 --locale=C --no-sync \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Another test may take the same port between our check and the server's bind: try a few.
for attempt in 1 2 3 4 5 6 7 8; do
  port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  port_free "$port" || continue
  if "${as_server[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c full_page_writes=off -c max_connections=60" \
      start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [[ $started -ne 1 ]]; then
  echo "with_postgres: the server did not start; its log:" >&2
  cat "$dir/server.log" >&2 2>/dev/null || true
  exit 1
fi

"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$port" -U fogline -d postgres -c "CREATE DATABASE fogline_test" >/dev/null
export FOGLINE_TEST_PG_URL="postgresql://fogline@127.0.0.1:$port/fogline_test"
echo "with_postgres: PostgreSQL on 127.0.0.1:$port (data in $dir)" >&2
set +e
"$@"
rc=$?
set -e
exit $rc
