package licensing

import (
	"errors"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/record"
)

// TestLapsedRecordLineBreak: a line break inside a base64url field of a lapsed record makes it
// corrupt, as in the token and the token record, rather than being skipped by the decoder.
func TestLapsedRecordLineBreak(t *testing.T) {
	t.Parallel()
	key := record.SealKey(testProduct, testMachine().Fingerprint)
	s := encodeLapsed(key, "act-1", "LICENSE-KEY-1")
	if _, ok, err := decodeLapsed(s, key); !ok || err != nil {
		t.Fatalf("intact record: %v %v", ok, err)
	}
	i := len(lapsedVersion) + 2
	for _, lb := range []string{"\n", "\r", "\r\n"} {
		bad := s[:i] + lb + s[i:]
		if _, ok, err := decodeLapsed(bad, key); !ok || !errors.Is(err, record.ErrCorrupt) {
			t.Errorf("%q inside a field: ok %v, err %v", lb, ok, err)
		}
		last := strings.LastIndexByte(s, ':') + 3
		bad = s[:last] + lb + s[last:]
		if _, ok, err := decodeLapsed(bad, key); !ok || !errors.Is(err, record.ErrCorrupt) {
			t.Errorf("%q inside the seal: ok %v, err %v", lb, ok, err)
		}
	}
}
