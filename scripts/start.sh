#!/usr/bin/env bash
# The main job of the README (`npm start`): set-up, then the local stack —
# a nats-server it launches itself and every app — until Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
exec node apps/cli/dist/main.js stack "$@"
