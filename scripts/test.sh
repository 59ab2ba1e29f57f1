#!/usr/bin/env bash
# Runs every test, the browser tests included. Installs Chromium, git and the accessibility
# test's axe-core first when missing
# (Debian/Ubuntu as root: apt-get; elsewhere, install it yourself or set CHROMIUM=/path).
set -euo pipefail
cd "$(dirname "$0")/.."

have_chromium() {
  [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ] && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
    command -v google-chrome >/dev/null 2>&1 || command -v google-chrome-stable >/dev/null 2>&1
}

# apt_install PACKAGE WHAT-NEEDS-IT: installs a Debian package, as root or with sudo.
apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="missing"; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1 || [ "$sudo" = missing ]; then
    echo "$2 need $1: install it${3:+, $3}" >&2
    exit 1
  fi
  echo "installing $1 for $2 (apt-get)" >&2
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

have_chromium || apt_install chromium "the browser tests" "or set CHROMIUM=/path/to/chrome"
# tests/git_sources.rs creates and clones real repositories.
command -v git >/dev/null 2>&1 || apt_install git "the git source tests"
# tests/accessibility.rs runs axe-core (a test-only npm package, pinned in tests/a11y).
if [ ! -f tests/a11y/node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null 2>&1 || apt_install npm "the accessibility test"
  npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error >/dev/null
fi

cargo test --locked "$@"
