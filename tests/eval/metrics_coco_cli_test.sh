#!/bin/sh
# fogline metrics coco: the printed summary matches the expected file byte for byte (the
# numbers are hand-checked: person hit exactly -> 1; dog at IoU .68 -> .4; mean .7), and bad
# input fails with a message naming the file and the field.
set -eu
fogline="$1"
dir="$(dirname "$0")/fixtures"
out="$(mktemp)"
trap 'rm -f "$out" "$out.bad"' EXIT
"$fogline" metrics coco "$dir/metrics_gt.json" "$dir/metrics_results.json" > "$out"
diff -u "$dir/metrics_expected.txt" "$out"
echo '[{"image_id": 1, "bbox": [0, 0, 1, 1], "score": 1}]' > "$out.bad"
if "$fogline" metrics coco "$dir/metrics_gt.json" "$out.bad" 2> "$out"; then
  echo "a result without category_id was accepted"; exit 1
fi
grep -q "$out.bad: \[0\]: missing field \"category_id\"" "$out"
echo '{"images": [' > "$out.bad"
if "$fogline" metrics coco "$out.bad" "$dir/metrics_results.json" 2> "$out"; then
  echo "malformed ground truth was accepted"; exit 1
fi
grep -q "not valid JSON" "$out"
echo ok
