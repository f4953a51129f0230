package fingerprint

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCollectAnchorsPair runs Collect on this machine with and without reading the
// hardware anchors, turn about in one loop, and reports each side's mean time and their ratio:
// what the anchors (issue 24) cost Collect. The "before" of the whole issue, the container
// markers included, is BenchmarkCollect built from the commit before it (see BENCHMARKS.md).
func BenchmarkCollectAnchorsPair(b *testing.B) {
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	ctx := context.Background()
	with, without := defaultCollector(), defaultCollector()
	without.noAnchors = true
	run := func(c *collector) {
		if _, _, err := c.collect(ctx, "bench-app", false); err != nil {
			b.Fatal(err)
		}
	}
	var after, before time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if i%2 == 0 {
			run(with)
			t1 := time.Now()
			run(without)
			after, before = after+t1.Sub(t0), before+time.Since(t1)
		} else {
			run(without)
			t1 := time.Now()
			run(with)
			before, after = before+t1.Sub(t0), after+time.Since(t1)
		}
	}
	b.ReportMetric(float64(after.Nanoseconds())/float64(b.N), "sdk-ns/op")
	b.ReportMetric(float64(before.Nanoseconds())/float64(b.N), "floor-ns/op")
	b.ReportMetric(float64(after)/float64(before), "ratio")
}
