#!/usr/bin/env bash
# The node's inference API under load, with wrk (Debian package wrk) against loopback:
#  1. requests/s and p99 of POST /v2/models/tiny/infer with a tiny model;
#  2. the node's overhead over the raw engine for mobilenet_v2 at p50: `fogline bench` (one
#     thread) vs one wrk connection on /v2/models/m/infer (a JSON tensor) and on /predict (a JPEG);
#  3. failed requests while the tiny model is hot-swapped 10 times under load (must be 0).
# usage: bench/node/bench_node.sh    env: BUILD (build), DURATION (10s), CONNECTIONS (4)
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${FOGLINE_SHARED:-../shared}
build=${BUILD:-build}
duration=${DURATION:-10s}
conns=${CONNECTIONS:-4}
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

echo "## 2. mobilenet_v2 at p50: engine alone vs through the node (1 thread, 1 connection)"
engine_p50=$("$fogline" bench "$mobilenet" --threads 1 --runs 200 --warmup 20 --json | sed -n 's/.*"median_ms":\([0-9.e+-]*\).*/\1/p')
start_node "$tmp/m.out" --model "m=$mobilenet,preset=imagenet" --threads 1 --engine-threads 1
read -r _ infer_p50 _ infer_failed < <(run_wrk "http://127.0.0.1:$port/v2/models/m/infer" "$tmp/image.json" application/json -t1 -c1 -d"$duration")
echo "engine p50 ${engine_p50} ms; /v2 infer (JSON tensor, 150528 floats) p50 ${infer_p50} ms (failed $infer_failed)"
read -r _ binary_p50 _ binary_failed < <(HEADER_LENGTH=$(cat "$tmp/image.bin.header") run_wrk "http://127.0.0.1:$port/v2/models/m/infer" "$tmp/image.bin" application/octet-stream -t1 -c1 -d"$duration")
echo "/v2 infer (binary tensor data extension) p50 ${binary_p50} ms (failed $binary_failed)"
if [ -n "$image" ]; then
  read -r _ predict_p50 _ predict_failed < <(run_wrk "http://127.0.0.1:$port/predict" "$image" image/jpeg -t1 -c1 -d"$duration")
  echo "/predict (JPEG $(basename "$image"), decode + preprocess + top-5) p50 ${predict_p50} ms (failed $predict_failed)"
fi
awk -v e="$engine_p50" -v i="$infer_p50" -v b="$binary_p50" -v p="${predict_p50:-0}" 'BEGIN {
  printf "overhead at p50: JSON infer +%.2f ms (x%.2f), binary infer +%.2f ms (x%.2f)", i - e, i / e, b - e, b / e
  if (p > 0) printf ", predict +%.2f ms (x%.2f)", p - e, p / e
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
