package redact_test

import (
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// BenchmarkReplace64K: a 64 KiB text of base64 digits (every reading of it decodes), a key and a
// 1,200-character token to find: the worst a bounded error body costs.
func BenchmarkReplace64K(b *testing.B) {
	m := redact.NewMatcher([]string{"Canary-KEY-5e1f7a9b-Tollgate", strings.Repeat("eyJhbGciOiJSUzI1NiJ9", 60)})
	text := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF+/ ", 64<<10/45)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		m.Replace(text, "[redacted]")
	}
}

// BenchmarkReplaceHeader: one ordinary header value, as every response pays.
func BenchmarkReplaceHeader(b *testing.B) {
	m := redact.NewMatcher([]string{"Canary-KEY-5e1f7a9b-Tollgate"})
	for b.Loop() {
		m.Replace("application/json; charset=utf-8", "[redacted]")
	}
}

// BenchmarkNewMatcher: a request's matcher, for a key and a 1,200-character token.
func BenchmarkNewMatcher(b *testing.B) {
	secrets := []string{"Canary-KEY-5e1f7a9b-Tollgate", strings.Repeat("eyJhbGciOiJSUzI1NiJ9", 60)}
	for b.Loop() {
		redact.NewMatcher(secrets)
	}
}
