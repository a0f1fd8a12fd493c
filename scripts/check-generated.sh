#!/usr/bin/env bash
# Fails when `buf generate` would change the committed code in libs/proto/src/gen.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
buf generate --output "$out"
if ! diff -r "$out/libs/proto/src/gen" libs/proto/src/gen; then
  echo "generated code is stale: run 'npm run generate' and commit libs/proto/src/gen" >&2
  exit 1
fi
echo "libs/proto/src/gen matches proto/"
