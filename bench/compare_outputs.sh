#!/usr/bin/env bash
# Correctness against ONNX Runtime on the same random inputs: ORT saves its inputs and outputs
# (--save-outputs), fogline runs the saved inputs, `fogline compare` checks every output
# (max relative error <= 1e-3 by default; RTOL/ATOL to change).
# usage: bench/compare_outputs.sh [MODEL.onnx ...]   (default: the bench suite in out/bench-models)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${FOGLINE_SHARED:-../shared}
fogline=${FOGLINE:-build/fogline}
models_dir=${MODELS_DIR:-out/bench-models}
models=("$@")
if [ ${#models[@]} -eq 0 ]; then
  if [ ! -f "$models_dir/resnet50.onnx" ]; then
    mkdir -p "$models_dir"
    /usr/bin/python3 "$shared/models/bench/generate.py" "$models_dir" >&2
  fi
  models=("$models_dir"/*.onnx)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  rm -rf "$tmp/ort" "$tmp/fog"
  "$shared/peers/ort/run" "$model" --runs 1 --warmup 0 --save-outputs "$tmp/ort" > /dev/null
  inputs=()
  for f in "$tmp/ort"/input.*.npy; do
    n=$(basename "$f" .npy); inputs+=(--input "${n#input.}=$f")
  done
  if ! "$fogline" run "$model" "${inputs[@]}" --output-dir "$tmp/fog" > /dev/null 2> "$tmp/err"; then
    echo "FAIL $name: $(head -3 "$tmp/err")"; failed=$((failed + 1)); continue
  fi
  if out=$("$fogline" compare "$tmp/ort" "$tmp/fog" --rtol "${RTOL:-1e-3}" --atol "${ATOL:-1e-4}"); then
    echo "ok   $name: $(echo "$out" | grep -v '^ok\|compared' | head -1)$(echo "$out" | grep '^ok' | sed 's/^ok  //' | tr '\n' ' ')"
  else
    echo "FAIL $name:"; echo "$out" | sed 's/^/    /'; failed=$((failed + 1))
  fi
done
echo "${#models[@]} models, $failed failed"
[ $failed -eq 0 ]
