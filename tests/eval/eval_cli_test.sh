#!/bin/sh
# fogline eval on the shared models and datasets (a few items each, to stay fast), driven by
# the spec files in fixtures/; skipped (77) when ../shared is absent.
set -eu
fogline="$1"
here="$(cd "$(dirname "$0")" && pwd)"
shared="${FOGLINE_SHARED:-$here/../../../shared}"
inet="$shared/datasets/imagenet-sample-500"
coco="$shared/datasets/coco-val2017-first128"
mobilenet="$shared/models/mobilenetv2-12-int8/mobilenetv2-12-int8.onnx"
yolox="$shared/models/yolox-nano/yolox_nano.onnx"
for f in "$inet" "$coco" "$mobilenet" "$yolox"; do
  [ -e "$f" ] || { echo "skipped: $f is absent"; exit 77; }
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$fogline" eval "$mobilenet" "$inet" --spec "$here/fixtures/mobilenetv2_imagenet_spec.json" --limit 20 --threads 1 \
  --json --plots "$out/plots" > "$out/inet.json" 2> "$out/inet.err"
grep -q '"top_k_accuracy"' "$out/inet.json"
grep -q '"p90_ms"' "$out/inet.json"
grep -q '"items": 20' "$out/inet.json"
[ -s "$out/plots/confusion_matrix.svg" ]
grep -q '\[eval\] 20/20' "$out/inet.err"  # progress lines when stderr is not a terminal

"$fogline" eval "$yolox" "$coco" --spec "$here/fixtures/yolox_nano_spec.json" --limit 8 --threads 1 > "$out/coco.txt" 2>/dev/null
grep -q 'Average Precision  (AP) @\[ IoU=0.50:0.95 | area=   all | maxDets=100 \]' "$out/coco.txt"
grep -q 'PASCAL VOC mAP@0.5' "$out/coco.txt"

# A detection dataset without a decoder is refused with a reason.
if "$fogline" eval "$yolox" "$coco" --limit 2 2> "$out/err.txt"; then echo "accepted a detection dataset without a decoder"; exit 1; fi
grep -q "needs a decoder" "$out/err.txt"
# A misspelt spec key is refused.
echo '{"preprocess": {"maen": [0, 0, 0]}}' > "$out/bad_spec.json"
if "$fogline" eval "$mobilenet" "$inet" --spec "$out/bad_spec.json" --limit 1 2> "$out/err.txt"; then echo "accepted a bad spec"; exit 1; fi
grep -q 'unknown key "maen"' "$out/err.txt"
echo ok
