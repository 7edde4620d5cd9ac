#!/usr/bin/env bash
# Several organisations: 3 real etcd members (Debian's etcd-server) order the transactions of 3
# ledger peers (`fogline ledger peer run`). Transactions are submitted (some forged or replayed:
# ordered, then rejected by every peer alike); one etcd member and one peer are killed with
# SIGKILL; the survivors must keep committing; the dead peer restarts and catches up; all three
# end with the same head hash and byte-identical block files, and each chain verifies.
# Loopback only, ports picked free at run time; polls with generous deadlines, never fixed sleeps.
set -u
fogline=$1
etcd=${FOGLINE_ETCD:-/usr/bin/etcd}
if [ ! -x "$etcd" ]; then
  echo "SKIP: $etcd not found (install Debian's etcd-server)"
  exit 77
fi
work=$(mktemp -d)
cleanup() {
  # Only this shell's own background jobs still running (no pid that could have been reused).
  for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 1" TERM INT
export FOGLINE_PASSPHRASE=etcd-peers-test
fail() {
  echo "FAIL: $*"
  for f in "$work"/*.log; do echo "--- $f"; tail -n 15 "$f"; done
  exit 1
}

# free_port: a loopback port below the ephemeral range, free now (tests/support/free_port.sh).
. "$(dirname "$0")/../support/free_port.sh"

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    [ $SECONDS -ge $deadline ] && fail "timed out after ${secs}s waiting for $what"
    sleep 0.2
  done
}

declare -a cport pport etcd_pid peer_pid
cluster=""
for i in 1 2 3; do
  free_port "cport[$i]"
  free_port "pport[$i]"
  cluster="${cluster:+$cluster,}m$i=http://127.0.0.1:${pport[$i]}"
done
start_etcd() {
  local i=$1
  "$etcd" --name "m$i" --data-dir "$work/etcd$i" \
    --listen-client-urls "http://127.0.0.1:${cport[$i]}" --advertise-client-urls "http://127.0.0.1:${cport[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${pport[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${pport[$i]}" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "fogline-$$" \
    --log-level warn >"$work/etcd$i.log" 2>&1 &
  etcd_pid[$i]=$!
}
for i in 1 2 3; do start_etcd $i; done
endpoints="http://127.0.0.1:${cport[1]},http://127.0.0.1:${cport[2]},http://127.0.0.1:${cport[3]}"

# The genesis, once the cluster has a leader (the client itself retries for 20 s per call).
genesis() { "$fogline" ledger peer init --etcd "$endpoints" --home "$work/founder" --chain fogline-test >"$work/init.out" 2>&1 || { rm -rf "$work/founder"; false; }; }
wait_for 60 "the etcd cluster to accept the genesis" genesis
echo "ok   genesis ordered at slot 0"

start_peer() {
  local i=$1
  "$fogline" ledger peer run --home "$work/peer$i" --etcd "$endpoints" --poll-ms 50 >>"$work/peer$i.log" 2>&1 &
  peer_pid[$i]=$!
}
for i in 1 2 3; do start_peer $i; done

height_of() { "$fogline" ledger peer status --home "$work/peer$1" 2>/dev/null | awk '/^height/{print $2}'; }
head_of() { "$fogline" ledger peer status --home "$work/peer$1" 2>/dev/null | awk '/^head/{print $2}'; }
at_least() {  # peer, height
  local h
  h=$(height_of "$1")
  [ -n "$h" ] && [ "$h" -ge "$2" ]
}
submit() { "$fogline" ledger submit --etcd "$endpoints" "$@" >>"$work/submit.log" 2>&1 || fail "submit $*"; }

# Phase 1: every member and peer up. Block 0 is the genesis, then one block per batch.
for b in 1 2 3 4; do submit --register 3; done
submit --register 2 --forged 1 --replay
for i in 1 2 3; do wait_for 40 "peer $i to reach height 6" at_least $i 6; done
echo "ok   3 peers at height 6"
# A running peer owns its block files: the commands that open them refuse instead of racing it.
"$fogline" ledger status --home "$work/peer1" >"$work/status.out" 2>&1 && fail "ledger status opened a running peer's files"
grep -q "a ledger peer is running" "$work/status.out" || fail "ledger status: $(cat "$work/status.out")"

# Phase 2: kill -9 the etcd leader (the harder case: the others must elect a new one) and one
# peer; the others keep committing.
leader=""
find_leader() {
  local line
  line=$("$fogline" ledger peer status --home "$work/peer1" --etcd "$endpoints" 2>/dev/null | grep ' leader$') || return 1
  for i in 1 2 3; do
    case "$line" in *":${cport[$i]} leader") leader=$i; return 0 ;; esac
  done
  return 1
}
members_up() { [ "$("$fogline" ledger peer status --home "$work/peer1" --etcd "$endpoints" 2>/dev/null | grep -cE ' (leader|follower)$')" = 3 ]; }
wait_for 30 "all 3 etcd members to be up" members_up
wait_for 30 "an etcd leader" find_leader
kill -9 "${etcd_pid[$leader]}" "${peer_pid[3]}"
wait "${etcd_pid[$leader]}" "${peer_pid[3]}" 2>/dev/null
stopped=$(height_of 3)
"$fogline" ledger peer status --home "$work/peer3" | grep -q "not running" || fail "peer status does not see peer 3 is gone"
# Five submitters at once race for the next slots (the loser of a slot takes the next one).
racers=()
for b in 1 2 3 4 5; do
  "$fogline" ledger submit --etcd "$endpoints" --register 2 >"$work/race$b.out" 2>&1 &
  racers+=("$!")
done
for r in "${racers[@]}"; do wait "$r" || fail "a concurrent submit failed: $(cat "$work"/race*.out)"; done
slots=$(cat "$work"/race*.out | awk '/^ordered slot/{print $3}' | tr -d : | sort -n | tr '\n' ' ')
[ "$slots" = "6 7 8 9 10 " ] || fail "concurrent submits got slots '$slots', expected 6 7 8 9 10"
for i in 1 2; do wait_for 60 "surviving peer $i to reach height 11" at_least $i 11; done
[ "$(height_of 3)" = "$stopped" ] || fail "the killed peer moved from height $stopped"
echo "ok   survivors committed 5 more blocks with the etcd leader (member $leader) and peer 3 dead"

# Phase 3: the dead peer restarts and catches up from the ordered log.
start_peer 3
wait_for 60 "restarted peer 3 to catch up to height 11" at_least 3 11
submit --register 1
for i in 1 2 3; do wait_for 40 "peer $i to reach height 12" at_least $i 12; done
h1=$(head_of 1) h2=$(head_of 2) h3=$(head_of 3)
[ -n "$h1" ] && [ "$h1" = "$h2" ] && [ "$h1" = "$h3" ] || fail "head hashes differ: $h1 $h2 $h3"
echo "ok   all 3 peers at height 12 with head $h1"

# Stopped peers: byte-identical block files; each chain replays and verifies from genesis, and
# the forged and the replayed transaction are recorded as rejected in the same block everywhere.
for i in 1 2 3; do kill -TERM "${peer_pid[$i]}"; done
for i in 1 2 3; do wait "${peer_pid[$i]}" 2>/dev/null; done
cmp -s "$work/peer1/ledger/blocks.dat" "$work/peer2/ledger/blocks.dat" || fail "peer 1 and 2 block files differ"
cmp -s "$work/peer1/ledger/blocks.dat" "$work/peer3/ledger/blocks.dat" || fail "peer 1 and 3 block files differ"
echo "ok   block files byte-identical"
for i in 1 2 3; do
  "$fogline" ledger verify --home "$work/peer$i" >"$work/verify$i.out" 2>&1 || { cat "$work/verify$i.out"; fail "verify peer $i"; }
done
"$fogline" ledger blocks --home "$work/peer2" >"$work/blocks.out" 2>&1 || fail "ledger blocks"
grep -q "slot 5  2 rejected" "$work/blocks.out" || { cat "$work/blocks.out"; fail "block 5 should hold 2 rejected transactions"; }
echo "ok   every chain verifies; the forged and the replayed transaction are rejected in block 5"
