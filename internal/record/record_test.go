package record

import (
	"encoding/base64"
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
	enc := Encode(r, key)
	got, err := Decode(enc, key)
	if err != nil || got.Token != r.Token || got.Key != r.Key || !got.LastSeen.Equal(r.LastSeen) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	// Moving the recorded time back by editing it is detected.
	edited := strings.Replace(enc, strconv.FormatInt(testNow.Unix(), 10), strconv.FormatInt(testNow.Add(-48*time.Hour).Unix(), 10), 1)
	if edited == enc {
		t.Fatal("could not edit")
	}
	if r, err := Decode(edited, key); !errors.Is(err, ErrTampered) || r.Token != "a.b.c" {
		t.Errorf("edited time: %v", err)
	}
	// So is a swapped license key.
	parts := strings.SplitN(enc, ":", 5)
	parts[3] = base64.RawURLEncoding.EncodeToString([]byte("OTHER-KEY"))
	if _, err := Decode(strings.Join(parts, ":"), key); !errors.Is(err, ErrTampered) {
		t.Errorf("swapped key: %v", err)
	}
	// A record from another machine or product does not unseal.
	if _, err := Decode(enc, SealKey(testProduct, "ffff")); !errors.Is(err, ErrTampered) {
		t.Errorf("other machine: %v", err)
	}
	if _, err := Decode(enc, SealKey("prod-2", testFP)); !errors.Is(err, ErrTampered) {
		t.Errorf("other product: %v", err)
	}
	for _, bad := range []string{"", "garbage", recordVersion, recordVersion + "1:s:a2V5:", recordVersion + "x:s:a2V5:t",
		recordVersion + "-1:s:a2V5:t", recordVersion + "1:s::t", recordVersion + "1:s:!!:t", enc[:len(enc)-5]} {
		if _, err := Decode(bad, key); !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTampered) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// The record's license-key field is strict base64url: a line break in it is refused.
func TestRecordKeyLineBreak(t *testing.T) {
	key := SealKey(testProduct, testFP)
	rec := Encode(Record{Token: "a.b.c", Key: testKey, LastSeen: testNow}, key)
	i := strings.Index(rec, ":"+base64.RawURLEncoding.EncodeToString([]byte(testKey))+":") + 3
	if _, err := Decode(rec[:i]+"\n"+rec[i:], key); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a line break in the record's key field: %v", err)
	}
}
