package token

import (
	"encoding/base64"
	"strings"
)

// b64 is RFC 4648 §5's base64url alphabet, unpadded, with strict trailing bits. Its decoder
// refuses every byte outside that alphabet ('=' included) except CR and LF, which Go's decoders
// skip wherever they occur.
var b64 = base64.RawURLEncoding.Strict()

// decodeSegment decodes one unpadded base64url segment strictly: only the alphabet, no line
// breaks, no padding, no stray bits. CR and LF are the only bytes outside the alphabet that
// b64 would let through (it skips them), so refusing them first leaves exactly the alphabet,
// checked in one vectorised search each rather than a lookup per byte.
func decodeSegment(s string) ([]byte, error) {
	if i := max(strings.IndexByte(s, '\r'), strings.IndexByte(s, '\n')); i >= 0 {
		return nil, base64.CorruptInputError(i)
	}
	return b64.DecodeString(s)
}
