package transport

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ActivationToken returns the activationToken of a success body, {"activationToken": "..."}.
// A body that is not that JSON, holds no token, or holds a string that cannot be a JWT
// (characters outside base64url and '.') wraps ErrBadResponse. The token is not verified here.
func ActivationToken(body []byte) (string, error) {
	// The server's answer is exactly {"activationToken":"<jwt>"}: read that shape without
	// reflection, and anything else through encoding/json.
	const prefix, suffix = `{"activationToken":"`, `"}`
	if t := bytes.TrimSpace(body); bytes.HasPrefix(t, []byte(prefix)) && bytes.HasSuffix(t, []byte(suffix)) &&
		len(t) > len(prefix)+len(suffix) {
		if tok := t[len(prefix) : len(t)-len(suffix)]; isJWTChars(tok) {
			return string(tok), nil
		}
	}
	var wire struct {
		ActivationToken *string `json:"activationToken"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return "", fmt.Errorf("%w: body is not the expected JSON", ErrBadResponse)
	}
	if wire.ActivationToken == nil || *wire.ActivationToken == "" {
		return "", fmt.Errorf("%w: no activationToken in the body", ErrBadResponse)
	}
	if !isJWTChars([]byte(*wire.ActivationToken)) {
		return "", fmt.Errorf("%w: activationToken is not a JWT", ErrBadResponse)
	}
	return *wire.ActivationToken, nil
}

// isJWTChars reports whether b holds only base64url characters and dots.
func isJWTChars(b []byte) bool {
	for _, c := range b {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
