package redact_test

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/redact"
	"github.com/tollgate-dev/tollgate/internal/redact/redacttest"
)

const placeholder = "[redacted]"

// secrets of each kind a request carries: a license key (the reviewer's shape and a Cryptlex
// one), a password, and an access token (a JWT).
var secrets = map[string]string{
	"license key":          "Canary-KEY-5e1f7a9b-Tollgate",
	"27-character key":     "A1B2C3-D4E5F6-G7H8J9-K0L1M2",
	"password":             "correct horse Battery st@ple!",
	"password, non-ASCII":  "Пароль-секрет-42",
	"access token (a JWT)": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwiZXhwIjoxOTAwMDAwMDAwfQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg",
}

// TestMatcherEverySpelling: every spelling of every kind of secret, inside other text, is
// replaced, and the text around it is kept.
func TestMatcherEverySpelling(t *testing.T) {
	t.Parallel()
	for kind, sec := range secrets {
		m := redact.NewMatcher([]string{sec})
		for _, sp := range redacttest.Spellings(sec) {
			in := "server says: " + sp.Text + " (end)"
			out := m.Replace(in, placeholder)
			if got, ok := redacttest.Leaked(out, []redacttest.Spelling{sp}); ok {
				t.Errorf("%s, %s: %q leaks as %q", kind, sp.Name, in, got.Text)
			}
			if !strings.HasPrefix(out, "server says: ") || !strings.HasSuffix(out, " (end)") || !strings.Contains(out, placeholder) {
				t.Errorf("%s, %s: %q became %q", kind, sp.Name, in, out)
			}
		}
	}
}

// TestMatcherSeveralSecrets: one matcher finds each of several secrets, as a request with a key
// and a password needs.
func TestMatcherSeveralSecrets(t *testing.T) {
	t.Parallel()
	var all []string
	for _, s := range secrets {
		all = append(all, s)
	}
	m := redact.NewMatcher(all)
	for kind, sec := range secrets {
		for _, sp := range redacttest.Spellings(sec) {
			if out := m.Replace(sp.Text, placeholder); out == sp.Text {
				t.Errorf("%s, %s: not found among several secrets", kind, sp.Name)
			}
		}
	}
}

// TestMatcherLeavesOtherTextAlone: text that spells no secret is returned as it is, encoded or
// not; so is a run of fewer than Run characters of one.
func TestMatcherLeavesOtherTextAlone(t *testing.T) {
	t.Parallel()
	key := "A1B2C3-D4E5F6-G7H8J9-K0L1M2"
	m := redact.NewMatcher([]string{key, secrets["access token (a JWT)"]})
	for _, s := range []string{
		"",
		"INVALID_LICENSE_KEY: The license key is invalid.",
		"activation act-7f3e2a not found; request id 0d9c1b2a-44aa-4e1f-9d3b-1f2e3d4c5b6a",
		base64.StdEncoding.EncodeToString([]byte("another key: Z9Y8X7-W6V5U4-T3S2R1-Q0P9O8")),
		hex.EncodeToString([]byte("another key: Z9Y8X7-W6V5U4-T3S2R1-Q0P9O8")),
		"%41%42%43 &#65;&amp;&lt; \\u0041 \\x41 a+b",
		"A1B2C3-D", // 7 letters and digits of the key: below Run
		"Retry-After: 30, X-Rate-Limit-Remaining: 0",
		"ｆｕｌｌ ｗｉｄｔｈ ｔｅｘｔ",
	} {
		if got := m.Replace(s, placeholder); got != s {
			t.Errorf("%q became %q", s, got)
		}
	}
	var none *redact.Matcher
	if none.Replace(key, placeholder) != key || redact.NewMatcher(nil).Replace(key, placeholder) != key ||
		redact.NewMatcher([]string{"!!!!"}).Replace("!!!!", placeholder) != "!!!!" {
		t.Error("no secrets must match nothing")
	}
}

// TestMatcherRunOfEight: any Run letters and digits in a row of a secret are found, at its
// start, middle or end, so a server that echoes part of a key leaks at most Run-1 of them.
func TestMatcherRunOfEight(t *testing.T) {
	t.Parallel()
	key := "A1B2C3-D4E5F6-G7H8J9-K0L1M2"
	alnum := strings.ReplaceAll(key, "-", "")
	m := redact.NewMatcher([]string{key})
	for i := 0; i+redact.Run <= len(alnum); i++ {
		part := alnum[i : i+redact.Run]
		if out := m.Replace("x "+part+" y", placeholder); out != "x "+placeholder+" y" {
			t.Errorf("run %q: %q", part, out)
		}
	}
	// A secret shorter than Run letters and digits is found whole only.
	short := redact.NewMatcher([]string{"ab-12-cd"})
	if short.Replace("AB12CD", placeholder) != placeholder || short.Replace("ab12c", placeholder) != "ab12c" {
		t.Error("short secret")
	}
}

// FuzzMatcher: any text, any secret: no panic, and the secret as is never survives.
func FuzzMatcher(f *testing.F) {
	f.Add("server says Canary-KEY-5e1f7a9b-Tollgate", "Canary-KEY-5e1f7a9b-Tollgate")
	f.Add("%EF%BC%A1&#x41;\\u0041\\x4", "AAAAAAAAA")
	f.Add("\xff\xfe=====", "\xff\xfe\xfd\xfc\xfb")
	f.Fuzz(func(t *testing.T, text, secret string) {
		out := redact.NewMatcher([]string{secret}).Replace(text, placeholder)
		if len([]rune(strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, secret))) >= 1 && strings.Contains(secret, "[") == false && strings.Contains(text, secret) &&
			strings.Contains(out, secret) && strings.Contains(placeholder, secret) == false {
			t.Fatalf("%q survives in %q", secret, out)
		}
	})
}
