#!/usr/bin/env bash
# Sourced by test.sh and run-with-services.sh: finds PostgreSQL and Redis on
# 127.0.0.1, starting them when we are root and they are installed but stopped.
# Exports DATABASE_URL and REDIS_URL for what it found.

pg_up() { "$PY" - <<'PYEOF' 2>/dev/null
import psycopg2
psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=2).close()
PYEOF
}
redis_up() { "$PY" -c 'import redis; redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()' 2>/dev/null; }

if ! pg_up && [ "$(id -u)" = "0" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  done
  sleep 2
fi
if ! redis_up && [ "$(id -u)" = "0" ] && command -v redis-server >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null 2>&1 || true
  sleep 1
fi

HAVE_PG=0; HAVE_REDIS=0
if pg_up; then HAVE_PG=1; export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/send_register}"; fi
if redis_up; then HAVE_REDIS=1; export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"; fi
