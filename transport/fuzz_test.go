package transport

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// FuzzDecodeAPIError: any error body, however odd, decodes without panic into a bounded,
// printable message that never holds the request's secret.
func FuzzDecodeAPIError(f *testing.F) {
	f.Add(400, []byte(`{"code":"REVOKED_LICENSE","message":"revoked"}`))
	f.Add(502, []byte("<html><body>Bad Gateway</body></html>"))
	f.Add(500, []byte(""))
	f.Add(429, []byte(`{"code":12,"message":null,"reasonPhrase":["x"]}`))
	f.Add(404, []byte(`{"message":"`+strings.Repeat("é\x1b", 2000)+`"}`))
	f.Add(400, []byte(`{"code":"fuzz-key-1234","message":"FUZZ-KEY-1234\u200b","reasonPhrase":"Fuzz-Key-1234"}`))
	f.Add(400, []byte(`{"message":"`+strings.Repeat("x", 508)+`FUZZ-KEY-1234"}`))
	const secret = "FUZZ-KEY-1234"
	r := newRedactor([]string{secret})
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeAPIError(status, http.Header{"X-Echo": {string(body)}}, body, r)
		if all := strings.ToLower(visible(e.Code+e.Message+e.ReasonPhrase+e.Header.Get("X-Echo"), 1<<20)); strings.Contains(all, strings.ToLower(secret)) {
			t.Fatalf("the secret survives: %q", all)
		}
		for _, s := range []string{e.Code, e.Message, e.ReasonPhrase, e.Error()} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8: %q", s)
			}
			for _, r := range s {
				if unicode.IsControl(r) {
					t.Fatalf("control character in %q", s)
				}
			}
		}
		if utf8.RuneCountInString(e.Message) > 513 || utf8.RuneCountInString(e.Code) > 129 {
			t.Fatalf("unbounded: %d runes", utf8.RuneCountInString(e.Message))
		}
		_ = errors.Is(e, ErrRateLimited)
	})
}

// FuzzRetryAfter: any header values give a wait in [0, maxRetryAfter].
func FuzzRetryAfter(f *testing.F) {
	f.Add("120", "")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT", "")
	f.Add("", "1795003200")
	f.Add("-5", "99999999999999999999")
	f.Add("9223372036854775807", "-1")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, retryAfter, reset string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("X-Rate-Limit-Reset", reset)
		d, ok := RetryAfter(h, now)
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("RetryAfter(%q, %q) = %v, %v", retryAfter, reset, d, ok)
		}
	})
}

// FuzzActivationToken: any success body gives a token of JWT characters or ErrBadResponse.
func FuzzActivationToken(f *testing.F) {
	f.Add([]byte(`{"activationToken":"a.b.c"}`))
	f.Add([]byte(`{"activationToken":null}`))
	f.Add([]byte(`{"activationToken":"a b"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := ActivationToken(body)
		if err != nil {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("error %v is not ErrBadResponse", err)
			}
			return
		}
		if tok == "" || strings.ContainsAny(tok, " \"\\\n") {
			t.Fatalf("token %q", tok)
		}
	})
}

func TestRetryAfterForms(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ra, reset string
		want      time.Duration
		ok        bool
	}{
		{"120", "", 2 * time.Minute, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), "", 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), "", 0, true},
		{"-3", "", 0, true},
		{"", "30", 30 * time.Second, true},
		{"", strconv.FormatInt(now.Unix()+60, 10), time.Minute, true},
		{"soon", "", 0, false},
		{"", "", 0, false},
		{"99999999999", "", maxRetryAfter, true},
		{"9223372036854775807", "", maxRetryAfter, true},
		{"9223372036854775808", "", maxRetryAfter, true}, // 2^63: out of int64, saturates
		{"99999999999999999999999999999999", "", maxRetryAfter, true},
		{"-9223372036854775809", "", 0, true},
		{"", "9223372036854775808", maxRetryAfter, true},
		{"", "18446744073709551616", maxRetryAfter, true},
		{"", "-99999999999999999999", 0, true},
		{"9223372036854775808", "30", maxRetryAfter, true}, // Retry-After first, even when huge
		{"1e30", "", 0, false},
	} {
		h := http.Header{}
		if tc.ra != "" {
			h.Set("Retry-After", tc.ra)
		}
		if tc.reset != "" {
			h.Set("X-Rate-Limit-Reset", tc.reset)
		}
		if d, ok := RetryAfter(h, now); d != tc.want || ok != tc.ok {
			t.Errorf("Retry-After %q reset %q: %v %v, want %v %v", tc.ra, tc.reset, d, ok, tc.want, tc.ok)
		}
	}
}

func TestActivationToken(t *testing.T) {
	t.Parallel()
	if tok, err := ActivationToken([]byte(`{"activationToken":"eyJ.eyJ.sig-_"}`)); err != nil || tok != "eyJ.eyJ.sig-_" {
		t.Fatalf("%q %v", tok, err)
	}
	for _, bad := range []string{``, `{}`, `{"activationToken":""}`, `{"activationToken":5}`, `<html>`, `{"activationToken":"a.b.c\n"}`} {
		if _, err := ActivationToken([]byte(bad)); !errors.Is(err, ErrBadResponse) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
