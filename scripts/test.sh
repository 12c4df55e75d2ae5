#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs it.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: the real PostgreSQL server and ffmpeg (tests run them as processes); for the
# end-to-end tests and the Mermaid parse check Chromium (driven by playwright-core), nginx and
# envsubst (gettext-base).
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v envsubst >/dev/null 2>&1 || missing+=(gettext-base)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)  # tests/test_dev_script.py lints scripts/*.sh
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python: the project with its app and test extras, in a virtual environment.
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[app,test]'

# Node: Azurite, from the committed lock file, only when it changed since the last install (npm's own
# node_modules/.package-lock.json never equals it, so a copy is kept as the stamp: npm ci empties
# node_modules first, which would pull Azurite from under tests running meanwhile).
if ! cmp -s package-lock.json node_modules/.installed-package-lock.json; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-package-lock.json
fi

# Node: the frontend's build and test tools, from its own lock file (again only when the lock
# file changed since the last install: a copy of it is kept in node_modules as the stamp).
if ! cmp -s frontend/package-lock.json frontend/node_modules/.installed-package-lock.json; then
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  cp frontend/package-lock.json frontend/node_modules/.installed-package-lock.json
fi

# Mermaid, to parse the flowcharts of `momentloop-synth summary` (tests/review), from its own lock
# file (again only when it changed since the last install, with the same stamp).
if ! cmp -s tests/review/mermaid/package-lock.json tests/review/mermaid/node_modules/.installed-package-lock.json; then
  (cd tests/review/mermaid && npm ci --no-audit --no-fund --loglevel=error)
  cp tests/review/mermaid/package-lock.json tests/review/mermaid/node_modules/.installed-package-lock.json
fi

# Checkov, in its own environment (it pins many packages); its pycep-parser is too old for
# current Bicep, so 0.7.1 goes over it (azure-facts §9). Used by tests/validation.
if [ ! -x .venv-checkov/bin/checkov ]; then
  python3 -m venv .venv-checkov
  .venv-checkov/bin/pip install -q --disable-pip-version-check checkov==3.3.30
  .venv-checkov/bin/pip install -q --disable-pip-version-check --no-deps pycep-parser==0.7.1
fi

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$status"
