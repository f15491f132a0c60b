#!/usr/bin/env bash
# Tandem beside its floor: the scorecard GET and the reading POST against pgbench running the
# minimal SQL for the same work on the same PostgreSQL database, interleaved over several rounds
# (medians), plus SQLite, open-loop latency at half of peak, statements per request (read from
# /metrics) and resident memory. Figures go to stdout as a Markdown table; the README keeps the
# latest. A benchmark, not a test: nothing here passes or fails.
#
# Usage: tests/bench/bench.sh [SECONDS_PER_RUN] [ROUNDS]            (defaults 10 and 3)
# Needs: wrk (Debian's, installed if missing), pgbench and a PostgreSQL server at $BENCH_PG_URL
# (default postgres://postgres@127.0.0.1:5432/postgres; the PostgreSQL part is skipped if it is
# unreachable). Builds the release server and the open-loop generator (tests/src/bin/openloop.rs).
# Closed-loop runs: wrk -t2 -c16. Open-loop runs: openloop at half the closed-loop median rate.
# A/B: BENCH_TANDEM=/path/to/another/tandem runs that server binary instead of the one built here.
# BENCH_DATABASES="sqlite" (or "postgres") runs one database only (default: both).
# BENCH_TIMELINES=DIR keeps each open-loop run's latencies by due time in DIR (openloop's
# OPENLOOP_TIMELINE), to see when the slow requests came.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}
rounds=${2:-3}
pg_admin=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
cargo build -q --release -p tandem-api
cargo build -q --release -p tandem-tests --bin openloop
target=${CARGO_TARGET_DIR:-target}/release
tandem=${BENCH_TANDEM:-$target/tandem}
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

json() { python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
# wrk's "Requests/sec" and 99th percentile (ms).
wrk_rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
wrk_p99() { python3 - "$1" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    m = re.match(r"\s*99%\s+([\d.]+)(us|ms|s)", line)
    if m:
        v, u = float(m.group(1)), m.group(2)
        print(round(v / 1000 if u == "us" else v * 1000 if u == "s" else v, 2))
PY
}
median() { python3 -c "import sys,statistics; v=[float(x) for x in sys.argv[1:] if x]; print(round(statistics.median(v), 2) if v else 'n/a')" "$@"; }
counter() { curl -fsS "$metrics/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
statements() { counter tandem_db_statements_total; }
hops() { counter tandem_blocking_hops_total; }

start_server() { # name database_url
  local port mport
  port=$(free_port); mport=$(free_port)
  base="http://127.0.0.1:$port"; metrics="http://127.0.0.1:$mport"
  TANDEM_DATABASE_URL=$2 TANDEM_BIND=127.0.0.1:$port TANDEM_METRICS_BIND=127.0.0.1:$mport \
    TANDEM_WEBHOOK_WORKER=false TANDEM_AUTH_RATE_LIMIT=0 RUST_LOG=warn "$tandem" serve >"$work/$1.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 3
  idle_rss=$(rss_mib "$server")
}

seed() { # 2 partners x 5 active goals x 1,000 readings
  for who in ada grace; do
    curl -fsS -X POST "$base/v1/auth/register" -H 'content-type: application/json' \
      -d "{\"email\":\"$who@bench.test\",\"password\":\"$who-password-123\",\"display_name\":\"$who\",\"time_zone\":\"Europe/Berlin\"}" >/dev/null
  done
  token() { curl -fsS -X POST "$base/v1/auth/token" -H 'content-type: application/json' \
      -d "{\"email\":\"$1@bench.test\",\"password\":\"$1-password-123\"}" | json '["access_token"]'; }
  ada=$(token ada); grace=$(token grace)
  ada_id=$(curl -fsS "$base/v1/me" -H "authorization: Bearer $ada" | json '["id"]')
  pid=$(curl -fsS -X POST "$base/v1/partnerships" -H "authorization: Bearer $ada" -H 'content-type: application/json' \
    -d '{"invitee_email":"grace@bench.test","time_zone":"Europe/Berlin"}' | json '["id"]')
  curl -fsS -X POST "$base/v1/partnerships/$pid/accept" -H "authorization: Bearer $grace" >/dev/null
  goals=()
  for i in $(seq 1 10); do
    local tok=$ada goal
    [ "$i" -gt 5 ] && tok=$grace
    goal=$(curl -fsS -X POST "$base/v1/partnerships/$pid/goals" -H "authorization: Bearer $tok" -H 'content-type: application/json' \
      -d "{\"title\":\"Goal $i for the bench\",\"what\":\"Grow the metric number $i steadily\",\"who\":\"Team $i\",\"why\":\"Because it matters a great deal\",\"metric\":{\"name\":\"m$i\",\"unit\":\"n\",\"kind\":\"number\",\"direction\":\"increase\",\"baseline\":0,\"target\":1000},\"confidence\":0.7,\"alignment\":\"Bench\",\"start_date\":\"2026-01-01\",\"due_date\":\"2026-12-31\"}" | json '["id"]')
    curl -fsS -X POST "$base/v1/goals/$goal/activate" -H "authorization: Bearer $tok" >/dev/null
    python3 - "$goal" >"$work/batch.json" <<'PY'
import json, sys, datetime
goal = sys.argv[1]
start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
items = [{"goal_id": goal, "value": i * 0.9, "observed_at": (start + datetime.timedelta(hours=7 * i)).isoformat().replace("+00:00", "Z"),
          "external_id": f"seed-{i}"} for i in range(1000)]
print(json.dumps({"readings": items}))
PY
    curl -fsS -X POST "$base/v1/readings/batch" -H "authorization: Bearer $tok" -H 'content-type: application/json' \
      --data-binary @"$work/batch.json" >/dev/null
    goals+=("$goal")
  done
  # Writes go to a draft goal of Ada's: drafts take readings but stay off the scorecard, so the
  # write rounds (Tandem's and pgbench's) leave the scorecard's data as seeded.
  draft=$(curl -fsS -X POST "$base/v1/partnerships/$pid/goals" -H "authorization: Bearer $ada" -H 'content-type: application/json' \
    -d '{"title":"Writes of the bench","metric":{"name":"w","unit":"n","kind":"number","direction":"increase","baseline":0,"target":1}}' | json '["id"]')
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
  scorecard_url="$base/v1/partnerships/$pid/scorecard"
  post_url="$base/v1/goals/$draft/readings"
}

tandem_scorecard() { wrk -t2 -c16 -d"${duration}s" --latency -H "authorization: Bearer $ada" "$scorecard_url" >"$1"; }
tandem_post() { wrk -t2 -c16 -d"${duration}s" --latency -s "$work/post.lua" "$post_url" >"$1"; }

per_request() { # url [method body]: SQL statements and blocking hops per request, 200 sequential requests
  local before after hops_before hops_after
  before=$(statements); hops_before=$(hops)
  for _ in $(seq 1 200); do
    if [ "${2:-GET}" = GET ]; then curl -fsS -o /dev/null -H "authorization: Bearer $ada" "$1"
    else curl -fsS -o /dev/null -X POST -H "authorization: Bearer $ada" -H 'content-type: application/json' -d "$3" "$1"; fi
  done
  after=$(statements); hops_after=$(hops)
  python3 -c "print(f'{round(($after - $before) / 200, 2)} ({round(($hops_after - $hops_before) / 200, 2)} hop)')"
}

openloop() { # name url rate [method body]
  local timeline=
  [ -n "${BENCH_TIMELINES:-}" ] && mkdir -p "$BENCH_TIMELINES" && timeline="$BENCH_TIMELINES/$1.txt"
  OPENLOOP_TIMELINE=$timeline AUTHORIZATION="Bearer $ada" \
    "$target/openloop" "$2" "$3" "$duration" "${4:-GET}" "${5:-}"
}

# The roll-up job (every 2 s by default, `TANDEM_ROLLUP_EVERY_MS`) sums the seeded readings of the
# ten goals, as a running server keeps them summed: the scorecard is measured in that state. The
# draft goal taking the writes is rolled up by the same job while the rounds run.
wait_rolled() { # command printing how many roll-ups hold
  for _ in $(seq 1 100); do
    [ "$("$@")" -ge 10 ] && return
    sleep 0.1
  done
  echo "warning: the seeded goals were not rolled up within 10 s" >&2
}
pg_rolled() { psql "$1" -qtAc 'SELECT count(*) FROM goal_rollups WHERE NOT stale'; }
lite_rolled() { python3 -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM goal_rollups WHERE NOT stale').fetchone()[0])" "$1"; }

half() { python3 -c "print(max(1, int(float('$1') / 2)))"; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

declare -A result

bench_postgres() {
  psql "$pg_admin" -qtAc 'select 1' >/dev/null 2>&1 || { echo "PostgreSQL at $pg_admin unreachable: skipped" >&2; return; }
  local db="tandem_bench_$$" url
  psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
  url="${pg_admin%/*}/$db"
  start_server postgres "$url"
  result[pg_idle_rss]=$idle_rss
  seed
  wait_rolled pg_rolled "$url"
  # The steady state: autovacuum would have analyzed the freshly loaded readings within a minute
  # or so; until then PostgreSQL plans as if each goal had a handful of readings (it sorts them
  # all to find the latest). It would also have vacuumed them: the roll-up job has just rewritten
  # each seeded reading once (marking it rolled), and until a vacuum marks the pages all-visible
  # again the floor's index-only scans turn into a scan of the table per goal (172 against 771
  # tps side by side). Both Tandem and the floor run on the vacuumed, analyzed tables.
  psql "$url" -qc 'VACUUM ANALYZE'
  # The floor's own connections plan without sequential scans (PGOPTIONS): once the draft goal
  # holds most readings, PostgreSQL's estimate for one goal (rows over distinct goals) made it
  # scan the whole table per goal instead of the goal's index range, and the floor fell to about
  # 40 tps (2026-12-07); the floor is the work done well, so it is spared that misestimate.
  # Per goal (LATERAL), like Tandem's: written as one join grouped by goal, PostgreSQL plans it
  # from table-wide estimates and reads the whole table once the draft goal's writes dominate it,
  # so the floor would sink round by round (344, 168, 111 tps) and flatter the ratio. Seconds by
  # date_part (a double), as Tandem takes them: EXTRACT(EPOCH …) computes a numeric, which made
  # the floor about 1.5x slower (458 against 657 tps side by side) and flattered it as well.
  cat >"$work/scorecard.sql" <<SQL
SELECT g.id,
       (SELECT value FROM readings l WHERE l.goal_id = g.id AND l.deleted_at IS NULL
         ORDER BY l.observed_at DESC LIMIT 1) AS latest,
       s.slope, s.intercept
FROM goals g CROSS JOIN LATERAL (
  SELECT regr_slope(r.value, date_part('epoch', r.observed_at)) AS slope,
         regr_intercept(r.value, date_part('epoch', r.observed_at)) AS intercept
  FROM readings r WHERE r.goal_id = g.id AND r.deleted_at IS NULL
) s
WHERE g.partnership_id = '$pid' AND g.status = 'active';
SQL
  cat >"$work/insert.sql" <<SQL
INSERT INTO readings (id, goal_id, value, observed_at, source, recorded_by, version, created_at, updated_at)
VALUES (gen_random_uuid()::text, '$draft', random(), now(), 'manual', '$ada_id', 1, now(), now());
SQL
  local s_rps=() s_p99=() f_s=() p_rps=() p_p99=() f_i=()
  for _ in $(seq 1 "$rounds"); do
    tandem_scorecard "$work/s.txt"; s_rps+=("$(wrk_rps "$work/s.txt")"); s_p99+=("$(wrk_p99 "$work/s.txt")")
    f_s+=("$(PGOPTIONS='-c enable_seqscan=off' pgbench -n -c16 -j2 -T"$duration" -f "$work/scorecard.sql" "$url" 2>/dev/null | awk '/^tps/ {print $3}')")
    tandem_post "$work/p.txt"; p_rps+=("$(wrk_rps "$work/p.txt")"); p_p99+=("$(wrk_p99 "$work/p.txt")")
    f_i+=("$(pgbench -n -c16 -j2 -T"$duration" -f "$work/insert.sql" "$url" 2>/dev/null | awk '/^tps/ {print $3}')")
  done
  result[pg_scorecard_rps]=$(median "${s_rps[@]}"); result[pg_scorecard_p99]=$(median "${s_p99[@]}")
  result[pg_scorecard_floor]=$(median "${f_s[@]}")
  result[pg_post_rps]=$(median "${p_rps[@]}"); result[pg_post_p99]=$(median "${p_p99[@]}")
  result[pg_insert_floor]=$(median "${f_i[@]}")
  result[pg_scorecard_statements]=$(per_request "$scorecard_url")
  result[pg_post_statements]=$(per_request "$post_url" POST '{"value": 1, "observed_at": "2026-06-01T09:00:00Z"}')
  # The rounds have just inserted a few hundred thousand readings into the draft goal; the
  # latency runs measure the service, not autovacuum catching up with them at the same moment.
  psql "$url" -qc 'VACUUM ANALYZE'
  result[pg_scorecard_open]=$(openloop pg_scorecard "$scorecard_url" "$(half "${result[pg_scorecard_rps]}")")
  result[pg_post_open]=$(openloop pg_post "$post_url" "$(half "${result[pg_post_rps]}")" POST '{"value": {n}, "observed_at": "2026-06-01T09:00:00Z"}')
  result[pg_loaded_rss]=$(rss_mib "$server")
  sleep 3; result[pg_settled_rss]=$(rss_mib "$server")
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
}

bench_sqlite() {
  start_server sqlite "$work/bench.db"
  result[lite_idle_rss]=$idle_rss
  seed
  wait_rolled lite_rolled "$work/bench.db"
  local s_rps=() s_p99=() p_rps=() p_p99=()
  for _ in $(seq 1 "$rounds"); do
    tandem_scorecard "$work/s.txt"; s_rps+=("$(wrk_rps "$work/s.txt")"); s_p99+=("$(wrk_p99 "$work/s.txt")")
    tandem_post "$work/p.txt"; p_rps+=("$(wrk_rps "$work/p.txt")"); p_p99+=("$(wrk_p99 "$work/p.txt")")
  done
  result[lite_scorecard_rps]=$(median "${s_rps[@]}"); result[lite_scorecard_p99]=$(median "${s_p99[@]}")
  result[lite_post_rps]=$(median "${p_rps[@]}"); result[lite_post_p99]=$(median "${p_p99[@]}")
  result[lite_scorecard_statements]=$(per_request "$scorecard_url")
  result[lite_post_statements]=$(per_request "$post_url" POST '{"value": 1, "observed_at": "2026-06-01T09:00:00Z"}')
  result[lite_scorecard_open]=$(openloop lite_scorecard "$scorecard_url" "$(half "${result[lite_scorecard_rps]}")")
  result[lite_post_open]=$(openloop lite_post "$post_url" "$(half "${result[lite_post_rps]}")" POST '{"value": {n}, "observed_at": "2026-06-01T09:00:00Z"}')
  result[lite_loaded_rss]=$(rss_mib "$server")
  sleep 3; result[lite_settled_rss]=$(rss_mib "$server")
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}

for database in ${BENCH_DATABASES:-postgres sqlite}; do
  case $database in
    postgres) bench_postgres ;;
    sqlite) bench_sqlite ;;
    *) echo "BENCH_DATABASES: postgres and/or sqlite, not $database" >&2; exit 2 ;;
  esac
done

r() { echo "${result[$1]:-n/a}"; }
ratio() { python3 -c "import sys; a,b=sys.argv[1:]; print(f'{float(a)/float(b):.2f}x' if 'n/a' not in (a, b) else 'n/a')" "$(r "$1")" "$(r "$2")"; }
cat <<TABLE

Tandem $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores, $(date -u +%Y-%m-%d); 2 partners x 5 goals x 1,000 readings (writes go to a draft goal);
closed loop wrk -t2 -c16 -d${duration}s, medians of $rounds interleaved rounds; open loop (openloop) at half that rate for ${duration}s.

| request | Tandem | p99 closed loop | floor: pgbench -c16 | ratio | statements (blocking hops) / request | p99 open loop at half peak |
|---|---|---|---|---|---|---|
| scorecard GET, PostgreSQL | $(r pg_scorecard_rps) req/s | $(r pg_scorecard_p99) ms | $(r pg_scorecard_floor) tps | $(ratio pg_scorecard_rps pg_scorecard_floor) | $(r pg_scorecard_statements) | $(r pg_scorecard_open | field p99_ms) ms |
| reading POST, PostgreSQL | $(r pg_post_rps) req/s | $(r pg_post_p99) ms | $(r pg_insert_floor) tps | $(ratio pg_post_rps pg_insert_floor) | $(r pg_post_statements) | $(r pg_post_open | field p99_ms) ms |
| scorecard GET, SQLite | $(r lite_scorecard_rps) req/s | $(r lite_scorecard_p99) ms | - | - | $(r lite_scorecard_statements) | $(r lite_scorecard_open | field p99_ms) ms |
| reading POST, SQLite | $(r lite_post_rps) req/s | $(r lite_post_p99) ms | - | - | $(r lite_post_statements) | $(r lite_post_open | field p99_ms) ms |

Targets: scorecard >= 0.75x its floor; POST >= 0.5x its floor; SQLite POST >= 5,000 req/s with p99 <= 20 ms;
p99 <= 10 ms open loop at half peak; one blocking hop per request. Statements per request include authentication, BEGIN and COMMIT.
Resident memory: PostgreSQL run idle $(r pg_idle_rss) MiB, after the benchmark $(r pg_loaded_rss) MiB
($(r pg_settled_rss) MiB 3 s later); SQLite run idle $(r lite_idle_rss) MiB, after $(r lite_loaded_rss) MiB
($(r lite_settled_rss) MiB 3 s later) (targets: 20 and 60 MiB).

Open-loop runs:
- scorecard, PostgreSQL: $(r pg_scorecard_open)
- POST, PostgreSQL: $(r pg_post_open)
- scorecard, SQLite: $(r lite_scorecard_open)
- POST, SQLite: $(r lite_post_open)
TABLE
