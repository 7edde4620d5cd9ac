#!/usr/bin/env bash
# The fogline binary on bad files: each case must exit non-zero with "error: ..." naming the
# problem, and never crash (exit codes >= 128 are signals).
set -u
fogline=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0

expect_error() {  # name, expected substring, command...
  local name=$1 want=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  if [ $rc -eq 0 ] || [ $rc -ge 128 ]; then
    echo "FAIL $name: exit code $rc"; cat "$work/err"; failures=$((failures + 1)); return
  fi
  if ! grep -q -- "$want" "$work/err"; then
    echo "FAIL $name: stderr lacks '$want':"; cat "$work/err"; failures=$((failures + 1)); return
  fi
  echo "ok   $name: $(head -c 200 "$work/err" | head -1)"
  passed=$((passed + 1))
}

"$fogline" demo --out "$work/demo" > /dev/null 2>&1 || true
model="$work/demo/demo_classifier.onnx"
[ -f "$model" ] || { echo "FAIL: fogline demo did not write $model"; exit 1; }
size=$(stat -c %s "$model")

head -c $((size / 2)) "$model" > "$work/truncated.onnx"
expect_error truncated "not a valid ONNX model" "$fogline" inspect "$work/truncated.onnx"
printf 'GIF89a this is not a model' > "$work/magic.onnx"
expect_error wrong-magic "not a valid ONNX model" "$fogline" run "$work/magic.onnx"
: > "$work/empty.onnx"
expect_error empty "empty" "$fogline" run "$work/empty.onnx"
expect_error missing-file "cannot open" "$fogline" inspect "$work/nope.onnx"
head -c 4096 /dev/urandom > "$work/random.onnx"
expect_error random-bytes "error:" "$fogline" bench "$work/random.onnx"

printf '\x93NUMPY\x01\x00\x46\x00{'"'"'descr'"'"': '"'"'<f4'"'"', '"'"'fortran_order'"'"': False, '"'"'shape'"'"': (1, 3, 9, 9), }          \n' > "$work/small.npy"
head -c 972 /dev/zero >> "$work/small.npy"
expect_error wrong-shape "must have shape" "$fogline" run "$model" --input "image=$work/small.npy"
expect_error wrong-input-name "no input named 'picture'" "$fogline" run "$model" --input "picture=$work/small.npy"
expect_error bad-dim-flag "not a shape" "$fogline" bench "$model" --dim image=1xAx3
expect_error absurd-dims "allocation limit" "$fogline" bench "$model" --dim image=100000x3x100000x100000
expect_error unknown-pass "unknown pass 'no-such-pass'" "$fogline" bench "$model" --disable-pass no-such-pass

echo "$passed passed, $failures failed"
[ $failures -eq 0 ]
