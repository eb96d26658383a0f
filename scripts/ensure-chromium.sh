#!/usr/bin/env bash
# The browser test drives Debian's Chromium (playwright-core cannot download a browser here).
# Installs it when it is missing and this user may (root with apt); otherwise says what to do.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser test (one time)..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "The browser test needs /usr/bin/chromium: sudo apt-get install chromium" >&2
fi
