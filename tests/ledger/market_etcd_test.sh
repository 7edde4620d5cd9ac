#!/usr/bin/env bash
# The market and rental commands on an etcd-ordered chain: one etcd member, one ledger peer. On
# the peer's home the commands sign, order through etcd and read the slot's verdict (committed,
# or rejected with the reason), then see the local peer build the block; with --etcd they work
# from a home that runs no peer. Loopback only, free ports picked at run time, no fixed sleeps.
set -u
fogline=$1
etcd=${FOGLINE_ETCD:-/usr/bin/etcd}
if [ ! -x "$etcd" ]; then
  echo "SKIP: $etcd not found (install Debian's etcd-server)"
  exit 77
fi
work=$(mktemp -d)
cleanup() {
  for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 1" TERM INT
export FOGLINE_PASSPHRASE=market-etcd-test
failures=0
check() {  # name, expected substring in stdout+stderr, expected exit (0 or 1), command...
  local name=$1 want=$2 rc_want=$3
  shift 3
  "$@" >"$work/out" 2>&1
  local rc=$?
  if [ $rc -ne "$rc_want" ] || ! grep -q -- "$want" "$work/out"; then
    echo "FAIL $name (exit $rc, wanted $rc_want and '$want'):"; cat "$work/out"; failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
fatal() {
  echo "FAIL: $*"
  for f in "$work"/*.log; do echo "--- $f"; tail -n 15 "$f"; done
  exit 1
}
# free_port: a loopback port below the ephemeral range, free now (tests/support/free_port.sh).
. "$(dirname "$0")/../support/free_port.sh"
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    [ $SECONDS -ge $deadline ] && fatal "timed out after ${secs}s waiting for $what"
    sleep 0.1
  done
}

free_port cport
free_port pport
"$etcd" --name m1 --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
  --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
  --initial-cluster "m1=http://127.0.0.1:$pport" --initial-cluster-state new --log-level warn >"$work/etcd.log" 2>&1 &
endpoint="http://127.0.0.1:$cport"
P=$work/peer
genesis() { "$fogline" ledger peer init --etcd "$endpoint" --home "$P" --chain market-test >"$work/init.log" 2>&1 || { rm -rf "$P"; false; }; }
wait_for 30 "etcd to accept the genesis" genesis
"$fogline" ledger peer run --home "$P" --etcd "$endpoint" --poll-ms 50 >"$work/peer.log" 2>&1 &
wait_for 20 "the peer's status" test -f "$P/ledger/peer.json"

for a in "acme organisation" "user user" "cam node"; do
  set -- $a
  check "account add $1" "committed in slot" 0 "$fogline" ledger account add "$1" --kind "$2" --home "$P"
done
check "offer" "the local peer has it" 0 "$fogline" market offer --as acme --name entrance --terms audit --home "$P"
check "list" "entrance" 0 "$fogline" market list --etcd "$endpoint" --home "$work/nopeer"
check "grant by a non-owner" "owner" 1 "$fogline" market grant --as user --dataset entrance --to user --home "$P"
cp "$work/out" "$work/nonowner.txt"
check "  ordered, then rejected by the chain" "rejected in slot" 0 cat "$work/nonowner.txt"
check "grant" "re-wrapped to user" 0 "$fogline" market grant --as acme --dataset entrance --to user --home "$P"
check "use" "used 'entrance' 2 times" 0 "$fogline" market use --as user --dataset entrance --run eval-1 --uses 2 --home "$P"
printf 'model bundle bytes' >"$work/bundle.bin"
check "publish" "committed in slot" 0 "$fogline" rent publish --as acme --name detector --version 1 --bundle "$work/bundle.bin" --home "$P"
check "seal" "sealed to 1 nodes" 0 "$fogline" rent seal --as acme --model detector@1 --node cam --out "$work/keys.txt" --home "$P"
check "rent" "for 1 nodes" 0 "$fogline" rent start --as user --model detector@1 --keys "$work/keys.txt" --home "$P"
check "accounts read from etcd without a peer" "acme" 0 env -u FOGLINE_PASSPHRASE "$fogline" ledger accounts --etcd "$endpoint" --home "$work/nopeer"
renter=$("$fogline" ledger accounts --etcd "$endpoint" --home "$work/nopeer" | awk '$3 == "user" {print $1}')
report() { "$fogline" rent report --as cam --model detector@1 --renter "$renter" --inferences "$2" --sequence "$1" \
  --out "$3" --home "$P" >/dev/null; }
report 1 700 "$work/r1.txt" && report 2 900 "$work/r1.txt"
check "settle" "settled 900 inferences in 2 reports" 0 "$fogline" rent settle --as cam --reports "$work/r1.txt" --home "$P"
check "settle replayed" "replayed" 1 "$fogline" rent settle --as cam --reports "$work/r1.txt" --home "$P"
check "usage" "inferences 900" 0 "$fogline" rent usage --home "$P"
check "an identity with no key here" "nobody.key" 1 "$fogline" market offer --as nobody --name x --home "$P"

# The local peer built every block the commands saw committed; its chain verifies.
wait_for 20 "the peer's last block" grep -q '"next_slot"' "$P/ledger/peer.json"
[ $failures -eq 0 ] && echo "all passed" || echo "$failures failed"
exit $((failures > 0))
