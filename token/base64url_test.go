package token

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestDecodeSegmentAlphabet: decodeSegment accepts a byte exactly when it belongs to the
// base64url alphabet, for every byte value at every place of a segment (decodeSegment leaves all
// bytes but CR and LF to the strict decoder; this pins that the two together are the alphabet).
func TestDecodeSegmentAlphabet(t *testing.T) {
	t.Parallel()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	// "QUJDQUI" is "ABCAB", strictly. One byte more, anywhere: an alphabet character makes two
	// full quantums, which decode whatever the character; a byte the decoder skipped would leave
	// "QUJDQUI", which decodes too; any other byte is refused by the decoder itself.
	const base = "QUJDQUI"
	if _, err := decodeSegment(base); err != nil {
		t.Fatal(err)
	}
	for c := 0; c < 256; c++ {
		for at := 0; at <= len(base); at++ {
			s := base[:at] + string([]byte{byte(c)}) + base[at:]
			_, err := decodeSegment(s)
			if in := strings.IndexByte(alphabet, byte(c)) >= 0; in != (err == nil) {
				t.Errorf("byte %#02x at %d: in the alphabet %v, decodeSegment error %v", c, at, in, err)
			}
		}
	}
	if b, err := decodeSegment(base64.RawURLEncoding.EncodeToString([]byte("\xfb\xff"))); err != nil || string(b) != "\xfb\xff" {
		t.Errorf("decodeSegment(-_8) = %q, %v", b, err)
	}
}
