#!/usr/bin/env bash
# The load test on the real stack (issue 8): gunicorn, PostgreSQL, Redis and a Celery
# worker, on the large dataset, driven by locust. From the repository root:
#
#     bash bench/load/run.sh
#
# Seeds the large dataset if it is not there (manage.py seed_demo --scale large, a few
# minutes), starts gunicorn (DEBUG=0) and a Celery worker, runs the phases, stops what it
# started, and writes bench/load/results.md (the CSV files and logs stay in bench/load/out/).
#
# First it prints the query counts of the main pages (bench/query_budgets_large.py).
# Phases (PHASES="smoke mix max" by default):
#   smoke  SMOKE_USERS (10) users for 30 s: the run stops here if anything fails
#   mix    USERS (50) users for DURATION (5m), the mix of bench/load/locustfile.py:
#          p50/p95/p99 per page and the error count. Users arrive SPAWN_RATE (2) a second
#          (each sign-in hashes a password: ~0.5 s of CPU), and the run lasts DURATION
#          after the last one arrived; the table counts the arrivals too.
#   max    MAX_USERS (20) users without pause for MAX_DURATION (40s) on each of /healthz,
#          the home page, the meeting page and the dashboard: requests per second alone,
#          as a ratio to /healthz
#
# Needs PostgreSQL and Redis running, and the application's virtual environment (.venv,
# made by `make bootstrap`); makes bench/load/.venv for locust (bench/load/requirements.txt).
# Settings, with their defaults:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanping_scale  REDIS_URL=redis://127.0.0.1:6379/9
#   PORT=8765  WORKERS=2*cores+1  USERS=50  SPAWN_RATE=2  DURATION=5m (or 300s)
#   SMOKE_USERS=10  MAX_USERS=20  MAX_DURATION=40s  PHASES="smoke mix max"
set -euo pipefail
cd "$(dirname "$0")/../.."

APP_VENV=${APP_VENV:-.venv}
LOAD_VENV=bench/load/.venv
OUT=bench/load/out
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sanping_scale}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/9}
PORT=${PORT:-8765}
CPUS=$(nproc)
WORKERS=${WORKERS:-$((2 * CPUS + 1))}
USERS=${USERS:-50}
SPAWN_RATE=${SPAWN_RATE:-2}
DURATION=${DURATION:-5m}
SMOKE_USERS=${SMOKE_USERS:-10}
MAX_USERS=${MAX_USERS:-20}
MAX_DURATION=${MAX_DURATION:-40s}
PHASES=${PHASES:-smoke mix max}
HOST=http://127.0.0.1:$PORT
PY=$APP_VENV/bin/python

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
seconds() { case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac; }

LOAD_AT_START=$(load)
mkdir -p "$OUT"
rm -f "$OUT"/*.csv "$OUT"/load.log

# 1. The load generator's own virtual environment (remade when the pins change).
stamp="$LOAD_VENV/.requirements.sha256"
wanted=$(sha256sum bench/load/requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  say "Installing locust into $LOAD_VENV"
  python3 -m venv "$LOAD_VENV"
  "$LOAD_VENV/bin/python" -m pip install --quiet -r bench/load/requirements.txt > "$OUT/pip.log" 2>&1 \
    || { cat "$OUT/pip.log" >&2; exit 1; }
  echo "$wanted" > "$stamp"
fi

# 2. The database: created, migrated and seeded (each step skips what is there).
say "Database $DATABASE_URL: migrate and seed (the large dataset takes a few minutes the first time)"
"$PY" manage.py ensure_database
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo --scale large | grep -v '^    ' || true
"$PY" bench/load/targets.py > "$OUT/targets.json"
say "Query counts of the main pages, small demo against the large dataset"
"$PY" bench/query_budgets_large.py > "$OUT/query_budgets.txt" 2>&1 || true
tail -n +4 "$OUT/query_budgets.txt"

# 3. The stack, as in production: DEBUG off, collected static files, a fresh secret.
export DEBUG=0
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export LOG_LEVEL=WARNING
"$PY" manage.py collectstatic --noinput -v0

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

say "Starting gunicorn ($WORKERS workers) on $HOST and a Celery worker"
GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_WORKERS=$WORKERS \
  "$APP_VENV/bin/gunicorn" sanping.wsgi:application -c gunicorn.conf.py > "$OUT/gunicorn.log" 2>&1 &
pids+=($!)
"$APP_VENV/bin/celery" -A sanping worker --concurrency=1 --loglevel=WARNING --hostname="loadtest-$PORT@%h" \
  > "$OUT/celery.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
  curl -sf "$HOST/healthz" > /dev/null && break
  sleep 0.5
done
curl -sf "$HOST/healthz" > /dev/null || { echo "gunicorn did not answer; see $OUT/gunicorn.log" >&2; exit 1; }

# What the report says about the run.
{
  echo "date=$(date '+%Y-%m-%d %H:%M %Z')"
  echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/load' 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "command=$(printf '%s' "USERS=$USERS DURATION=$DURATION bash bench/load/run.sh")"
  echo "cpus=$CPUS"
  echo "cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "memory=$(free -g | awk '/Mem:/ {print $2 " GB"}')"
  echo "load_before=$LOAD_AT_START"
  echo "workers=$WORKERS"
  echo "gunicorn=$("$APP_VENV/bin/gunicorn" --version | grep -o '[0-9.]*' | head -1)"
  echo "locust=$("$LOAD_VENV/bin/locust" --version | cut -d' ' -f2)"
  echo "redis=$(redis-cli -u "$REDIS_URL" info server 2>/dev/null | grep -o 'redis_version:[0-9.]*' | cut -d: -f2)"
  "$PY" manage.py shell -v0 -c '
from django.db import connection
from meetings.models import Attendance, Meeting, Notification, ThoughtReport
from members.models import Branch, Member, PartyGroup
from sanping.models import MutualEvaluation, SanpingSession, SelfEvaluation
with connection.cursor() as cursor:
    cursor.execute("SHOW server_version")
    print("postgres=" + cursor.fetchone()[0].split()[0])
print(f"dataset={Branch.objects.count()} branches, {PartyGroup.objects.count():,} groups, {Member.objects.count():,} members, "
      f"{Meeting.objects.count():,} meetings ({Attendance.objects.count():,} attendance rows), "
      f"{SanpingSession.objects.count():,} 三评 sessions ({SelfEvaluation.objects.count():,} self-evaluations, "
      f"{MutualEvaluation.objects.count():,} mutual evaluations), {ThoughtReport.objects.count():,} thought reports, "
      f"{Notification.objects.count():,} notifications")'
  echo "users=$USERS"
  echo "spawn_rate=$SPAWN_RATE"
  echo "duration=$DURATION"
  echo "max_users=$MAX_USERS"
  echo "max_duration=$MAX_DURATION"
} > "$OUT/meta.env"
say "Load average now: $(load) on $CPUS cores (other processes count: quiet is below 0.5)"

run_locust() {  # run_locust <csv prefix> <users> <spawn rate> <duration> <user classes...>
  local prefix=$1 users=$2 rate=$3 duration=$4
  shift 4
  "$LOAD_VENV/bin/locust" -f bench/load/locustfile.py --headless --host "$HOST" -u "$users" -r "$rate" \
    -t "$duration" --csv "$OUT/$prefix" --csv-full-history --only-summary --stop-timeout 10 \
    --loglevel WARNING "$@" 2>&1 | tee "$OUT/$prefix.log" || true
}
failures() { awk -F, '$2 == "Aggregated" {print $4}' "$OUT/$1_stats.csv"; }

MIX=(MemberUser LeaderUser SecretaryUser PdfUser)
for phase in $PHASES; do
  case $phase in
    smoke)
      say "Smoke run: $SMOKE_USERS users for 30 s"
      run_locust smoke "$SMOKE_USERS" 5 30s "${MIX[@]}"
      if [ "$(failures smoke)" != "0" ]; then
        echo "The smoke run had failures (see $OUT/smoke_failures.csv); stopping." >&2
        cat "$OUT/smoke_failures.csv" >&2
        exit 1
      fi
      ;;
    mix)
      ramp=$(( (USERS + SPAWN_RATE - 1) / SPAWN_RATE ))
      say "The mix: $USERS users (arriving over ${ramp} s) for $DURATION (load average $(load))"
      # The 1-minute load average every 15 s while it runs (our own stack counts too).
      (while sleep 15; do load >> "$OUT/load.log"; done) &
      sampler=$!
      run_locust mix "$USERS" "$SPAWN_RATE" "$(( $(seconds "$DURATION") + ramp ))s" "${MIX[@]}"
      kill "$sampler"
      echo "load_after_mix=$(load)" >> "$OUT/meta.env"
      echo "load_during_mix=$(cut -d' ' -f1 "$OUT/load.log" | sort -n | sed -n '1p;$p' | paste -sd- -)" >> "$OUT/meta.env"
      ;;
    max)
      for page in healthz home meeting dashboard; do
        say "One page alone: $page, $MAX_USERS users without pause for $MAX_DURATION (load average $(load))"
        PAGE=$page run_locust "max_$page" "$MAX_USERS" "$MAX_USERS" "$MAX_DURATION" HammerUser
      done
      ;;
    *) echo "Unknown phase: $phase" >&2; exit 2 ;;
  esac
done

python3 bench/load/report.py "$OUT" bench/load/results.md
cat bench/load/results.md
