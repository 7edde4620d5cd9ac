#!/usr/bin/env bash
# usage: run-fuzz.sh FUZZER SECONDS — runs a libFuzzer target with a seed corpus made from the
# conformance models in $FOGLINE_SHARED (or no seeds when it is absent).
set -euo pipefail
fuzzer=$1
seconds=${2:-60}
shared=${FOGLINE_SHARED:-../shared}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
if [ -d "$shared/onnx-conformance" ]; then
  i=0
  while IFS= read -r f; do
    cp "$f" "$corpus/seed_$i.onnx"
    i=$((i + 1))
  done < <(find "$shared/onnx-conformance" -name model.onnx -size -64k | sort | awk 'NR % 4 == 0')
  echo "fuzz: $i seed models from $shared/onnx-conformance"
else
  echo "fuzz: $shared/onnx-conformance not found; starting without seeds"
fi
mkdir -p "$(dirname "$fuzzer")/crashes"
# rss_limit: a model may legitimately ask for a big tensor; the loader must refuse it politely.
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  "$fuzzer" "$corpus" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=262144 \
  -artifact_prefix="$(dirname "$fuzzer")/crashes/" -print_final_stats=1 2>&1 | tail -25
