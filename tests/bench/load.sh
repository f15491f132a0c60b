#!/usr/bin/env bash
# Load benchmark: scorecard GET and reading POST throughput and latency (p50/p99) on SQLite and
# PostgreSQL, with 10 active goals x 1,000 readings. Traffic goes to 127.0.0.1 only; every run is
# bounded in time. Usage: tests/bench/load.sh [DURATION_SECONDS]   (figures go to stdout)
# Needs: a release build (built here), wrk (installed from Debian if missing), PostgreSQL at
# $BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres; skipped if unreachable).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-15}
pg_admin=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null || { echo "wrk is needed" >&2; exit 1; }; }
cargo build -q --release -p tandem-api
bin=${CARGO_TARGET_DIR:-target}/release/tandem
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

json() { python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }

run_backend() { # name database_url
  local name=$1 url=$2 port base
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  TANDEM_DATABASE_URL=$url TANDEM_BIND=127.0.0.1:$port RUST_LOG=warn "$bin" serve >"$work/$name.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

  for who in ada grace; do
    curl -fsS -X POST "$base/v1/auth/register" -H 'content-type: application/json' \
      -d "{\"email\":\"$who@bench.test\",\"password\":\"$who-password-123\",\"display_name\":\"$who\",\"time_zone\":\"Europe/Berlin\"}" >/dev/null
  done
  token() { curl -fsS -X POST "$base/v1/auth/token" -H 'content-type: application/json' \
      -d "{\"email\":\"$1@bench.test\",\"password\":\"$1-password-123\"}" | json '["access_token"]'; }
  local ada grace pid goal
  ada=$(token ada); grace=$(token grace)
  pid=$(curl -fsS -X POST "$base/v1/partnerships" -H "authorization: Bearer $ada" -H 'content-type: application/json' \
    -d '{"invitee_email":"grace@bench.test"}' | json '["id"]')
  curl -fsS -X POST "$base/v1/partnerships/$pid/accept" -H "authorization: Bearer $grace" >/dev/null
  local goals=()
  for i in $(seq 1 10); do
    local tok=$ada; [ "$i" -gt 5 ] && tok=$grace   # at most 5 active goals per partner
    goal=$(curl -fsS -X POST "$base/v1/partnerships/$pid/goals" -H "authorization: Bearer $tok" -H 'content-type: application/json' \
      -d "{\"title\":\"Goal $i for the bench\",\"what\":\"Grow the metric number $i steadily\",\"who\":\"Team $i\",\"why\":\"Because it matters a great deal\",\"metric\":{\"name\":\"m$i\",\"unit\":\"n\",\"kind\":\"number\",\"direction\":\"increase\",\"baseline\":0,\"target\":1000},\"confidence\":0.7,\"alignment\":\"Bench\",\"start_date\":\"2026-01-01\",\"due_date\":\"2026-12-31\"}" | json '["id"]')
    curl -fsS -X POST "$base/v1/goals/$goal/activate" -H "authorization: Bearer $tok" >/dev/null
    python3 - "$goal" >"$work/batch.json" <<'PY'
import json, sys, datetime
goal = sys.argv[1]
start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
items = [{"goal_id": goal, "value": i * 0.9, "observed_at": (start + datetime.timedelta(hours=8 * i)).isoformat().replace("+00:00", "Z"),
          "external_id": f"seed-{i}"} for i in range(1000)]
print(json.dumps({"readings": items}))
PY
    curl -fsS -X POST "$base/v1/readings/batch" -H "authorization: Bearer $tok" -H 'content-type: application/json' \
      --data-binary @"$work/batch.json" | json '["created"]' >/dev/null
    goals+=("$goal")
  done

  echo "== $name: 10 goals x 1,000 readings; wrk -t2 -c16 -d${duration}s"
  echo "-- GET /v1/partnerships/{id}/scorecard"
  wrk -t2 -c16 -d"${duration}s" --latency -H "authorization: Bearer $ada" "$base/v1/partnerships/$pid/scorecard" \
    | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $ada"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"value": ' .. counter .. ', "observed_at": "2026-06-01T09:00:00Z"}')
end
LUA
  echo "-- POST /v1/goals/{id}/readings"
  wrk -t2 -c16 -d"${duration}s" --latency -s "$work/post.lua" "$base/v1/goals/${goals[0]}/readings" \
    | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}

run_backend sqlite "$work/bench.db"
if psql "$pg_admin" -qtAc 'select 1' >/dev/null 2>&1; then
  db="tandem_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
  run_backend postgres "${pg_admin%/*}/$db"
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
else
  echo "== postgres: skipped ($pg_admin unreachable)"
fi
