#!/usr/bin/env bash
# The data market and model rental on the real binary, economy = credits: accounts with key
# files, minting, a dataset offered, bought through escrow, granted (the escrow released to the
# owner), used per run (the owner paid per use), a model published, its bundle key sealed to a
# node, rented with prepaid credits; refusals name their reason and change nothing.
set -u
fogline=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FOGLINE_PASSPHRASE=market-cli-test
H=$work/home
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
balance() { "$fogline" ledger accounts --home "$H" | awk -v n="$1" '$3 == n {print $NF}'; }

check "init credits" "created ledger" 0 "$fogline" ledger init --home "$H" --economy credits
for a in "acme organisation" "buyer user" "cam node" "renter organisation"; do
  set -- $a
  check "account add $1" "account $1 ($2)" 0 "$fogline" ledger account add "$1" --kind "$2" --home "$H"
done
check "account add twice" "refusing to replace" 1 "$fogline" ledger account add buyer --home "$H"
check "mint" "minted 500 to buyer (balance 500)" 0 "$fogline" ledger mint --to buyer --amount 500 --home "$H"
check "mint renter" "balance 300" 0 "$fogline" ledger mint --to renter --amount 300 --home "$H"
check "mint by a non-authority" "mint authority" 1 "$fogline" ledger mint --as buyer --to buyer --amount 5 --home "$H"

check "offer" "offered by acme" 0 "$fogline" market offer --as acme --name entrance --price 120 --per-use 3 \
  --terms "research only" --home "$H"
check "list" "price 120  per use 3" 0 "$fogline" market list --home "$H"
check "grant before payment" "no open escrow of at least 120" 1 \
  "$fogline" market grant --as acme --dataset entrance --to buyer --home "$H"
check "buy" "120 credits for acme" 0 "$fogline" market buy --as buyer --dataset entrance --home "$H"
check "buyer paid into escrow" "^380$" 0 balance buyer
check "grant by a non-owner" "owner" 1 "$fogline" market grant --as buyer --dataset entrance --to buyer --home "$H"
check "grant" "released" 0 "$fogline" market grant --as acme --dataset entrance --to buyer --home "$H"
check "owner got the escrow" "^120$" 0 balance acme
check "use" "acme credited 30" 0 "$fogline" market use --as buyer --dataset entrance --run train-42 --uses 10 --home "$H"
check "use without grant" "grant" 1 "$fogline" market use --as renter --dataset entrance --run x --uses 1 --home "$H"
check "list shows the grant" "grants 1" 0 "$fogline" market list --home "$H"

printf 'model bundle bytes' >"$work/bundle.bin"
check "publish" "model " 0 "$fogline" rent publish --as acme --name detector --version 1 --bundle "$work/bundle.bin" \
  --price-per-1000 50 --home "$H"
check "seal by a non-owner" "does not own" 1 "$fogline" rent seal --as renter --model detector@1 --node cam --home "$H"
check "seal" "sealed to 1 nodes" 0 "$fogline" rent seal --as acme --model detector@1 --node cam --out "$work/keys.txt" --home "$H"
check "rent beyond balance" "balance" 1 "$fogline" rent start --as renter --model detector@1 --keys "$work/keys.txt" \
  --prepaid 1000 --home "$H"
check "rent" "for 1 nodes, prepaid 200" 0 "$fogline" rent start --as renter --model detector@1 --keys "$work/keys.txt" \
  --prepaid 200 --home "$H"
check "usage" "prepaid left 200  price/1000 50" 0 "$fogline" rent usage --home "$H"
check "usage per node" "node cam  settled through report 0" 0 "$fogline" rent usage --home "$H"

# Metering: the node signs cumulative counters; a batch settles in one transaction. 200 prepaid
# at 50 per 1000 pay for 4019 inferences in all.
renter=$("$fogline" ledger accounts --home "$H" | awk '$3 == "renter" {print $1}')
report() { "$fogline" rent report --as cam --model detector@1 --renter "$renter" --inferences "$2" --sequence "$1" \
  --out "$3" --home "$H" >/dev/null; }
report 1 1000 "$work/r1.txt" && report 2 2000 "$work/r1.txt"
# The second report with its counter's last byte changed after signing.
awk 'NR == 2 { c = substr($0, 216, 1); $0 = substr($0, 1, 215) (c == "0" ? "1" : "0") substr($0, 217) } 1' \
  "$work/r1.txt" >"$work/forged.txt"
check "settle forged" "forged" 1 "$fogline" rent settle --as renter --reports "$work/forged.txt" --home "$H"
check "settle" "settled 2000 inferences in 2 reports" 0 "$fogline" rent settle --as cam --reports "$work/r1.txt" --home "$H"
check "settle replayed" "replayed" 1 "$fogline" rent settle --as cam --reports "$work/r1.txt" --home "$H"
report 3 1500 "$work/down.txt"
check "settle decreasing" "counter went down from 2000 to 1500" 1 "$fogline" rent settle --as cam --reports "$work/down.txt" --home "$H"
report 3 9000 "$work/over.txt"
check "settle over the escrow" "settlement over the escrow: these 7000 inferences cost 350 credits, the escrow holds 100" 1 \
  "$fogline" rent settle --as cam --reports "$work/over.txt" --home "$H"
check "usage after refusals" "inferences 2000  paid 100  prepaid left 100" 0 "$fogline" rent usage --home "$H"
report 3 4019 "$work/last.txt"
check "settle to exhaustion" "rental exhausted: prepaid credit exhausted" 0 \
  "$fogline" rent settle --as renter --reports "$work/last.txt" --home "$H"
check "usage exhausted" "EXHAUSTED: prepaid credit exhausted: 0 credits left do not pay for one more inference" 0 \
  "$fogline" rent usage --home "$H"
check "verify" "ok" 0 "$fogline" ledger verify --home "$H"

# economy = off: the same flows record provenance; no prices, no payment, no balance anywhere.
H=$work/off
check "init off" "economy off" 0 "$fogline" ledger init --home "$H"
check "off: account add" "account owner" 0 "$fogline" ledger account add owner --kind organisation --home "$H"
check "off: account add user" "account user" 0 "$fogline" ledger account add user --home "$H"
check "off: priced offer refused" "economy = off" 1 "$fogline" market offer --as owner --name d --price 5 --home "$H"
check "off: offer" "offered by owner" 0 "$fogline" market offer --as owner --name d --terms audit --home "$H"
check "off: buy" "nothing to pay" 1 "$fogline" market buy --as user --dataset d --home "$H"
check "off: grant" "0 data keys of 'd' re-wrapped to user" 0 "$fogline" market grant --as owner --dataset d --to user --home "$H"
check "off: use" "used 'd' 2 times" 0 "$fogline" market use --as user --dataset d --run eval-1 --uses 2 --home "$H"
check "off: mint refused" "economy" 1 "$fogline" ledger mint --to user --amount 1 --home "$H"
check "off: no balances" "^0$" 0 sh -c "'$fogline' ledger status --home '$H' | grep -c credits; true"

[ $failures -eq 0 ] && echo "all passed" || { echo "$failures failed"; exit 1; }
