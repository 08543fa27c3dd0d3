#!/usr/bin/env bash
# Installs Debian's chromium (for the browser tests), poppler-utils (pdftotext,
# for the PDF tests) and clamav-daemon (clamd, which the upload-scanning tests
# start on a loopback port of their own) when they are missing and we are root. Elsewhere it says
# what is missing and the tests that need them say so too.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ] || need+=(clamav-daemon)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Missing Debian packages (install them as root): ${need[*]}" >&2
fi
exit 0
