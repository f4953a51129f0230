package token

import "encoding/base64"

var b64 = base64.RawURLEncoding.Strict()

// base64URLAlphabet marks the bytes of the base64url alphabet (RFC 4648 §5).
var base64URLAlphabet = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}
	return t
}()

// isBase64URL reports whether s holds only characters of the base64url alphabet, unpadded. Go's
// decoders skip CR and LF wherever they occur, so without this check a segment holding a
// newline would decode as if the newline were not there.
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		if !base64URLAlphabet[s[i]] {
			return false
		}
	}
	return true
}

// decodeSegment decodes one unpadded base64url segment strictly: only the alphabet, no line
// breaks, no padding, no stray bits.
func decodeSegment(s string) ([]byte, error) {
	if !isBase64URL(s) {
		return nil, base64.CorruptInputError(0)
	}
	return b64.DecodeString(s)
}
