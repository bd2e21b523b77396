#!/usr/bin/env bash
# Installs everything the test suite needs, then runs the whole suite.
#   bash scripts/test.sh            # all tests
#   bash scripts/test.sh -m "not browser"   # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

# Browser tests drive Debian's Chromium through Playwright's Python package
# (Playwright cannot download its own browser on our machines).
if [ ! -x /usr/bin/chromium ]; then
    as_root=""
    [ "$(id -u)" -eq 0 ] || as_root="sudo"
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium >/dev/null
fi

python -m pip install --quiet --disable-pip-version-check -e ".[test]"
exec python -m pytest "$@"
