#!/usr/bin/env bash
# The test command of the README (`npm test`), also run by CI (.ci/run):
# set-up, contracts (buf lint + generated code fresh), types, lint, format, tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "buf lint"
buf lint

step "generated code is fresh"
bash scripts/check-generated.sh

step "docs/config.md is fresh"
node tools/config-docs.mjs --check

step "typecheck"
tsc -p tsconfig.json

step "lint"
eslint --max-warnings 0 .

step "format"
prettier --check --log-level warn .

step "tests"
vitest run "$@"
