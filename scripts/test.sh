#!/usr/bin/env bash
# Runs the whole suite. Uses PostgreSQL and Redis when they can be reached or
# started; otherwise falls back to SQLite and eager tasks and says so. With
# SEND_REQUIRE_SERVICES=1 (CI) a missing service is a failure, not a fallback.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
source scripts/services.sh

if [ "$HAVE_PG" = 1 ]; then
  echo "Tests: PostgreSQL at 127.0.0.1:5432"
else
  unset DATABASE_URL
  echo "Tests: PostgreSQL not reachable here: falling back to SQLite."
fi
if [ "$HAVE_REDIS" = 1 ]; then
  echo "Tests: Redis at 127.0.0.1:6379 (the Celery worker test uses it; other tests run tasks eagerly)"
else
  unset REDIS_URL
  echo "Tests: Redis not reachable here: falling back to eager tasks; the real-worker test is skipped."
fi
if [ "${SEND_REQUIRE_SERVICES:-0}" = 1 ] && { [ "$HAVE_PG" != 1 ] || [ "$HAVE_REDIS" != 1 ]; }; then
  echo "SEND_REQUIRE_SERVICES=1 but PostgreSQL or Redis is missing: failing." >&2
  exit 1
fi

# Eager tasks for the ordinary tests; the worker test sets up its own broker.
export SEND_TEST_REDIS_URL="${REDIS_URL:-}"
unset REDIS_URL
export CELERY_TASK_ALWAYS_EAGER=true
export DJANGO_ALLOW_ASYNC_UNSAFE=true

$PY -m pytest -p no:randomly -n 2 --dist loadfile "$@"
status=$?
if [ $status -eq 5 ]; then
  echo "No tests were collected: that is a failure." >&2
  exit 1
fi
exit $status
