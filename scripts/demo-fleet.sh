#!/usr/bin/env bash
# The fleet demo (`make demo`): a hub and three fogline-node agents on loopback, in a temporary
# home. A model is imported (MobileNetV2-int8 from $FOGLINE_SHARED/models when present, else the
# classifier `fogline demo` writes itself), deployed to one canary node, promoted to all, and
# every node answers an inference request; then the fleet status and the URLs to try are
# printed and the demo waits. Ctrl-C (or SIGTERM) stops every process and removes the home.
#
#   scripts/demo-fleet.sh [--bin-dir build] [--once]
#
# --once exits after printing (the ctest `demo_fleet` runs that). Exit 77: curl is missing.
set -euo pipefail

bin_dir=build
once=0
nodes=3
while [ $# -gt 0 ]; do
  case "$1" in
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --once) once=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo-fleet: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
fogline="$(cd "$bin_dir" 2>/dev/null && pwd)/fogline"
fogline_node="$(cd "$bin_dir" 2>/dev/null && pwd)/fogline-node"
for b in "$fogline" "$fogline_node"; do
  [ -x "$b" ] || { echo "demo-fleet: $b is not built (cmake --build $bin_dir)" >&2; exit 1; }
done
if ! command -v curl >/dev/null; then
  echo "demo-fleet: SKIP: curl is not installed (apt-get install curl)" >&2
  exit 77
fi
shared="${FOGLINE_SHARED:-$here/../../shared}"

work="$(mktemp -d "${TMPDIR:-/tmp}/fogline-demo-fleet.XXXXXX")"
home="$work/home"
pids=()

# Every process we started, newest first: the nodes before the hub they would keep calling.
# shellcheck disable=SC2317  # reached through the traps
cleanup() {
  trap - EXIT INT TERM
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do wait "${pids[i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "demo-fleet: stopping"; cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

die() {
  echo "demo-fleet: $*" >&2
  for log in "$work"/*.log; do
    [ -s "$log" ] && { echo "--- $(basename "$log") (tail) ---" >&2; tail -n 15 "$log" >&2; }
  done
  exit 1
}

# start NAME PREFIX CMD...: runs CMD in the background, waits for its first stdout line
# "PREFIX URL" and sets $url. stderr goes to $work/NAME.log.
start() {
  local name="$1" prefix="$2"
  shift 2
  "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  local pid=$! line=""
  for _ in $(seq 1 600); do
    line="$(head -n 1 "$work/$name.out" 2>/dev/null || true)"
    case "$line" in "$prefix"*) url="${line#"$prefix"}"; return 0 ;; esac
    kill -0 "$pid" 2>/dev/null || die "$name exited before it listened"
    sleep 0.1
  done
  die "$name did not print '$prefix URL' within 60 s"
}

# The same request on every node: an image to /predict for an image model, else JSON numbers.
infer() {
  local node_url="$1"
  if [ -n "$image" ]; then
    curl -sS --noproxy "*" --max-time 30 "$node_url/predict?model=$model&top_k=3" -H 'Content-Type: image/jpeg' --data-binary "@$image"
  else
    curl -sS --noproxy "*" --max-time 30 "$node_url/v2/models/$model/infer" -H 'Content-Type: application/json' -d @"$work/request.json"
  fi
}

echo "== Fogline fleet demo (home $home)"

# 1. A model: the real MobileNetV2-int8 with its ImageNet spec, or one fogline writes itself.
mobilenet="$shared/models/mobilenetv2-12-int8"
image=""
if [ -f "$mobilenet/mobilenetv2-12-int8.onnx" ] && [ -f "$mobilenet/synset_words.txt" ]; then
  model=mobilenet
  model_file="$mobilenet/mobilenetv2-12-int8.onnx"
  [ -f "$shared/datasets/demo-images/dog.jpg" ] && image="$shared/datasets/demo-images/dog.jpg"
  # The spec of the imagenet preset, with the class names of synset_words.txt ("n01440764 tench, Tinca
  # tinca" -> "tench").
  {
    printf '{"preprocess": {"resize": "center_crop", "shorter_side": 256, "mean": [0.485, 0.456, 0.406],'
    printf ' "std": [0.229, 0.224, 0.225], "color": "RGB"},\n "postprocess": {"kind": "classification", "softmax": true, "labels": ['
    awk '{ sub(/^[^ ]+ /, ""); sub(/,.*/, ""); gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "%s\"%s\"", (NR > 1 ? ", " : ""), $0 }' \
      "$mobilenet/synset_words.txt"
    printf ']}}\n'
  } >"$work/spec.json"
  spec_args=(--spec "$work/spec.json")
else
  echo "   ($mobilenet not found: using the classifier fogline writes itself)"
  model=classifier
  "$fogline" demo --out "$work/own" >"$work/own-demo.log" 2>&1 || die "fogline demo could not write its model"
  model_file="$work/own/demo_classifier.onnx"
  spec_args=()
  # image float32[1,3,32,32]: a mid-grey input.
  { printf '{"inputs": [{"name": "image", "shape": [1, 3, 32, 32], "datatype": "FP32", "data": ['
    seq -s, 1 3072 | sed 's/[0-9][0-9]*/0.5/g'
    printf ']}]}\n'; } >"$work/request.json"
fi
"$fogline" model import "$model_file" --name "$model" --version 1 "${spec_args[@]}" --home "$home" \
  || die "model import failed"

# 2. The hub, a developer token for the CLI, and three enrolled nodes.
token="$("$fogline" hub token create --role developer --name demo --home "$home")"
start hub "fogline hub listening on " "$fogline" hub --listen 127.0.0.1:0 --home "$home"
hub_url="$url"
export FOGLINE_HUB="$hub_url" FOGLINE_TOKEN="$token"
echo "== hub on $hub_url"
node_urls=()
node_ids=()
for i in $(seq 1 "$nodes"); do
  enroll="$("$fogline" node token create --labels "site=demo,node=$i" --home "$home")"
  start "node$i" "fogline-node listening on " "$fogline_node" --hub "$hub_url" --enroll "$enroll" \
    --data-dir "$work/node$i" --name "demo-node-$i" --listen 127.0.0.1:0 --report-interval 1 --poll-wait 10
  node_urls+=("$url")
  node_ids+=("$(sed -n 's/.*"node_id": *"\([^"]*\)".*/\1/p' "$work/node$i/node.json" | head -n 1)")
  echo "   node $i: ${node_ids[i-1]} on $url"
done

# 3. Canary on the first node, then promoted to every node.
out="$("$fogline" deploy "$model@1" --selector site=demo --canary-nodes "${node_ids[0]}" --observe 10m \
  --rollback-if 'p99_ms>2000 or error_rate>0.05')" || die "deploy failed"
echo "== $out"
deployment="$(echo "$out" | sed -n 's/^deployment \([0-9][0-9]*\):.*/\1/p')"
[ -n "$deployment" ] || die "no deployment id in: $out"
ready() { [ "$(curl -s --noproxy "*" -o /dev/null -w '%{http_code}' "$1/v2/models/$model/ready")" = 200 ]; }
wait_ready() {
  for _ in $(seq 1 600); do ready "$1" && return 0; sleep 0.1; done
  die "$model is not ready on $1 after 60 s"
}
wait_ready "${node_urls[0]}"
echo "   canary ${node_ids[0]} serves $model@1; the other nodes wait:"
for i in $(seq 2 "$nodes"); do
  ready "${node_urls[i-1]}" && die "node $i serves $model before the promotion"
  echo "   node $i: not yet"
done
"$fogline" deploy status "$deployment" || die "deploy status failed"
"$fogline" deploy promote "$deployment" --note "canary looks good" || die "promote failed"
for u in "${node_urls[@]}"; do wait_ready "$u"; done

# 4. One inference per node.
echo "== inference on every node"
for i in $(seq 1 "$nodes"); do
  answer="$(infer "${node_urls[i-1]}")" || die "inference on node $i failed"
  echo "   node $i: ${answer:0:300}"
  case "$answer" in *'"model_version":"1"'*) ;; *) die "node $i did not answer with $model@1" ;; esac
done

# 5. The fleet as the hub sees it (reports arrive every second).
sleep 1.5
echo "== fleet status"
if "$fogline" fleet status --help >/dev/null 2>&1; then
  "$fogline" fleet status || die "fleet status failed"
else
  curl -sS --noproxy "*" -H "Authorization: Bearer $token" "$hub_url/api/nodes"; echo
fi

cat <<EOF

== try it
   export FOGLINE_HUB=$hub_url FOGLINE_TOKEN=$token
   $fogline deploy status $deployment
   $fogline fleet status
   curl -s -H "Authorization: Bearer \$FOGLINE_TOKEN" $hub_url/api/nodes
   curl -s $hub_url/metrics
   curl -s ${node_urls[0]}/v2/models/$model
   curl -s ${node_urls[0]}/metrics
EOF
if [ -n "$image" ]; then
  echo "   curl -s '${node_urls[0]}/predict?model=$model&top_k=3' -H 'Content-Type: image/jpeg' --data-binary @$image"
fi
echo "   hub and node logs: $work/*.log"

if [ "$once" = 1 ]; then
  echo "demo-fleet: done (--once)"
  exit 0
fi
echo
echo "Running; Ctrl-C stops the hub and the nodes and removes $work."
# Returns when a process ends on its own (unexpected) or a signal runs the trap.
wait -n "${pids[@]}" || true
die "a demo process exited on its own"
