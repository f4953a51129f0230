package licensing

import (
	"strings"
	"testing"
)

// FuzzDecodeLapsed: a lapsed record read back from a store that anyone may have written never
// panics, is refused unless sealed for this machine, and what is sealed reads back as written.
func FuzzDecodeLapsed(f *testing.F) {
	key := []byte("seal-key-of-this-machine-32-byte")
	f.Add("act-1", "KEY-1", encodeLapsed(key, "act-1", "KEY-1"))
	f.Add("é", "ключ", encodeLapsed(key, "é", "ключ"))
	f.Add("", "", lapsedVersion+"::")
	f.Add("a", "b", lapsedVersion+strings.Repeat("A", 9000))
	f.Fuzz(func(t *testing.T, id, licenseKey, stored string) {
		if m, ok, err := decodeLapsed(stored, key); ok && err == nil {
			if encodeLapsed(key, m.id, m.key) != stored {
				t.Fatalf("%q accepted but not as written", stored)
			}
		} else if !ok && strings.HasPrefix(stored, lapsedVersion) {
			t.Fatalf("%q not recognised", stored)
		}
		if id == "" || licenseKey == "" || len(id)+len(licenseKey) > 2048 {
			return
		}
		m, ok, err := decodeLapsed(encodeLapsed(key, id, licenseKey), key)
		if !ok || err != nil || m.id != id || m.key != licenseKey {
			t.Fatalf("round trip of %q, %q: %v %v %v", id, licenseKey, m, ok, err)
		}
		if _, _, err := decodeLapsed(encodeLapsed(key, id, licenseKey), []byte("another machine")); err == nil {
			t.Fatal("a record sealed for another machine was accepted")
		}
	})
}
