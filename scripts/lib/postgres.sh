# Sourced by scripts: starts a throwaway PostgreSQL server on a free loopback port.
#   start_throwaway_postgres  → sets PG_URL (postgres://spendwall@127.0.0.1:PORT/postgres), PG_BIN,
#                               and stop_throwaway_postgres for the caller's cleanup.
# Installs Debian's postgresql when running as root and it is missing. Returns 1 when no server
# can be had.
start_throwaway_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$PG_BIN" ] && [ "$(id -u)" = 0 ]; then
    echo "== installing postgresql" >&2
    (apt-get install -y -q postgresql || (apt-get update -q && apt-get install -y -q postgresql)) >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  fi
  [ -n "$PG_BIN" ] || return 1
  PG_DIR=$(mktemp -d)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  PG_AS=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; PG_AS=(runuser -u postgres --); fi
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U spendwall >"$PG_DIR/initdb.log" 2>&1
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
  PG_URL="postgres://spendwall@127.0.0.1:$port/postgres"
}

stop_throwaway_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
