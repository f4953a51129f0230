#!/usr/bin/env bash
# Prints what the SDK adds to a binary: a baseline that links net/http, encoding/json and
# crypto/rsa against the same program plus a real UpdateActivation and Validate, both built with
# CGO_ENABLED=0 -ldflags='-s -w', for linux, windows and darwin (amd64). Exits 1 when the
# overhead on any OS is over the target, 1.5 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
limit=$((3 * 1024 * 1024 / 2))
status=0
printf '%-8s %12s %12s %12s\n' os baseline sdk overhead
for os in linux windows darwin; do
	for prog in baseline sdk; do
		CGO_ENABLED=0 GOOS=$os GOARCH=amd64 go build -trimpath -ldflags='-s -w' -o "$out/$os-$prog" ./scripts/binsize/$prog
	done
	b=$(stat -c %s "$out/$os-baseline")
	s=$(stat -c %s "$out/$os-sdk")
	d=$((s - b))
	awk -v os="$os" -v b="$b" -v s="$s" -v d="$d" 'BEGIN { printf "%-8s %12d %12d %9.2f MiB\n", os, b, s, d / 1048576 }'
	[ "$d" -le "$limit" ] || status=1
done
exit $status
