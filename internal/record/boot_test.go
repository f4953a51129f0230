package record

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRecordBoot: a record keeps its boot and boot start, sealed: editing either is
// ErrTampered; out-of-range values are ErrCorrupt.
func TestRecordBoot(t *testing.T) {
	t.Parallel()
	key := SealKey(testProduct, testFP)
	start := time.Unix(1_790_000_000, 0)
	r := Record{Token: "a.b.c", Key: testKey, LastSeen: testNow, Boot: "3f1c2d4e-0000-4000-8000-123456789abc", BootStart: start}
	enc := Encode(r, key, 9)
	got, err := Decode(enc, key)
	if err != nil || got.Record.Boot != r.Boot || !got.Record.BootStart.Equal(start) {
		t.Fatalf("round trip: %+v, %v", got.Record, err)
	}
	for name, edited := range map[string]string{
		"boot start moved": strings.Replace(enc, `"bootStart":1790000000`, `"bootStart":1789990000`, 1),
		"boot changed":     strings.Replace(enc, `3f1c2d4e`, `3f1c2d4f`, 1),
		"boot removed":     strings.Replace(enc, `,"boot":"3f1c2d4e-0000-4000-8000-123456789abc","bootStart":1790000000`, ``, 1),
	} {
		if edited == enc {
			t.Fatalf("%s: could not edit", name)
		}
		if _, err := Decode(edited, key); !errors.Is(err, ErrTampered) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, bad := range map[string]string{
		"negative start":   strings.Replace(enc, `"bootStart":1790000000`, `"bootStart":-5`, 1),
		"boot id too long": strings.Replace(enc, `3f1c2d4e-0000-4000-8000-123456789abc`, strings.Repeat("x", MaxBootID+1), 1),
	} {
		if _, err := Decode(bad, key); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestBootSetBack(t *testing.T) {
	t.Parallel()
	start := time.Unix(1_790_000_000, 0)
	rec := Record{Boot: "b1", BootStart: start}
	for _, c := range []struct {
		id    string
		start time.Time
		want  time.Duration
	}{
		{"b1", start, 0},
		{"b1", start.Add(time.Hour), 0},                        // the clock set forward (or synced forward)
		{"b1", start.Add(-BootJitter), 0},                      // the time sync's steps
		{"b1", start.Add(-61 * time.Minute), 61 * time.Minute}, // set back an hour and a minute
		{"b1", start.Add(-30 * 24 * time.Hour), 30 * 24 * time.Hour},
		{"b2", start.Add(-30 * 24 * time.Hour), 0}, // another boot: the witnesses' business
		{"", start.Add(-time.Hour), 0},
	} {
		if got := BootSetBack(rec, c.id, c.start); got != c.want {
			t.Errorf("%s %v: %v, want %v", c.id, c.start.Sub(start), got, c.want)
		}
	}
	if BootSetBack(Record{}, "b1", start) != 0 {
		t.Error("a record without a boot")
	}
}
