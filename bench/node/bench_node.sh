#!/usr/bin/env bash
# The node's inference API under load, with wrk (Debian package wrk) against loopback:
#  1. requests/s and p99 of POST /v2/models/tiny/infer with a tiny model;
#  2. the node's overhead over the raw engine for mobilenet_v2 at p50: `fogline bench` (one
#     thread) vs one wrk connection on /v2/models/m/infer (binary tensor data extension, then a
#     JSON tensor) and on /predict (a JPEG), alternated ROUNDS times, median of the medians;
#  3. failed requests while the tiny model is hot-swapped 10 times under load (must be 0).
# usage: bench/node/bench_node.sh
# env: BUILD (build), DURATION (10s), CONNECTIONS (4), ROUNDS (5), ROUND_DURATION (4s)
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${FOGLINE_SHARED:-../shared}
build=${BUILD:-build}
duration=${DURATION:-10s}
conns=${CONNECTIONS:-4}
rounds=${ROUNDS:-5}
round_duration=${ROUND_DURATION:-4s}
node="$build/fogline-node"
fogline="$build/fogline"
models_dir=${MODELS_DIR:-out/bench-models}
command -v wrk > /dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

mobilenet="$models_dir/mobilenet_v2.onnx"
if [ ! -f "$mobilenet" ]; then
  mkdir -p "$models_dir"
  /usr/bin/python3 "$shared/models/bench/generate.py" "$models_dir" mobilenet_v2 >&2
fi
/usr/bin/python3 bench/node/make_inputs.py "$tmp" "$mobilenet"
image=$(ls "$shared"/datasets/imagenet-sample-500/images/*.JPEG 2> /dev/null | head -1 || true)

# start_node OUT ARGS...: starts fogline-node on a free port; sets $port.
start_node() {
  local out=$1
  shift
  "$node" serve --listen 127.0.0.1:0 "$@" > "$out" 2> "$out.err" &
  pids+=($!)
  for _ in $(seq 200); do
    port=$(sed -n 's/^fogline-node listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$out")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  cat "$out.err" >&2
  exit 1
}
# run_wrk URL BODY TYPE ARGS...: prints "rps p50_ms p99_ms failed"
run_wrk() {
  local url=$1 body=$2 type=$3
  shift 3
  BODY_FILE=$body CONTENT_TYPE=$type wrk --latency -s bench/node/post_body.lua "$@" "$url" > "$tmp/wrk.txt"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { failed += $NF }
    /Socket errors/ { gsub(",", ""); failed += $4 + $6 + $8 + $10 }
    END { printf "%s %.3f %.3f %d\n", rps, p50, p99, failed + 0 }' "$tmp/wrk.txt"
}

echo "## 1. tiny model: POST /v2/models/tiny/infer, $conns connections, $duration"
start_node "$tmp/tiny.out" --model "tiny=$tmp/tiny.onnx" --threads "$conns"
read -r rps p50 p99 failed < <(run_wrk "http://127.0.0.1:$port/v2/models/tiny/infer" "$tmp/tiny.json" application/json -t2 -c"$conns" -d"$duration")
echo "requests/s $rps  p50 ${p50} ms  p99 ${p99} ms  failed $failed"

echo "## 2. mobilenet_v2 at p50: engine alone vs through the node (1 thread, 1 connection), $rounds rounds alternated"
start_node "$tmp/m.out" --model "m=$mobilenet,preset=imagenet" --threads 1 --engine-threads 1
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: > "$tmp/engine"; : > "$tmp/json"; : > "$tmp/binary"; : > "$tmp/predict"; failed2=0
for _ in $(seq "$rounds"); do
  "$fogline" bench "$mobilenet" --threads 1 --runs 100 --warmup 10 --json | sed -n 's/.*"median_ms":\([0-9.e+-]*\).*/\1/p' >> "$tmp/engine"
  read -r _ p50 _ f < <(HEADER_LENGTH=$(cat "$tmp/image.bin.header") run_wrk "http://127.0.0.1:$port/v2/models/m/infer" "$tmp/image.bin" application/octet-stream -t1 -c1 -d"$round_duration")
  echo "$p50" >> "$tmp/binary"; failed2=$((failed2 + f))
  read -r _ p50 _ f < <(run_wrk "http://127.0.0.1:$port/v2/models/m/infer" "$tmp/image.json" application/json -t1 -c1 -d"$round_duration")
  echo "$p50" >> "$tmp/json"; failed2=$((failed2 + f))
  if [ -n "$image" ]; then
    read -r _ p50 _ f < <(run_wrk "http://127.0.0.1:$port/predict" "$image" image/jpeg -t1 -c1 -d"$round_duration")
    echo "$p50" >> "$tmp/predict"; failed2=$((failed2 + f))
  fi
done
engine_p50=$(median < "$tmp/engine"); binary_p50=$(median < "$tmp/binary"); infer_p50=$(median < "$tmp/json")
predict_p50=$([ -s "$tmp/predict" ] && median < "$tmp/predict" || echo 0)
echo "engine p50 ${engine_p50} ms (fogline bench --threads 1, median of $rounds medians)"
echo "/v2 infer, binary tensor data extension: p50 ${binary_p50} ms"
echo "/v2 infer, JSON tensor (150528 numbers): p50 ${infer_p50} ms"
[ -n "$image" ] && echo "/predict, JPEG $(basename "$image") (decode, resize, crop, top-5): p50 ${predict_p50} ms"
echo "failed $failed2"
awk -v e="$engine_p50" -v i="$infer_p50" -v b="$binary_p50" -v p="$predict_p50" 'BEGIN {
  printf "overhead at p50: binary infer %+.2f ms (x%.2f), JSON infer %+.2f ms (x%.2f)", b - e, b / e, i - e, i / e
  if (p > 0) printf ", predict %+.2f ms (x%.2f)", p - e, p / e
  printf "\n" }'

echo "## 3. hot swap under load: 10 swaps of the tiny model while wrk runs"
start_node "$tmp/swap.out" --model "tiny=$tmp/tiny.onnx" --threads "$conns"
BODY_FILE=$tmp/tiny.json wrk --latency -s bench/node/post_body.lua -t2 -c"$conns" -d6s "http://127.0.0.1:$port/v2/models/tiny/infer" > "$tmp/swap-wrk.txt" &
wrk_pid=$!
sleep 0.5
for v in $(seq 2 11); do
  curl -sf -XPOST "http://127.0.0.1:$port/admin/models/tiny/load" -d "{\"path\": \"$tmp/tiny.onnx\", \"version\": \"$v\"}" > /dev/null
  sleep 0.4
done
wait "$wrk_pid"
swaps=$(curl -s "http://127.0.0.1:$port/metrics" | sed -n 's/^fogline_node_model_swaps_total{model="tiny"} //p')
total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$tmp/swap-wrk.txt")
failed=$(awk '/Non-2xx/ { f += $NF } /Socket errors/ { gsub(",", ""); f += $4 + $6 + $8 + $10 } END { print f + 0 }' "$tmp/swap-wrk.txt")
echo "requests $total  swaps $swaps  failed $failed"
