#!/usr/bin/env bash
# ctest wrapper: runs `fogline conformance` over one suite of $FOGLINE_SHARED/onnx-conformance
# and fails when fewer tests pass than the count recorded in conformance_baseline.txt.
# Exit 77 (skipped) when the shared data is absent.
set -euo pipefail
fogline=$1
suite=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${FOGLINE_SHARED:-$here/../../../shared}
dir="$shared/onnx-conformance/v1.12.0/$suite"
if [ ! -d "$dir" ]; then
  echo "skipped: $dir not found (set FOGLINE_SHARED to the shared test material)"
  exit 77
fi
baseline=$(awk -v s="$suite" '$1 == s { print $2 }' "$here/conformance_baseline.txt")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$fogline" conformance "$dir" --min-pass "${baseline:-0}" > "$out" || { grep -v '^pass' "$out"; exit 1; }
grep -v '^pass' "$out" | tail -40
