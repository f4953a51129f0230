package licensing

import (
	"strings"
	"testing"
)

// FuzzSignInAnswers feeds arbitrary bytes to the readers of the sign-in and allowed answers.
// They must never panic; a token they accept is a usable header value, and a list they accept
// has a key in every license.
func FuzzSignInAnswers(f *testing.F) {
	for _, s := range []string{`{"accessToken":"a.b.c"}`, `{"accessToken":""}`, `{}`, `[{"key":"K","metadata":[{"key":"a","value":"b"}]}]`,
		`[{"key":"K","allowedActivations":-1,"requireAuthentication":false}]`, `{"allowed":true}`, `false`, `null`, "\xff", ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if tok, err := accessToken(body); err == nil {
			if v := tok.Reveal(); v == "" || strings.ContainsAny(v, " \r\n\t") || !visibleASCII(v) {
				t.Fatalf("accepted token %q", v)
			}
		}
		if lics, err := parseUserLicenses(body); err == nil {
			for _, l := range lics {
				if l.Key.IsZero() {
					t.Fatal("accepted a license without a key")
				}
			}
		}
		parseAllowed(body)
		_, _ = parseRelease(body)
	})
}
