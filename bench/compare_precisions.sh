#!/usr/bin/env bash
# Precisions against ONNX Runtime on the bench suite (issue 6, must-show 3). The suite has
# random weights, so only latency and runtime agreement mean anything here, not accuracy.
# For every model: `fogline quantize` writes a QDQ file once (cached in OUT_DIR; static int8
# calibrated on SAMPLES ImageNet images for 3x224x224 image inputs, --dynamic otherwise), then
# per thread count each round alternates five runs: fogline fp32, fogline bf16 (--precision
# bf16), fogline int8 (the QDQ file), ORT fp32, ORT on the QDQ file. Figures are medians of the
# round medians. Then the agreement check: ORT and fogline run the QDQ file on the same random
# input (.npy files in OUT_DIR/agree/MODEL); see agree() for the tolerance.
# usage: bench/compare_precisions.sh [MODEL.onnx ...]   (default: the bench suite)
# env: ROUNDS (2), RUNS (20), THREADS ("1"), FOGLINE (build/fogline), OUT_DIR (out/precisions),
#      MODELS_DIR (out/bench-models), SAMPLES (16), REL_TOL (0.05)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${FOGLINE_SHARED:-../shared}
fogline=${FOGLINE:-build/fogline}
ort="$shared/peers/ort/run"
rounds=${ROUNDS:-2}
runs=${RUNS:-20}
threads_list=${THREADS:-1}
out=${OUT_DIR:-out/precisions}
models_dir=${MODELS_DIR:-out/bench-models}
samples=${SAMPLES:-16}
rel_tol=${REL_TOL:-0.05}
suite=(resnet18 resnet50 mobilenet_v2 mobilenet_v3_small squeezenet1_1 shufflenet_v2 efficientnet_b0
       regnet_y_400mf convnext_tiny tiny_bert keyword_gru)

models=("$@")
if [ ${#models[@]} -eq 0 ]; then
  missing=()
  for n in "${suite[@]}"; do [ -f "$models_dir/$n.onnx" ] || missing+=("$n"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "generating ${missing[*]} into $models_dir (needs python3-torch, python3-torchvision, python3-onnx)" >&2
    mkdir -p "$models_dir"
    /usr/bin/python3 "$shared/models/bench/generate.py" "$models_dir" "${missing[@]}" >&2
  fi
  for n in "${suite[@]}"; do models+=("$models_dir/$n.onnx"); done
fi
mkdir -p "$out"

json_field() { sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p" | head -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
first_error() { grep -m1 -i "error" "$1" | cut -c1-300; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# quantise NAME MODEL: writes $out/NAME-qdq.onnx and $out/NAME-qdq.log once per model content
# (NAME.sha256 holds the source's hash: a regenerated suite has new random weights, and a stale
# QDQ file would compare one network with another). The log's first line says how; a file whose
# load check failed in `fogline quantize` is kept (ONNX Runtime may still run it) and the failure
# is reported in the notes.
quantise() {
  local name=$1 model=$2 qdq="$out/$1-qdq.onnx" log="$out/$1-qdq.log" sum
  sum=$(sha256sum < "$model" | cut -d' ' -f1)
  [ -f "$log" ] && [ "$(cat "$out/$name.sha256" 2> /dev/null)" = "$sum" ] && return 0
  rm -f "$qdq" "$log" "$out/$name-bf16hint.onnx"
  echo "$sum" > "$out/$name.sha256"
  local args how
  if "$fogline" inspect "$model" | sed -n '/^inputs/,/^outputs/p' | grep 'float32\[1,3,224,224\]' > /dev/null; then
    args=(--data "$shared/datasets/imagenet-sample-500" --preset imagenet --samples "$samples")
    how="static int8, minmax on $samples ImageNet images"
  else
    args=(--dynamic)   # no image input: dynamic int8 MatMuls need no calibration data
    how="dynamic int8 (MatMul)"
  fi
  if nice "$fogline" quantize "$model" -o "$qdq" "${args[@]}" > "$tmp/q" 2>&1; then
    { echo "$how: $(grep -E 'quantised|activations' "$tmp/q" | tail -1)"; cat "$tmp/q"; } > "$log"
  else
    { echo "$how: quantize FAILED: $(first_error "$tmp/q")"; cat "$tmp/q"; } > "$log"
  fi
}

# agree NAME MODEL: ORT runs the QDQ file on its seeded random input and saves input and outputs;
# fogline runs the same QDQ file on that input (row of the QDQ table). ORT fp32 on the same input
# gives the size of the quantisation error itself, for scale, and is the reference of the bf16
# row: fogline runs a copy of the fp32 model carrying the fogline.compute_precision = bf16 hint
# (what --precision bf16 does in `fogline bench`; `fogline run` has no such flag).
# Tolerance (cmp.py): max |fogline - ORT| / max |ORT| <= REL_TOL on every output, and for a
# classifier (one output [1,K], K > 2) the same top-1 class unless ORT's own top-2 margin is
# below twice the observed max difference (a tie within the error). Both runtimes requantise every layer
# with their own rounding, so 1-LSB differences accumulate through the network; bit equality is
# not expected. bf16 keeps 8 mantissa bits, so its error is of the same order.
agree() {
  local name=$1 model=$2 qdq="$out/$1-qdq.onnx" dir="$out/agree/$1" hint="$out/$1-bf16hint.onnx"
  rm -rf "$dir"; mkdir -p "$dir"
  local inputs=() f n
  if [ ! -f "$qdq" ]; then
    echo "| $name | QDQ | no QDQ file | | | FAIL | $(head -1 "$out/$name-qdq.log" | cut -c1-160) |" >> "$tmp/rows"
    "$ort" "$model" --runs 1 --warmup 0 --save-outputs "$dir/ort-fp32" > /dev/null || true
  elif ! "$ort" "$qdq" --runs 1 --warmup 0 --save-outputs "$dir/ort-qdq" > /dev/null 2> "$tmp/e"; then
    echo "| $name | QDQ | ORT cannot run the QDQ file | | | FAIL | $(grep -m1 -iE 'error|fail' "$tmp/e" | cut -c1-200) |" >> "$tmp/rows"
    "$ort" "$model" --runs 1 --warmup 0 --save-outputs "$dir/ort-fp32" > /dev/null || true
  else
    for f in "$dir/ort-qdq"/input.*.npy; do n=$(basename "$f" .npy); inputs+=(--input "${n#input.}=$f"); done
    "$ort" "$model" --runs 1 --warmup 0 "${inputs[@]}" --save-outputs "$dir/ort-fp32" > /dev/null || true
    if "$fogline" run "$qdq" "${inputs[@]}" --threads 1 --output-dir "$dir/fogline-qdq" > /dev/null 2> "$tmp/e"; then
      echo "| $name | QDQ | $(/usr/bin/python3 "$tmp/cmp.py" "$dir/ort-qdq" "$dir/fogline-qdq" "$rel_tol" "$dir/ort-fp32") |" >> "$tmp/rows"
    else
      echo "| $name | QDQ | fogline cannot run the QDQ file | | | FAIL | $(first_error "$tmp/e") |" >> "$tmp/rows"
    fi
  fi
  inputs=()
  for f in "$dir/ort-fp32"/input.*.npy; do n=$(basename "$f" .npy); inputs+=(--input "${n#input.}=$f"); done
  [ -f "$hint" ] || /usr/bin/python3 - "$model" "$hint" <<'PY'
import sys
import onnx
m = onnx.load(sys.argv[1])
p = m.metadata_props.add()
p.key, p.value = 'fogline.compute_precision', 'bf16'
onnx.save(m, sys.argv[2])
PY
  if "$fogline" run "$hint" "${inputs[@]}" --threads 1 --output-dir "$dir/fogline-bf16" > /dev/null 2> "$tmp/e"; then
    echo "| $name | bf16 vs ORT fp32 | $(/usr/bin/python3 "$tmp/cmp.py" "$dir/ort-fp32" "$dir/fogline-bf16" "$rel_tol") |" >> "$tmp/rows"
  else
    echo "| $name | bf16 vs ORT fp32 | fogline cannot run the bf16 model | | | FAIL | $(first_error "$tmp/e") |" >> "$tmp/rows"
  fi
}

# int8_flags QDQ: sets fi_extra to nothing when fogline loads QDQ, else to the first fallback
# that loads it (--disable-pass onednn-layout: the NHWC int8 region), so the speed table still
# has a figure, marked with a dagger.
int8_flags() {
  fi_extra=()
  [ -f "$1" ] || return 0
  "$fogline" bench "$1" --runs 1 --warmup 0 --json > /dev/null 2>&1 && return 0
  "$fogline" bench "$1" --runs 1 --warmup 0 --json --disable-pass onednn-layout > /dev/null 2>&1 &&
    fi_extra=(--disable-pass onednn-layout)
  return 0
}

# cmp.py REF_DIR GOT_DIR TOL [SCALE_DIR]: the cells "rel | top-1 | scale | result | why" of a row
# (scale: max |SCALE - REF| / max |REF|, the quantisation error when SCALE_DIR is ORT fp32).
cat > "$tmp/cmp.py" <<'PY'
import glob, os, sys
import numpy as np
ref_dir, got_dir, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
scale_dir = sys.argv[4] if len(sys.argv) > 4 else ''
rel_all, scale_all, top1, fails = [], [], [], []
for ref in sorted(glob.glob(os.path.join(ref_dir, '*.npy'))):
    base = os.path.basename(ref)
    if base.startswith('input.'):
        continue
    o = np.load(ref).astype(np.float64)
    g = os.path.join(got_dir, base)
    if not os.path.exists(g):
        fails.append(base + ' missing from fogline'); continue
    f = np.load(g).astype(np.float64)
    if f.shape != o.shape:
        fails.append(f'{base} shape {f.shape} vs {o.shape}'); continue
    scale = max(np.abs(o).max(), 1e-12)
    diff = np.abs(f - o).max()
    rel_all.append(diff / scale)
    if scale_dir and os.path.exists(os.path.join(scale_dir, base)):
        scale_all.append(np.abs(np.load(os.path.join(scale_dir, base)).astype(np.float64) - o).max() / scale)
    if o.ndim == 2 and o.shape[0] == 1 and o.shape[1] > 2:
        top2 = np.sort(o.ravel())[-2:]
        same = int(f.argmax()) == int(o.argmax())
        top1.append('yes' if same else ('tie' if top2[1] - top2[0] < 2 * diff else 'no'))
rel = max(rel_all) if rel_all else float('nan')
sc = f'{max(scale_all):.2e}' if scale_all else ''
t1 = ', '.join(sorted(set(top1))) if top1 else 'n/a'
ok = not fails and bool(rel_all) and rel <= tol and 'no' not in top1
why = '; '.join(fails) if fails else (f'rel {rel:.2e} > {tol}' if not rel <= tol else ('top-1 differs' if 'no' in top1 else ''))
print(f'{rel:.2e} | {t1} | {sc} | {"PASS" if ok else "FAIL"} | {why}')
PY

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
names=()
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx); names+=("$name")
  quantise "$name" "$model"
done

# The fogline int8 runs use the QDQ file as written; one fogline cannot load is timed with the
# fallback of int8_flags (marked †) or shows "failed" (the reason is in the notes and the
# agreement table).
printf '\n| model | threads | fogline fp32 | fogline bf16 | fogline int8 | ORT fp32 | ORT QDQ | ORT fp32 / fogline bf16 | ORT fp32 / fogline int8 | ORT QDQ / fogline int8 |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
notes=()
for i in "${!models[@]}"; do
  model=${models[$i]}; name=${names[$i]}; qdq="$out/$name-qdq.onnx"
  for threads in $threads_list; do
    for k in ff fb fi of oq; do : > "$tmp/$k"; done
    # one KEY COMMAND...: appends the run's median; a failing command marks KEY failed.
    one() {
      local key=$1; shift
      [ -f "$tmp/$key.failed" ] && return 0
      if "$@" > "$tmp/j" 2> "$tmp/e"; then json_field median_ms < "$tmp/j" >> "$tmp/$key"
      else echo "$name $key: $(first_error "$tmp/e")" > "$tmp/$key.failed"; fi
    }
    rm -f "$tmp"/*.failed
    int8_flags "$qdq"; mark=""
    [ ${#fi_extra[@]} -gt 0 ] && { mark="†"; notes+=("$name: fogline cannot load its QDQ file by default (see the agreement table); † = timed with ${fi_extra[*]}, outputs not checked in that mode"); }
    [ -f "$qdq" ] || { echo "no QDQ file" > "$tmp/fi.failed"; echo "no QDQ file" > "$tmp/oq.failed"; }
    for ((r = 0; r < rounds; r++)); do
      one ff "$fogline" bench "$model" --threads "$threads" --runs "$runs" --warmup 3 --json
      one fb "$fogline" bench "$model" --threads "$threads" --runs "$runs" --warmup 3 --json --precision bf16
      one fi "$fogline" bench "$qdq" --threads "$threads" --runs "$runs" --warmup 3 --json "${fi_extra[@]}"
      one of "$ort" "$model" --threads "$threads" --runs "$runs" --warmup 3
      one oq "$ort" "$qdq" --threads "$threads" --runs "$runs" --warmup 3
    done
    vals=()
    for k in ff fb fi of oq; do
      if [ -f "$tmp/$k.failed" ]; then vals+=(nan); notes+=("$(cat "$tmp/$k.failed")"); else vals+=("$(median < "$tmp/$k")"); fi
    done
    awk -v n="$name" -v t="$threads" -v ff="${vals[0]}" -v fb="${vals[1]}" -v fi="${vals[2]}" -v of="${vals[3]}" -v oq="${vals[4]}" -v m="$mark" '
      function ms(x) { return (x == "nan") ? "failed" : sprintf("%.2f", x) }
      function ratio(a, b) { return (a == "nan" || b == "nan") ? "-" : sprintf("%.2fx", a / b) }
      BEGIN { printf "| %s | %d | %s | %s | %s%s | %s | %s | %s | %s | %s |\n", n, t, ms(ff), ms(fb), ms(fi), m, ms(of), ms(oq),
              ratio(of, fb), ratio(of, fi), ratio(oq, fi) }'
  done
done
echo
echo "Latencies in ms (median of $rounds round medians of $runs runs each); ratios > 1 mean fogline is faster."
echo "How each QDQ file was made:"
for name in "${names[@]}"; do echo "- $name: $(head -1 "$out/$name-qdq.log")"; done
if [ ${#notes[@]} -gt 0 ]; then echo "Notes:"; printf -- '- %s\n' "${notes[@]}" | sort -u; fi

printf '\n| model | check | max abs diff / max abs ORT output | same top-1 | ORT QDQ vs ORT fp32 (for scale) | result | why |\n'
printf '| --- | --- | ---: | --- | ---: | --- | --- |\n'
: > "$tmp/rows"
for i in "${!models[@]}"; do agree "${names[$i]}" "${models[$i]}"; done
cat "$tmp/rows"
echo "Tolerance: max |fogline - ORT| / max |ORT| <= $rel_tol on every output, and the same top-1 class for"
echo "classifiers (\"tie\": different, but ORT's own top-2 margin is below twice the max difference)."
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
! grep -q FAIL "$tmp/rows"
