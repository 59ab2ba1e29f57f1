#!/usr/bin/env bash
# Runs every test, the browser tests included. Installs Chromium (and git) first when missing
# (Debian/Ubuntu as root: apt-get; elsewhere, install it yourself or set CHROMIUM=/path).
set -euo pipefail
cd "$(dirname "$0")/.."

have_chromium() {
  [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ] && return 0
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
    command -v google-chrome >/dev/null 2>&1 || command -v google-chrome-stable >/dev/null 2>&1
}

if ! have_chromium; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing Chromium for the browser tests (apt-get)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    echo "installing Chromium for the browser tests (sudo apt-get)" >&2
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "the browser tests need Chromium: install it, or set CHROMIUM=/path/to/chrome" >&2
    exit 1
  fi
fi

# tests/git_sources.rs creates and clones real repositories.
if ! command -v git >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing git for the git source tests (apt-get)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null
  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
    echo "installing git for the git source tests (sudo apt-get)" >&2
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null
  else
    echo "the git source tests need git: install it" >&2
    exit 1
  fi
fi

cargo test --locked "$@"
