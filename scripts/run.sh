#!/usr/bin/env bash
# Starts the product: the web app and a Celery worker with embedded beat.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}

$BIN/celery -A web.celery_app worker --beat --loglevel=INFO --concurrency=1 \
  --schedule=instance/celerybeat-schedule >instance/celery.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

cat <<TXT

  Управление продажами запущено: http://$HOST:$PORT/
  Демо-логины (пароль «demo»):
$($BIN/flask --app web users list | awk '{print "    " $1 "  (" $2 ")"}')
  Журнал Celery: instance/celery.log

TXT
# One process per core (the work is CPU-bound Python; threads only cover waits on the database).
# No keep-alive: a gthread worker keeps every connection it accepts, so a few busy keep-alive
# clients would pin all the work on one process while the other idles; closing after each
# answer lets whichever process is free take the next request (measured: about 1.5x the
# online reservations per second of the same two workers with keep-alive).
# --limit-request-line: gunicorn's largest; a search or a filter bar stays far below it (inputs
# are capped at 200 characters), and beyond it gunicorn answers with its own English page.
$BIN/gunicorn --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" --threads 4 --keep-alive 0 \
  --limit-request-line 8190 \
  --access-logfile - "web:create_app()"
