#!/usr/bin/env bash
# The cold start-up check, whole process: builds the SDK program (New + Validate with a file
# store, the machine's signals collected by licensing) and its floor (a program linking
# net/http, encoding/json and crypto/rsa that reads the machine id and verifies the token once),
# both stripped with CGO off, then runs them in turn for ROUNDS rounds, timing the second of two
# runs in a row, and prints the median ratio, for a small and a rich token.
# Usage: scripts/coldstart.sh [ROUNDS]   (default 31; Linux, needs /etc/machine-id)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-31}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for prog in setup sdk floor timer; do
	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$out/$prog" ./scripts/coldstart/$prog
done
for tok in small rich; do
	mkdir -p "$out/$tok"
	"$out/setup" "$out/$tok" "$tok"
	echo "cold start-up, $tok token ($(wc -c <"$out/$tok/token.jwt") bytes), $rounds rounds:"
	"$out/timer" "$rounds" "$out/sdk" "$out/floor" "$out/$tok"
done
