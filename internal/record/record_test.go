package record

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

func TestCheckRollback(t *testing.T) {
	t.Parallel()
	seen := testNow
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{seen, false},
		{seen.Add(time.Hour), false},
		{seen.Add(-RollbackTolerance), false},
		{seen.Add(-RollbackTolerance - time.Second), true},
		{seen.Add(-30 * 24 * time.Hour), true},
	} {
		if got := errors.Is(CheckRollback(tc.now, seen), errs.ErrClockRolledBack); got != tc.want {
			t.Errorf("now %v: rolled back %v, want %v", tc.now.Sub(seen), got, tc.want)
		}
	}
	if CheckRollback(testNow, time.Time{}) != nil {
		t.Error("no record must not be a rollback")
	}
}

func TestRecord(t *testing.T) {
	t.Parallel()
	key := SealKey(testProduct, testFP)
	r := Record{Token: "a.b.c", Key: testKey, LastSeen: testNow}
	enc := Encode(r, key, 42)
	got, err := Decode(enc, key)
	if err != nil || got.Stamp != 42 || got.Record == nil || got.Record.Token != r.Token || got.Record.Key != r.Key ||
		!got.Record.LastSeen.Equal(r.LastSeen) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	// Moving the recorded time back by editing it is detected, and the record is still given.
	edited := strings.Replace(enc, strconv.FormatInt(testNow.Unix(), 10), strconv.FormatInt(testNow.Add(-48*time.Hour).Unix(), 10), 1)
	if edited == enc {
		t.Fatal("could not edit")
	}
	if e, err := Decode(edited, key); !errors.Is(err, ErrTampered) || e.Record == nil || e.Record.Token != "a.b.c" {
		t.Errorf("edited time: %v", err)
	}
	// So is a swapped license key.
	if _, err := Decode(strings.Replace(enc, testKey, "OTHER-KEY", 1), key); !errors.Is(err, ErrTampered) {
		t.Errorf("swapped key: %v", err)
	}
	// The stamp is the store's business, outside the seal.
	if _, err := Decode(strings.Replace(enc, `"stamp":42`, `"stamp":43`, 1), key); err != nil {
		t.Errorf("another stamp: %v", err)
	}
	// A record from another machine or product does not unseal.
	if _, err := Decode(enc, SealKey(testProduct, "ffff")); !errors.Is(err, ErrTampered) {
		t.Errorf("other machine: %v", err)
	}
	if _, err := Decode(enc, SealKey("prod-2", testFP)); !errors.Is(err, ErrTampered) {
		t.Errorf("other product: %v", err)
	}
}

func TestLapsed(t *testing.T) {
	t.Parallel()
	key := SealKey(testProduct, testFP)
	enc := EncodeLapsed(Lapsed{ID: "act-1", Key: "ключ"}, key, 5)
	if e, err := Decode(enc, key); err != nil || e.Lapsed == nil || *e.Lapsed != (Lapsed{ID: "act-1", Key: "ключ"}) || e.Stamp != 5 {
		t.Fatalf("round trip: %+v, %v", e, err)
	}
	// Its MAC is the earlier form's: HMAC over "lapsed", the id and the key, length-prefixed.
	if !strings.Contains(enc, `"seal":"`+lapsedSeal(key, "act-1", "ключ")+`"`) {
		t.Errorf("seal: %s", enc)
	}
	// Another machine, or an edited id or key: not this machine's lapsed lease.
	for name, bad := range map[string]struct {
		s   string
		key []byte
	}{
		"other machine": {enc, SealKey(testProduct, "ffff")},
		"edited id":     {strings.Replace(enc, "act-1", "act-2", 1), key},
		"edited key":    {strings.Replace(enc, "ключ", "ключи", 1), key},
	} {
		if _, err := Decode(bad.s, bad.key); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestEnvelopeCorrupt(t *testing.T) {
	t.Parallel()
	key := SealKey(testProduct, testFP)
	enc := Encode(Record{Token: "a.b.c", Key: testKey, LastSeen: testNow}, key, 42)
	rec := `"record":{"token":"a.b.c","key":"k","seen":1}`
	for name, bad := range map[string]string{
		"empty":            "",
		"garbage":          "garbage",
		"old line format":  "tollgate-record-v1:1767225600:c2VhbA:S0VZ:a.b.c",
		"truncated":        enc[:len(enc)-5],
		"data after":       enc + "{}",
		"version 2":        strings.Replace(enc, `"v":1`, `"v":2`, 1),
		"no version":       strings.Replace(enc, `"v":1,`, ``, 1),
		"no stamp":         strings.Replace(enc, `"stamp":42,`, ``, 1),
		"negative stamp":   strings.Replace(enc, `"stamp":42`, `"stamp":-1`, 1),
		"no seen":          strings.Replace(enc, `,"seen":1700000000`, ``, 1),
		"negative seen":    strings.Replace(enc, `"seen":1700000000`, `"seen":-1`, 1),
		"seen past 9999":   strings.Replace(enc, `"seen":1700000000`, `"seen":253402300800`, 1),
		"no token":         strings.Replace(enc, `"token":"a.b.c"`, `"token":""`, 1),
		"no seal":          `{"v":1,"stamp":1,` + rec + `}`,
		"no part":          `{"v":1,"stamp":1,"seal":"x"}`,
		"two parts":        `{"v":1,"stamp":1,` + rec + `,"lapsed":{"id":"a","key":"k"},"seal":"x"}`,
		"tombstone sealed": `{"v":1,"stamp":1,"deleted":true,"seal":"x"}`,
		"duplicate part":   `{"v":1,"stamp":1,` + rec + `,` + rec + `,"seal":"x"}`,
		"duplicate field":  `{"v":1,"stamp":1,"record":{"token":"a.b.c","key":"k","key":"j","seen":1},"seal":"x"}`,
		"unknown field":    strings.Replace(enc, `"v":1,`, `"v":1,"x":1,`, 1),
		"over 1 MiB":       strings.Replace(enc, `"a.b.c"`, `"a.b.`+strings.Repeat("c", MaxSize)+`"`, 1),
	} {
		if _, err := Decode(bad, key); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
		if _, _, ok := Peek(bad); ok {
			t.Errorf("%s: Peek reads it", name)
		}
	}
}

func TestPeek(t *testing.T) {
	t.Parallel()
	key := SealKey(testProduct, testFP)
	if s, d, ok := Peek(Encode(Record{Token: "a.b.c", Key: testKey}, key, 42)); s != 42 || d || !ok {
		t.Errorf("record: %d %v %v", s, d, ok)
	}
	if s, d, ok := Peek(EncodeTombstone(43)); s != 43 || !d || !ok {
		t.Errorf("tombstone: %d %v %v", s, d, ok)
	}
}

// Stamps: a stamp is later than every stamp given or seen, whatever the clock says.
func TestStamps(t *testing.T) {
	t.Parallel()
	var s Stamps
	now := time.Unix(0, 1000)
	if a, b := s.Next(now), s.Next(now); a != 1000 || b != 1001 {
		t.Fatalf("a clock standing still: %d, %d", a, b)
	}
	s.Seen(5000)
	if c := s.Next(now.Add(-time.Microsecond)); c != 5001 {
		t.Fatalf("after a stamp of 5000 was seen, with the clock stepped back: %d", c)
	}
	s.Seen(10)
	if d := s.Next(time.Unix(0, 9000)); d != 9000 {
		t.Fatalf("a clock ahead of every stamp: %d", d)
	}
}
