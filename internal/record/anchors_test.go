package record

import (
	"errors"
	"strings"
	"testing"
)

// TestAnchorsRoundTrip: a record and a lapsed lease keep their anchors, readable without the
// seal key; one without anchors is written exactly as before they existed; a malformed list
// reads as corrupt.
func TestAnchorsRoundTrip(t *testing.T) {
	t.Parallel()
	key := SealKey(testProduct, testFP)
	anchors := "nic:0123456789abcdef0123456789abcdef,disk:fedcba9876543210fedcba9876543210"
	enc := Encode(Record{Token: "a.b.c", Key: testKey, LastSeen: testNow, Anchors: anchors}, key, 7)
	e, err := Decode(enc, key)
	if err != nil || e.Record == nil || e.Record.Anchors != anchors {
		t.Fatalf("round trip: %+v, %v", e.Record, err)
	}
	if got, ok := AnchorsOf(enc); !ok || strings.Join(got, ",") != anchors {
		t.Fatalf("AnchorsOf: %v, %v", got, ok)
	}
	lapsed := EncodeLapsed(Lapsed{ID: "act-1", Key: testKey, Anchors: anchors}, key, 8)
	if got, ok := AnchorsOf(lapsed); !ok || len(got) != 2 {
		t.Fatalf("AnchorsOf(lapsed): %v, %v", got, ok)
	}
	if e, err := Decode(lapsed, key); err != nil || e.Lapsed.Anchors != anchors {
		t.Fatalf("lapsed round trip: %+v, %v", e.Lapsed, err)
	}
	plain := Encode(Record{Token: "a.b.c", Key: testKey, LastSeen: testNow}, key, 7)
	if strings.Contains(plain, "anchors") {
		t.Fatalf("a record without anchors names them: %s", plain)
	}
	if got, ok := AnchorsOf(plain); !ok || got != nil {
		t.Fatalf("AnchorsOf(no anchors): %v, %v", got, ok)
	}
	if _, ok := AnchorsOf(EncodeTombstone(9)); ok {
		t.Fatal("a tombstone has anchors")
	}
	for _, bad := range []string{",", "nic:1,,disk:2", strings.Repeat("x", 65), strings.Repeat("a,", 64) + "a"} {
		v := strings.Replace(enc, anchors, bad, 1)
		if _, err := Decode(v, key); !errors.Is(err, ErrCorrupt) {
			t.Errorf("anchors %.20q: %v, want ErrCorrupt", bad, err)
		}
		if _, ok := AnchorsOf(v); ok {
			t.Errorf("AnchorsOf read anchors %.20q", bad)
		}
	}
}
