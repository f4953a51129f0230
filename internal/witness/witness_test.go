package witness

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// witnessFiles makes n files in a temporary folder, each with the given modification time.
func witnessFiles(t *testing.T, times ...time.Time) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, mt := range times {
		p := filepath.Join(dir, string(rune('a'+i)))
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		touch(t, p, mt)
		paths = append(paths, p)
	}
	return paths
}

func touch(t *testing.T, p string, mt time.Time) {
	t.Helper()
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// monoClock is an adjustable stand-in for the monotonic clock that times refreshes.
type monoClock struct{ t time.Time }

func (m *monoClock) now() time.Time { return m.t }

func TestClockWitnessLatest(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	paths := witnessFiles(t, base, base.Add(2*time.Hour), base.Add(time.Hour))
	w := New(append(paths, filepath.Join(t.TempDir(), "missing")))
	got, from := w.Latest()
	if !got.Equal(base.Add(2*time.Hour)) || from != paths[1] {
		t.Fatalf("latest %v from %s", got, from)
	}
	var none *Witness
	if got, _ := none.Latest(); !got.IsZero() {
		t.Fatal("a nil witness witnesses nothing")
	}
	if got, _ := New(nil).Latest(); !got.IsZero() {
		t.Fatal("no paths, no time")
	}
}

// TestClockWitnessReadsOnceThenEveryRefresh: the files are stat'ed at the first reading, then not
// again until Refresh has passed on the monotonic clock.
func TestClockWitnessReadsOnceThenEveryRefresh(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	paths := witnessFiles(t, base)
	mono := &monoClock{t: time.Unix(1000, 0)}
	w := New(paths)
	w.mono = mono.now
	if got, _ := w.Latest(); !got.Equal(base) {
		t.Fatal(got)
	}
	touch(t, paths[0], base.Add(time.Hour))
	mono.t = mono.t.Add(Refresh - time.Second)
	if got, _ := w.Latest(); !got.Equal(base) {
		t.Fatalf("read again before the refresh: %v", got)
	}
	mono.t = mono.t.Add(time.Second)
	if got, _ := w.Latest(); !got.Equal(base.Add(time.Hour)) {
		t.Fatalf("not read again after the refresh: %v", got)
	}
}

func TestCheckWitness(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		latest time.Time
		back   bool
	}{
		{time.Time{}, false},
		{now.Add(-time.Hour), false},                         // written before now: the clock moves forward
		{now, false},                                         //
		{now.Add(14 * time.Hour), false},                     // a hardware clock in local time, since corrected
		{now.Add(Tolerance), false},                          // within the tolerance
		{now.Add(Tolerance + time.Second), true},             // the clock is behind what was written
		{now.Add(400 * 24 * time.Hour), true},                //
		{now.Add(-400 * 24 * time.Hour), false},              //
		{time.Unix(0, 0), false},                             //
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), true},  //
		{time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), false}, // Windows' zero FILETIME
		{now.Add(Tolerance + time.Nanosecond), true},         //
		{now.Add(-Tolerance - time.Nanosecond), false},       //
	} {
		err := Check(now, c.latest, "/home/alice/.local/share/recently-used.xbel")
		if (err != nil) != c.back || err != nil && (!errors.Is(err, errs.ErrClockRolledBack) || strings.Contains(err.Error(), "alice")) {
			t.Errorf("latest %v: %v", c.latest, err)
		}
	}
}

// TestVouchIgnoresMisdatedFilesUntilRewritten: files dated in the future by a clock that was
// mis-set forward and then corrected are ignored once the server vouches for the corrected
// clock, until the OS writes them again.
func TestVouchIgnoresMisdatedFilesUntilRewritten(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	paths := witnessFiles(t, now.Add(-time.Minute), now.Add(30*24*time.Hour))
	w := New(paths)
	if got, _ := w.Latest(); Check(now, got, "") == nil {
		t.Fatal("a file dated a month ahead must count before anyone vouches for the clock")
	}
	w.Vouch(now)
	got, _ := w.Latest()
	if !got.Equal(now.Add(-time.Minute)) || Check(now, got, "") != nil {
		t.Fatalf("after Vouch: latest %v", got)
	}
	// The OS writes the file again, under the corrected clock: it counts again, and passes.
	touch(t, paths[1], now)
	w.mono = func() time.Time { return time.Now().Add(Refresh) }
	if got, _ := w.Latest(); !got.Equal(now) {
		t.Fatalf("a rewritten file must count again: %v", got)
	}
	// Dated ahead again (the clock mis-set once more): a witness again until the next Vouch.
	touch(t, paths[1], now.Add(48*time.Hour))
	w.mono = func() time.Time { return time.Now().Add(2 * Refresh) }
	if got, _ := w.Latest(); Check(now, got, "") == nil {
		t.Fatalf("a file dated ahead again must count: %v", got)
	}
}

// TestVouchSkipsAFreshCleanReading: while the reading is fresh and nothing in it is dated ahead,
// Vouch reads nothing; a file dated ahead meanwhile is seen by the next reading and set aside by
// the next Vouch after it.
func TestVouchSkipsAFreshCleanReading(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	paths := witnessFiles(t, now.Add(-time.Minute), now.Add(-time.Hour))
	w := New(paths)
	mono := time.Now()
	w.mono = func() time.Time { return mono }
	w.Latest()
	touch(t, paths[1], now.Add(30*24*time.Hour)) // the clock set a month ahead, briefly
	w.Vouch(now)
	if got, _ := w.Latest(); !got.Equal(now.Add(-time.Minute)) {
		t.Fatalf("a fresh, clean reading must be kept by Vouch: latest %v", got)
	}
	mono = mono.Add(Refresh)
	if got, _ := w.Latest(); Check(now, got, "") == nil {
		t.Fatalf("the next reading must see the file dated ahead: %v", got)
	}
	w.Vouch(now) // a fresh reading, but dated ahead: read again, the file set aside
	if got, _ := w.Latest(); !got.Equal(now.Add(-time.Minute)) {
		t.Fatalf("after Vouch: latest %v", got)
	}
	// An old reading is taken again by Vouch, even when it was clean.
	touch(t, paths[0], now)
	mono = mono.Add(Refresh)
	w.Vouch(now)
	touch(t, paths[0], now.Add(time.Second))
	mono = mono.Add(time.Second)
	if got, _ := w.Latest(); !got.Equal(now) {
		t.Fatalf("Vouch after the refresh time must take the reading then: latest %v", got)
	}
}

// TestDefaultWitnessNoFalsePositive: on this machine, whose clock moves forward, the OS's files
// are never ahead of the clock.
func TestDefaultWitnessNoFalsePositive(t *testing.T) {
	t.Parallel()
	w := NewDefault()
	latest, from := w.Latest()
	if err := Check(time.Now(), latest, from); err != nil {
		t.Fatalf("%v (paths %v)", err, w.paths)
	}
	t.Logf("newest witness: %v (%s), of %d paths", latest, from, len(w.paths))
}

// BenchmarkClockWitnessReading is the cost of one uncached reading of this OS's default
// witnesses (the goal is under 50 µs); BenchmarkClockWitnessCached is what each Validate pays
// between readings.
func BenchmarkClockWitnessReading(b *testing.B) {
	w := NewDefault()
	w.Latest()
	b.ReportAllocs()
	for b.Loop() {
		w.mu.Lock()
		w.read()
		w.mu.Unlock()
	}
}

func BenchmarkClockWitnessCached(b *testing.B) {
	w := NewDefault()
	w.Latest()
	b.ReportAllocs()
	for b.Loop() {
		w.Latest()
	}
}

// BenchmarkClockWitnessReading10 is one reading of ten files that all exist: a desktop's count,
// whatever this machine holds.
func BenchmarkClockWitnessReading10(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	for i := range 10 {
		p := filepath.Join(dir, string(rune('a'+i)))
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	w := New(paths)
	w.Latest()
	b.ReportAllocs()
	for b.Loop() {
		w.mu.Lock()
		w.read()
		w.mu.Unlock()
	}
}

func TestClockWitnessZeroValue(t *testing.T) {
	t.Parallel()
	var w Witness
	if got, _ := w.Latest(); !got.IsZero() {
		t.Fatal(got)
	}
	w.Vouch(time.Now())
}
