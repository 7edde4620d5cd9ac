#!/usr/bin/env bash
# int8 speed: the int8 MobileNetV2 of $FOGLINE_SHARED (QOperator form) and its QDQ form on
# Fogline and on ONNX Runtime, against ONNX Runtime fp32 on the dequantised network (issue 6's
# baseline). The variants are written by bench/int8_variants.py into OUT_DIR. For each thread
# count the five runs alternate ROUNDS times; figures are medians of the per-round medians,
# then (second table) the best per-run minimum, which a busy machine disturbs least.
# usage: bench/compare_int8.sh      env: ROUNDS (5), RUNS (50), THREADS ("1 2"), FOGLINE, OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${FOGLINE_SHARED:-../shared}
fogline=${FOGLINE:-build/fogline}
rounds=${ROUNDS:-5}
runs=${RUNS:-50}
threads_list=${THREADS:-1 2}
out=${OUT_DIR:-out/int8-models}
int8="$shared/models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx"
qdq="$out/mobilenetv2-qdq.onnx"
fp32="$out/mobilenetv2-fp32.onnx"
if [ ! -f "$qdq" ] || [ ! -f "$fp32" ]; then
  mkdir -p "$out"
  /usr/bin/python3 bench/int8_variants.py "$int8" "$qdq" "$fp32" >&2
fi

json_field() { sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p" | head -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| threads | fogline int8 | ORT int8 | fogline QDQ | ORT QDQ | ORT fp32 | fogline int8 / ORT int8 | ORT fp32 / fogline QDQ | ORT fp32 / fogline int8 |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for threads in $threads_list; do
  for k in fi oi fq oq of; do : > "$tmp/$k"; : > "$tmp/$k.min"; done
  one() {  # one() KEY COMMAND...: appends the run's median and min
    local key=$1; shift
    "$@" > "$tmp/j"
    json_field median_ms < "$tmp/j" >> "$tmp/$key"
    json_field min_ms < "$tmp/j" >> "$tmp/$key.min"
  }
  for ((r = 0; r < rounds; r++)); do
    one fi "$fogline" bench "$int8" --threads "$threads" --runs "$runs" --warmup 5 --json
    one oi "$shared/peers/ort/run" "$int8" --threads "$threads" --runs "$runs" --warmup 5
    one fq "$fogline" bench "$qdq" --threads "$threads" --runs "$runs" --warmup 5 --json
    one oq "$shared/peers/ort/run" "$qdq" --threads "$threads" --runs "$runs" --warmup 5
    one of "$shared/peers/ort/run" "$fp32" --threads "$threads" --runs "$runs" --warmup 5
  done
  for stat in median min; do
    for k in fi oi fq oq of; do
      if [ $stat = median ]; then v=$(median < "$tmp/$k"); else v=$(sort -g "$tmp/$k.min" | head -1); fi
      eval "$k=$v"
    done
    awk -v t="$threads ($stat)" -v fi="$fi" -v oi="$oi" -v fq="$fq" -v oq="$oq" -v of="$of" 'BEGIN {
      printf "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2fx | %.2fx |\n", t, fi, oi, fq, oq, of, fi / oi, of / fq, of / fi }'
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
