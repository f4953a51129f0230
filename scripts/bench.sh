#!/usr/bin/env bash
# Runs each benchmark pair side by side and prints, per pair, the minimum ns/op of each side
# over ROUNDS rounds and the median of the per-round ratios. A round runs every benchmark once,
# pairs adjacent, so that a burst of load on a shared machine hits both sides of a pair alike.
# The *Pair benchmarks run both sides of a pair in one loop, turn about, and report their ratio:
# the steadier figure, whose median over rounds is printed last. Then the whole-process cold
# start-up check (scripts/coldstart.sh, COLD rounds; 0 skips it).
# Usage: scripts/bench.sh [ROUNDS] [BENCHTIME] [COLD]     (defaults 8, 1s, 31)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-8}
benchtime=${2:-1s}
cold=${3:-31}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go test -c -o "$out/licensing.test" ./licensing
go test -c -o "$out/fingerprint.test" ./fingerprint
for r in $(seq "$rounds"); do
	(cd licensing && "$out/licensing.test" -test.run '^$' -test.bench 'Validate|UpdateActivation' -test.benchmem -test.benchtime "$benchtime")
	(cd fingerprint && "$out/fingerprint.test" -test.run '^$' -test.bench 'Collect' -test.benchmem -test.benchtime "$benchtime")
done | grep -E '^Benchmark' | tee "$out/all" >&2
# The pairs run in one loop each (benchPair): their "ratio" metric, per round.
grep -E 'Pair-[0-9]+ ' "$out/all" | awk '
{
	name = $1; sub(/-[0-9]+$/, "", name)
	for (f = 3; f < NF; f++) if ($(f + 1) == "ratio") r[name, ++n[name]] = $f + 0
}
END {
	printf "\n%-52s %8s %8s %8s   %s\n", "pair, both sides in one loop", "median", "min", "max", "rounds"
	split("BenchmarkValidateFirstPair BenchmarkValidateFirstRichPair BenchmarkUpdateActivationPair", order, " ")
	split("1.50 1.50 1.25", goal, " ")
	for (i = 1; i <= 3; i++) {
		k = order[i]; m = n[k]
		if (!m) continue
		for (j = 1; j <= m; j++) v[j] = r[k, j]
		for (j = 2; j <= m; j++) { t = v[j]; for (q = j - 1; q >= 1 && v[q] > t; q--) v[q + 1] = v[q]; v[q + 1] = t }
		med = m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
		printf "%-52s %8.3f %8.3f %8.3f   %d (goal <= %s)\n", k, med, v[1], v[m], m, goal[i]
	}
}' > "$out/pairs"
awk '
function ratio(a, b,    i, n, k, t, v) {
	# median over rounds of a[r] / b[r]
	n = 0
	for (i = 1; i <= runs[a] && i <= runs[b]; i++) v[++n] = ns[a, i] / ns[b, i]
	for (i = 2; i <= n; i++) { t = v[i]; for (k = i - 1; k >= 1 && v[k] > t; k--) v[k + 1] = v[k]; v[k + 1] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	x = ""; b = ""; a = ""
	for (f = 3; f < NF; f++) {
		if ($(f + 1) == "ns/op") x = $f + 0
		if ($(f + 1) == "B/op") b = $f
		if ($(f + 1) == "allocs/op") a = $f
	}
	ns[name, ++runs[name]] = x
	if (!(name in best) || x < best[name]) { best[name] = x; bytes[name] = b; allocs[name] = a }
}
END {
	printf "\n%-32s %12s %10s %10s\n", "benchmark (min of rounds)", "ns/op", "B/op", "allocs/op"
	n = split("BenchmarkValidate BenchmarkValidateFirst BenchmarkValidateFloor BenchmarkValidateFirstRich BenchmarkValidateFloorRich BenchmarkUpdateActivation BenchmarkUpdateActivationFloor BenchmarkCollect BenchmarkCollectFloor", order, " ")
	for (i = 1; i <= n; i++) if (order[i] in best) printf "%-32s %12d %10s %10s\n", order[i], best[order[i]], bytes[order[i]], allocs[order[i]]
	printf "\n%-52s %8s %8s %8s\n", "ratio", "median", "of mins", "target"
	row("repeated Validate / one RSA-2048 verify", "BenchmarkValidate", "BenchmarkValidateFloor", "0.25")
	row("first Validate / the same verify", "BenchmarkValidateFirst", "BenchmarkValidateFloor", "1.50")
	row("first Validate, rich token / the same verify", "BenchmarkValidateFirstRich", "BenchmarkValidateFloorRich", "1.50")
	row("UpdateActivation / bare PATCH + verify", "BenchmarkUpdateActivation", "BenchmarkUpdateActivationFloor", "1.25")
	if ("BenchmarkCollect" in best) printf "fingerprint.Collect: %.3f ms (min of rounds)\n", best["BenchmarkCollect"] / 1e6
}
function row(label, a, b, target) {
	if ((a in best) && (b in best)) printf "%-52s %8.3f %8.3f %8s\n", label, ratio(a, b), best[a] / best[b], "<= " target
}' "$out/all"
cat "$out/pairs"
if [ "$cold" != 0 ]; then
	echo
	scripts/coldstart.sh "$cold"
fi
