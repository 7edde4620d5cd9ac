#!/usr/bin/env bash
# Speed against ONNX Runtime, side by side in one run: for every model, at 1 and 2 threads,
# `fogline bench` and ../shared/peers/ort/run are run alternately ROUNDS times; the figure is
# the ratio of the medians (engine / ORT; < 1 means Fogline is faster), with the peak RSS of
# both processes from /usr/bin/time -v.
# usage: bench/compare_ort.sh [MODEL.onnx ...]   (default: the bench suite + the real fp32 models)
# env: ROUNDS (3), RUNS (20), THREADS ("1 2"), FOGLINE (build/fogline), MODELS_DIR (out/bench-models)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${FOGLINE_SHARED:-../shared}
fogline=${FOGLINE:-build/fogline}
rounds=${ROUNDS:-3}
runs=${RUNS:-20}
threads_list=${THREADS:-1 2}
models_dir=${MODELS_DIR:-out/bench-models}

models=("$@")
if [ ${#models[@]} -eq 0 ]; then
  if [ ! -f "$models_dir/resnet50.onnx" ]; then
    echo "generating the bench suite into $models_dir (needs python3-torch, python3-torchvision, python3-onnx)" >&2
    mkdir -p "$models_dir"
    /usr/bin/python3 "$shared/models/bench/generate.py" "$models_dir" >&2
  fi
  models=("$models_dir"/*.onnx "$shared/models/mnist-8/model.onnx" "$shared/models/super-resolution-10/model.onnx"
          "$shared/models/yolox-nano/yolox_nano.onnx")
fi

json_field() { sed -n "s/.*\"$1\":\([0-9.e+-]*\).*/\1/p" | head -1; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$1"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| model | threads | fogline median ms | ORT median ms | ratio | fogline RSS MB | ORT RSS MB |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for model in "${models[@]}"; do
  name=$(basename "$(dirname "$model")")/$(basename "$model" .onnx)
  [ "$(dirname "$model")" = "$models_dir" ] && name=$(basename "$model" .onnx)
  for threads in $threads_list; do
    : > "$tmp/f"; : > "$tmp/o"; frss=0; orss=0; ok=1
    for ((r = 0; r < rounds; r++)); do
      if ! /usr/bin/time -v "$fogline" bench "$model" --threads "$threads" --runs "$runs" --warmup 3 --json \
            > "$tmp/fj" 2> "$tmp/ft"; then
        echo "| $name | $threads | failed: $(grep -m1 error "$tmp/ft" | cut -c1-80) | | | | |"; ok=0; break
      fi
      json_field median_ms < "$tmp/fj" >> "$tmp/f"
      frss=$(( $(rss_kb "$tmp/ft") > frss ? $(rss_kb "$tmp/ft") : frss ))
      if ! /usr/bin/time -v "$shared/peers/ort/run" "$model" --threads "$threads" --runs "$runs" --warmup 3 \
            > "$tmp/oj" 2> "$tmp/ot"; then
        echo "| $name | $threads | ORT failed | | | | |"; ok=0; break
      fi
      json_field median_ms < "$tmp/oj" >> "$tmp/o"
      orss=$(( $(rss_kb "$tmp/ot") > orss ? $(rss_kb "$tmp/ot") : orss ))
    done
    [ $ok = 1 ] || continue
    f=$(median < "$tmp/f"); o=$(median < "$tmp/o")
    awk -v n="$name" -v t="$threads" -v f="$f" -v o="$o" -v fr="$frss" -v orr="$orss" \
      'BEGIN { printf "| %s | %d | %.3f | %.3f | %.2f | %.0f | %.0f |\n", n, t, f, o, f / o, fr / 1024, orr / 1024 }'
  done
done
