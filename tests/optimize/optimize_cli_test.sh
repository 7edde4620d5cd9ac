#!/bin/sh
# Issue 6 must-show 4 through the real binary: a tolerance no variant can meet, with int8
# forced, ends with exit 0, a message naming the tolerance and the fp32 variant written out
# (never a silently worse model). A real network (the model zoo's int8 MobileNetV2, dequantised
# to fp32) on 12 real images; skipped (77) when ../shared is absent.
set -eu
fogline="$1"
here="$(cd "$(dirname "$0")" && pwd)"
shared="${FOGLINE_SHARED:-$here/../../../shared}"
inet="$shared/datasets/imagenet-sample-500"
int8="$shared/models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx"
for f in "$inet" "$int8"; do
  [ -e "$f" ] || { echo "skipped: $f is absent"; exit 77; }
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# 12 images of the sample: their own labels file, the images linked, not copied.
mkdir -p "$out/data/images"
head -n 12 "$inet/labels.txt" > "$out/data/labels.txt"
ln -s "$inet/synset_words.txt" "$out/data/synset_words.txt"
while read -r image _; do ln -s "$inet/images/$image" "$out/data/images/$image"; done < "$out/data/labels.txt"

"$fogline" convert "$int8" --dequantize -o "$out/fp32.onnx" > /dev/null
"$fogline" optimize "$out/fp32.onnx" --target x86-64-avx2 --data "$out/data" --preset imagenet --precision int8 \
  --tolerance 'top1>=+100' --calibration minmax --calibration-samples 4 --max-kept 1 --ranking-samples 2 \
  --runs 2 --rounds 1 -o "$out/chosen.onnx" --work-dir "$out/work" --json > "$out/report.txt" 2> "$out/err.txt" ||
  { cat "$out/err.txt"; exit 1; }
tail -n 1 "$out/report.txt" > "$out/report.json"
grep -q '"tolerance_met":false' "$out/report.json" || { cat "$out/report.txt"; exit 1; }
grep -q '"chosen":"fp32"' "$out/report.json" || { cat "$out/report.txt"; exit 1; }
grep -q 'tolerance top1>=100 cannot be met.*keeping the fp32 variant' "$out/report.txt" || { cat "$out/report.txt"; exit 1; }
# The file written is the fp32 variant: the same bytes as the fp32 candidate, no QuantizeLinear.
[ -s "$out/chosen.onnx" ]
if "$fogline" inspect "$out/chosen.onnx" | grep -q QuantizeLinear; then echo "the written model is quantised"; exit 1; fi
[ -s "$out/work/accuracy-latency.svg" ]
echo ok
