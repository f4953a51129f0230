package record

import (
	"errors"
	"testing"
)

// FuzzDecode: any stored value decodes to an entry or a clear error, never a panic; only a
// value sealed with the key decodes, and what decodes encodes back to an equivalent entry.
func FuzzDecode(f *testing.F) {
	key := SealKey(testProduct, testFP)
	f.Add(Encode(Record{Token: "a.b.c", Key: testKey, LastSeen: testNow}, key, 1))
	f.Add(EncodeLapsed(Lapsed{ID: "act-1", Key: testKey}, key, 2))
	f.Add(EncodeTombstone(3))
	f.Add(`{"v":1,"stamp":1,"record":{"token":"a.b.c","key":"k","seen":1},"record":{"token":"a.b.c","key":"k","seen":2},"seal":"x"}`)
	f.Add(`{"v":2,"stamp":1,"deleted":true}`)
	f.Add(`{"v":1,"stamp":99999999999999999999,"deleted":true}`)
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Decode(s, key)
		stamp, deleted, ok := Peek(s)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTampered) {
				t.Fatalf("error outside the categories: %v", err)
			}
			if errors.Is(err, ErrCorrupt) && ok && (e.Record != nil || e.Lapsed != nil) {
				t.Fatalf("corrupt, yet an entry: %+v", e)
			}
			return
		}
		if !ok || stamp != e.Stamp || deleted != e.Deleted {
			t.Fatalf("Peek = %d %v %v, Decode = %+v", stamp, deleted, ok, e)
		}
		var again string
		switch {
		case e.Record != nil:
			again = Encode(*e.Record, key, e.Stamp)
		case e.Lapsed != nil:
			again = EncodeLapsed(*e.Lapsed, key, e.Stamp)
		default:
			again = EncodeTombstone(e.Stamp)
		}
		if e2, err := Decode(again, key); err != nil || e2.Stamp != e.Stamp {
			t.Fatalf("re-encoding fails: %v", err)
		}
	})
}
