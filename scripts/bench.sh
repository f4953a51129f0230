#!/usr/bin/env bash
# Runs each benchmark pair side by side in one run and prints the minimum of COUNT runs and the
# ratio to its floor. Usage: scripts/bench.sh [COUNT] [BENCHTIME]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-6}
benchtime=${2:-1s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench 'Validate|UpdateActivation|Collect' -benchmem -count "$count" -benchtime "$benchtime" \
	./licensing ./fingerprint | tee "$out" | grep -E '^Benchmark' >&2
awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	ns = $3 + 0
	if (!(name in best) || ns < best[name]) { best[name] = ns; bytes[name] = $5; allocs[name] = $7 }
}
END {
	printf "\n%-32s %12s %10s %10s\n", "benchmark (min of runs)", "ns/op", "B/op", "allocs/op"
	n = split("BenchmarkValidate BenchmarkValidateFloor BenchmarkUpdateActivation BenchmarkUpdateActivationFloor BenchmarkCollect BenchmarkCollectFloor", order, " ")
	for (i = 1; i <= n; i++) if (order[i] in best) printf "%-32s %12d %10s %10s\n", order[i], best[order[i]], bytes[order[i]], allocs[order[i]]
	printf "\n"
	if ("BenchmarkValidateFloor" in best) printf "Validate / one RSA-2048 verification:         %.2f (target <= 1.30)\n", best["BenchmarkValidate"] / best["BenchmarkValidateFloor"]
	if ("BenchmarkUpdateActivationFloor" in best) printf "UpdateActivation / bare PATCH + verification: %.2f (target <= 1.25)\n", best["BenchmarkUpdateActivation"] / best["BenchmarkUpdateActivationFloor"]
	if ("BenchmarkCollect" in best) printf "fingerprint.Collect:                          %.3f ms (target <= 1 ms)\n", best["BenchmarkCollect"] / 1e6
}' "$out"
