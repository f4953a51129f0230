package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestMaxAgeRefusesOldReplays: with MaxAge set, a genuinely signed event older than MaxAge (a
// replay), one dated too far ahead, and one without a readable triggeredAt are refused with 400
// and never reach fn; a fresh one is delivered. MaxAge 0 is DefaultMaxAge (an hour); only a
// negative MaxAge lets all through.
func TestMaxAgeRefusesOldReplays(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	body := func(at string) []byte {
		return []byte(`{"event":"activation.updated","data":null,"triggeredAt":` + at + `}`)
	}
	cases := []struct {
		name string
		body []byte
		ok   bool
	}{
		{"fresh", body(`"2026-05-01T11:59:00Z"`), true},
		{"just within the age", body(`"2026-05-01T11:00:01+00:00"`), true},
		{"slightly ahead (clock skew)", body(`"2026-05-01T12:04:00Z"`), true},
		{"replay a day old", body(`"2026-04-30T12:00:00Z"`), false},
		{"replay a year old, other zone", body(`"2025-05-01T14:00:00+02:00"`), false},
		{"dated an hour ahead", body(`"2026-05-01T13:00:00Z"`), false},
		{"no triggeredAt", []byte(`{"event":"activation.updated"}`), false},
		{"triggeredAt not a time", body(`"yesterday"`), false},
		{"triggeredAt a number", body(`1777636800`), false},
	}
	for _, c := range cases {
		for _, maxAge := range []time.Duration{0, time.Hour, -1} {
			called := false
			h := HandlerWithOptions(secret, Options{MaxAge: maxAge, Now: func() time.Time { return now }},
				func(context.Context, *Event) error { called = true; return nil })
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(c.body)))
			req.Header.Set(SignatureHeader, Sign(c.body, secret))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			want := c.ok || maxAge < 0
			if called != want || (rec.Code == http.StatusNoContent) != want || !want && rec.Code != http.StatusBadRequest {
				t.Errorf("%s, MaxAge %v: status %d, delivered %v; want delivered %v", c.name, maxAge, rec.Code, called, want)
			}
		}
		e, err := Parse(c.body)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckAge(e, time.Hour, now); (err == nil) != c.ok || err != nil && !errors.Is(err, ErrEventTooOld) {
			t.Errorf("%s: CheckAge = %v", c.name, err)
		}
	}
}

// TestMaxAgeAfterSignature: an old event with a bad signature is still a 401, not a 400: the
// time is read only from a body whose signature holds.
func TestMaxAgeAfterSignature(t *testing.T) {
	t.Parallel()
	b := []byte(`{"event":"activation.updated","triggeredAt":"2000-01-01T00:00:00Z"}`)
	h := HandlerWithOptions(secret, Options{MaxAge: time.Minute}, func(context.Context, *Event) error { return nil })
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(b)))
	req.Header.Set(SignatureHeader, Sign(b, "wrong"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d", rec.Code)
	}
}
