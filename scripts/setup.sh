#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian/Ubuntu machine, and nothing
# that is already there: nats-server and ffmpeg (and python3-grpcio for the tests) from the system's packages,
# the npm packages from the lock file, then builds. Sourced by start.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_node="20.19.0"
have_node="$(node --version 2>/dev/null | sed 's/^v//' || true)"
if [ -z "$have_node" ] || [ "$(printf '%s\n%s\n' "$need_node" "$have_node" | sort -V | head -n1)" != "$need_node" ]; then
  echo "vrft needs Node.js >= $need_node (found: ${have_node:-none})" >&2
  exit 1
fi

missing=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
# The tests also probe the servers with a gRPC client we did not write (Debian's python3-grpcio).
if [ "${1:-}" = "test" ] && ! /usr/bin/python3 -c 'import grpc' >/dev/null 2>&1; then missing+=(python3-grpcio); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing from the system's packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm ci only when the lock file changed since the last install.
stamp="node_modules/.vrft-lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  # npm ci refuses a lock file whose optional platform packages (swc, buf for other OSes)
  # are absent from the registry in use; npm install then resolves the same locked
  # versions and skips what this platform does not need; --no-save keeps it from rewriting the
  # lock file (it used to add other platforms' entries to the working tree).
  if ! npm ci --no-audit --no-fund --loglevel=error; then
    echo "npm ci failed; installing the locked versions with npm install instead"
    npm install --no-save --no-audit --no-fund --loglevel=error
  fi
  cp package-lock.json "$stamp"
fi

node tools/build.mjs
