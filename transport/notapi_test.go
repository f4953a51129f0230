package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

// The class: a 4xx status is the API's verdict only when its body is the API's JSON error.
// Every other body (a proxy's or captive portal's HTML, nothing, another service's JSON, the
// API's members with the wrong types) makes it a *StatusError, which holds no *APIError, so no
// caller can read "activation not found" or "refused" into it.
func TestStatusIsTheAPIsOnlyWithItsBody(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	const apiBody = `{"code":"ACTIVATION_NOT_FOUND","message":"The activation does not exist."}`
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		api         bool
	}{
		{"nginx 404 page", 404, "text/html", "<html><head><title>404 Not Found</title></head><body>nginx</body></html>", false},
		{"captive portal 403", 403, "text/html; charset=utf-8", "<!doctype html><form action=/login>", false},
		{"empty 404", 404, "", "", false},
		{"empty 400", 400, "application/json", "", false},
		{"gateway JSON without a code", 404, "application/json", `{"message":"Not Found"}`, false},
		{"framework JSON", 400, "application/json", `{"timestamp":"2026-12-07T02:00:00Z","status":400,"error":"Bad Request","path":"/v3/activations"}`, false},
		{"empty code", 404, "application/json", `{"code":"","message":"x"}`, false},
		{"numeric code", 409, "application/json", `{"code":409,"message":"conflict"}`, false},
		{"code without a message", 404, "application/json", `{"code":"NOT_FOUND"}`, false},
		{"JSON array", 400, "application/json", `[{"code":"X","message":"m"}]`, false},
		{"JSON null", 404, "application/json", `null`, false},
		{"plain text 409", 409, "text/plain", "conflict", false},
		{"truncated API body", 404, "application/json", apiBody[:30], false},
		{"API 404", 404, "application/json", apiBody, true},
		{"API 404, no Content-Type", 404, "", apiBody, true},
		{"API 409 with reasonPhrase", 409, "application/json", `{"code":"DEACTIVATION_LIMIT_REACHED","message":"m","reasonPhrase":"Conflict"}`, true},
		{"API 400, empty message", 400, "application/json", `{"code":"REVOKED_LICENSE","message":""}`, true},
		{"API 401", 401, "application/json", `{"code":"AUTHENTICATION_FAILED","message":"m"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := answer(tc.status, map[string]string{"Content-Type": tc.contentType}, tc.body)
			err := CheckResponse(resp, nil, 5*time.Second, now)
			var apiErr *APIError
			var notAPI *StatusError
			switch {
			case tc.api && (!errors.As(err, &apiErr) || apiErr.StatusCode != tc.status || errors.Is(err, ErrBadResponse)):
				t.Fatalf("want the API's verdict %d, got %v", tc.status, err)
			case !tc.api && (errors.As(err, &apiErr) || !errors.As(err, &notAPI) || !errors.Is(err, ErrBadResponse)):
				t.Fatalf("want a *StatusError and no *APIError, got %#v", err)
			case !tc.api && (notAPI.StatusCode != tc.status || notAPI.ContentType != tc.contentType):
				t.Fatalf("status %d content type %q", notAPI.StatusCode, notAPI.ContentType)
			}
		})
	}
	// 408, 429 and 5xx mean "later" whatever their body: they stay *APIErrors.
	for _, status := range []int{408, 429, 500, 502, 503, 504} {
		err := CheckResponse(answer(status, nil, "<html>busy</html>"), nil, 5*time.Second, now)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status || errors.Is(err, ErrBadResponse) {
			t.Errorf("%d: %v", status, err)
		}
	}
}

// Through Do: a proxy's 404 page is not retried (a 4xx), and an Unrepeatable request that met
// one is ErrOutcomeUnknown, since whether it reached the API is not known.
func TestDoStatusNotTheAPIs(t *testing.T) {
	t.Parallel()
	for _, unrepeatable := range []bool{false, true} {
		srv, n := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(404)
			io.WriteString(w, "<html>Not Found</html>")
		})
		_, err := newClient(t, srv.URL).Do(context.Background(), patch(unrepeatable))
		var apiErr *APIError
		if errors.As(err, &apiErr) || !errors.Is(err, ErrBadResponse) || n.Load() != 1 ||
			errors.Is(err, ErrOutcomeUnknown) != unrepeatable {
			t.Errorf("unrepeatable=%v: %d requests, %v", unrepeatable, n.Load(), err)
		}
	}
}

// The class: any answer asking, in Retry-After, for a longer wait than the policy allows is
// returned after that one request as a *RateLimitError with the wait, whatever its status; a
// shorter one is waited and retried as the policy says. The API's verdict (a 4xx with its JSON
// error) stays the verdict.
func TestLongRetryAfterOnAnyStatus(t *testing.T) {
	t.Parallel()
	// A fixed clock: an HTTP-date built from the real clock when the table is built lost up to a
	// second to its format and more to the time the parallel subtests waited, and failed the 2 s
	// tolerance under load (seen under -race on 2 shared cores).
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	for _, tc := range []struct {
		name     string
		status   int
		header   map[string]string
		body     string
		requests int32
		wait     time.Duration // 0: no *RateLimitError
		apiErr   bool          // the *RateLimitError carries the answer
	}{
		{"503, an hour", 503, map[string]string{"Retry-After": "3600"}, "", 1, time.Hour, true},
		{"502, an HTTP-date a day ahead", 502, map[string]string{"Retry-After": date(24 * time.Hour)}, "<html>", 1, 24 * time.Hour, true},
		{"500, 120 s, JSON", 500, map[string]string{"Retry-After": "120"}, `{"code":"INTERNAL","message":"m"}`, 1, 2 * time.Minute, true},
		{"408, a minute", 408, map[string]string{"Retry-After": "60"}, "", 1, time.Minute, true},
		{"proxy 404 page, an hour", 404, map[string]string{"Retry-After": "3600"}, "<html>", 1, time.Hour, false},
		{"429, X-Rate-Limit-Reset only", 429, map[string]string{"X-Rate-Limit-Reset": "90"}, "", 1, 90 * time.Second, true},
		{"503, no Retry-After", 503, nil, "", 3, 0, false},
		{"503, short Retry-After", 503, map[string]string{"Retry-After": "0"}, "", 3, 0, false},
		{"503, X-Rate-Limit-Reset only (no wait on a 5xx)", 503, map[string]string{"X-Rate-Limit-Reset": "3600"}, "", 3, 0, false},
		{"503, unparsable Retry-After", 503, map[string]string{"Retry-After": "soon"}, "", 3, 0, false},
		{"API verdict with Retry-After", 400, map[string]string{"Retry-After": "3600"}, `{"code":"REVOKED_LICENSE","message":"m"}`, 1, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			_, err := newClient(t, srv.URL, func(cfg *Config) { cfg.Now = func() time.Time { return now } }).Do(context.Background(), patch(false))
			if n.Load() != tc.requests {
				t.Errorf("server saw %d requests, want %d", n.Load(), tc.requests)
			}
			var rl *RateLimitError
			got := errors.As(err, &rl)
			switch {
			case tc.wait == 0 && got:
				t.Fatalf("unexpected wait %v: %v", rl.RetryAfter, err)
			case tc.wait == 0:
				return
			case !got || !errors.Is(err, ErrRateLimited):
				t.Fatalf("want a *RateLimitError, got %v", err)
			case rl.RetryAfter < tc.wait-2*time.Second || rl.RetryAfter > tc.wait:
				t.Fatalf("wait %v, want %v", rl.RetryAfter, tc.wait)
			case (rl.Err != nil) != tc.apiErr:
				t.Fatalf("answer kept: %v, want %v", rl.Err, tc.apiErr)
			case rl.Err != nil && rl.Err.StatusCode != tc.status:
				t.Fatalf("answer %d", rl.Err.StatusCode)
			}
		})
	}
}
