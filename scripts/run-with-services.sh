#!/usr/bin/env bash
# `make run-services`: the demo school on PostgreSQL and Redis with a real
# Celery worker and beat beside the web server (Ctrl-C stops all three).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
source scripts/services.sh
if [ "$HAVE_PG" != 1 ] || [ "$HAVE_REDIS" != 1 ]; then
  echo "PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are needed; use 'make run' without them." >&2
  exit 1
fi
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/send_register_demo"
export DEBUG=true SEND_REQUIRE_MFA=false CELERY_TASK_ALWAYS_EAGER=false
"$PY" - <<'PYEOF'
import psycopg2
conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = 'send_register_demo'")
    if not cur.fetchone():
        cur.execute("CREATE DATABASE send_register_demo")
PYEOF
"$PY" manage.py migrate --noinput
"$PY" manage.py seed_demo
mkdir -p var
"$PY" -m celery -A send_register worker --loglevel=INFO --concurrency=2 &
WORKER=$!
"$PY" -m celery -A send_register beat --loglevel=INFO --schedule=var/celerybeat-schedule &
BEAT=$!
trap 'kill $WORKER $BEAT 2>/dev/null; wait' EXIT
"$PY" manage.py runserver 127.0.0.1:8000
