#!/usr/bin/env bash
# make audit: known vulnerabilities in the pinned Python packages
# (pip-audit -r requirements.lock) and the npm packages (npm audit over
# package-lock.json); scripts/audit_report.py reads their reports.
#
# Exits 1 only on a real finding. When the vulnerability service cannot be
# reached (some networks reach the package registries but not their
# vulnerability data: pip-audit then reports every package as "could not be
# audited", npm audit gets an error), it says so plainly and exits 0, so that
# the run goes on and nobody reads "nothing found" as "nothing wrong".
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== Python packages (requirements.lock)"
# The lock pins every package, so nothing needs resolving (--no-deps --disable-pip).
"$PY" -m pip_audit -r requirements.lock --no-deps --disable-pip --progress-spinner off \
  --format json --output "$tmp/pip.json" >/dev/null 2>"$tmp/pip.err"
"$PY" scripts/audit_report.py pip "$tmp/pip.json" $?
pip_outcome=$?

echo "== npm packages (package-lock.json)"
npm audit --package-lock-only --json >"$tmp/npm.json" 2>/dev/null
"$PY" scripts/audit_report.py npm "$tmp/npm.json" $?
npm_outcome=$?

if [ $pip_outcome -eq 1 ] || [ $npm_outcome -eq 1 ]; then
  echo "make audit: known vulnerabilities found (above): failing." >&2
  exit 1
fi
if [ $pip_outcome -eq 3 ] && [ $npm_outcome -eq 3 ]; then
  echo "make audit: nothing could be audited here (no vulnerability service reachable): not failing, but NOT a clean result."
elif [ $pip_outcome -eq 3 ] || [ $npm_outcome -eq 3 ]; then
  echo "make audit: no known vulnerabilities in what could be audited; part could not be audited (above)."
else
  echo "make audit: no known vulnerabilities."
fi
exit 0
