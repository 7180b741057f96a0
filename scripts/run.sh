#!/usr/bin/env bash
# Runs the web server, a Celery worker and Celery beat in the foreground.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export DEBUG=${DEBUG:-1}
# Links in emails point to this server unless told otherwise.
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$VENV/bin/celery" -A sanping worker --loglevel=INFO --concurrency=2 --hostname="sanping@%h" &
pids+=($!)
"$VENV/bin/celery" -A sanping beat --loglevel=INFO &
pids+=($!)

broker="the filesystem queue under var/celery (no Redis)"
[ -n "${REDIS_URL:-}" ] && broker="Redis at $REDIS_URL"
database="SQLite under var/"
[ -n "${DATABASE_URL:-}" ] && database="$DATABASE_URL"
cat <<MSG

  三评 is running at  http://$HOST:$PORT/
  Database: $database
  Tasks:    $broker

MSG
"$VENV/bin/python" manage.py seed_demo --sign-ins
cat <<MSG

  Press Ctrl-C to stop the web server, the worker and beat.

MSG
"$VENV/bin/python" manage.py runserver "$HOST:$PORT" &
pids+=($!)
wait -n "${pids[@]}" || true
