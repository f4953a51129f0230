package record

import (
	"errors"
	"testing"
)

// FuzzDecodeRecord: any stored value decodes to a record or a clear error, never a panic, and
// only a value sealed with the key decodes.
func FuzzDecodeRecord(f *testing.F) {
	key := SealKey(testProduct, testFP)
	good := Encode(Record{Token: "a.b.c", Key: testKey, LastSeen: testNow}, key)
	f.Add(good)
	f.Add(recordVersion + "1:x:a2V5:a.b.c")
	f.Add(recordVersion + "99999999999999999999:x:a2V5:t")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Decode(s, key)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTampered) {
				t.Fatalf("error outside the categories: %v", err)
			}
			return
		}
		if Encode(r, key) != s && s != good {
			// A different encoding of the same sealed fields is fine; a different seal is not.
			if _, err := Decode(Encode(r, key), key); err != nil {
				t.Fatalf("re-encoding fails: %v", err)
			}
		}
	})
}
