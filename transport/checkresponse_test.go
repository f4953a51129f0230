package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// answer is an *http.Response as the client would see it.
func answer(status int, header map[string]string, body string) *http.Response {
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func TestCheckResponse(t *testing.T) {
	t.Parallel()
	const secret = "Check-Key-7e1d-SECRET"
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		resp  *http.Response
		check func(t *testing.T, err error)
	}{
		{"2xx", answer(200, nil, `{"activationToken":"a.b.c"}`), func(t *testing.T, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"JSON error", answer(400, map[string]string{"X-Request-Id": "req-1"},
			`{"code":"REVOKED_LICENSE","message":"key `+strings.ToLower(secret)+` revoked","reasonPhrase":"Bad Request"}`),
			func(t *testing.T, err error) {
				var e *APIError
				if !errors.As(err, &e) || e.StatusCode != 400 || e.Code != "REVOKED_LICENSE" || e.Message != "key "+Redacted+" revoked" ||
					e.ReasonPhrase != "Bad Request" || e.RequestID != "req-1" {
					t.Fatalf("%#v", err)
				}
				if errors.Is(err, ErrRateLimited) || errors.Is(err, ErrBadResponse) {
					t.Error("a 400 matches a category")
				}
			}},
		{"HTML error", answer(502, nil, "<html><body>Bad Gateway</body></html>"), func(t *testing.T, err error) {
			var e *APIError
			if !errors.As(err, &e) || e.StatusCode != 502 || e.Code != "" || e.Message != "Bad Gateway" {
				t.Fatalf("%#v", err)
			}
		}},
		{"empty error", answer(500, nil, ""), func(t *testing.T, err error) {
			var e *APIError
			if !errors.As(err, &e) || e.StatusCode != 500 || e.Message != "Internal Server Error" {
				t.Fatalf("%#v", err)
			}
		}},
		{"no body", &http.Response{StatusCode: 404, Header: http.Header{}}, func(t *testing.T, err error) {
			var e *APIError
			var s *StatusError
			if errors.As(err, &e) || !errors.As(err, &s) || s.StatusCode != 404 || !errors.Is(err, ErrBadResponse) {
				t.Fatalf("%#v", err)
			}
		}},
		{"redirect", answer(302, map[string]string{"Location": "https://elsewhere/"}, ""), func(t *testing.T, err error) {
			var e *APIError
			if !errors.Is(err, ErrBadResponse) || errors.As(err, &e) || !strings.Contains(err.Error(), "redirect") {
				t.Fatalf("%v", err)
			}
		}},
		{"no response", nil, func(t *testing.T, err error) {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("%v", err)
			}
		}},
		{"429, long Retry-After", answer(429, map[string]string{"Retry-After": "3600"}, `{"code":"TOO_MANY","message":"slow down"}`),
			func(t *testing.T, err error) {
				var rl *RateLimitError
				var e *APIError
				if !errors.As(err, &rl) || rl.RetryAfter != time.Hour || !errors.Is(err, ErrRateLimited) ||
					!errors.As(err, &e) || e.Message != "slow down" {
					t.Fatalf("%#v", err)
				}
			}},
		{"429, short Retry-After", answer(429, map[string]string{"Retry-After": "1"}, ""), func(t *testing.T, err error) {
			var rl *RateLimitError
			var e *APIError
			if errors.As(err, &rl) || !errors.As(err, &e) || e.StatusCode != 429 || !errors.Is(err, ErrRateLimited) {
				t.Fatalf("%#v", err)
			}
		}},
		{"429, no Retry-After", answer(429, nil, ""), func(t *testing.T, err error) {
			var rl *RateLimitError
			if errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) {
				t.Fatalf("%#v", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckResponse(tc.resp, []string{secret}, 5*time.Second, now)
			tc.check(t, err)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "transport: ") {
					t.Errorf("text %q does not start with transport:", err)
				}
				if leaks(printed(err), secret) {
					t.Errorf("the secret leaks: %s", printed(err))
				}
			}
		})
	}
}

// TestErrorTextsAreTransports: every error Do returns reads "transport: ..." and holds no secret.
func TestErrorTextsAreTransports(t *testing.T) {
	t.Parallel()
	const secret = "Text-Key-93ab-SECRET"
	type answerFn func(t *testing.T, w http.ResponseWriter)
	for _, tc := range []struct {
		name         string
		unrepeatable bool
		answer       answerFn
		want         error
	}{
		{"API error", false, func(t *testing.T, w http.ResponseWriter) {
			w.WriteHeader(400)
			io.WriteString(w, `{"code":"X","message":"`+secret+`"}`)
		}, nil},
		{"server error, unrepeatable", true, func(t *testing.T, w http.ResponseWriter) {
			w.WriteHeader(503)
			io.WriteString(w, `{"message":"`+secret+`"}`)
		}, ErrOutcomeUnknown},
		{"rate limited", false, func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(429)
		}, ErrRateLimited},
		{"redirect", false, func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(302)
		}, ErrBadResponse},
		{"reset, unrepeatable", true, func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) }, ErrOutcomeUnknown},
		{"reset", false, func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) }, nil},
		{"malformed answer", false, func(t *testing.T, w http.ResponseWriter) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			io.WriteString(conn, "HTTP/1.1 "+secret+"\r\n\r\n")
			conn.Close()
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
				io.Copy(io.Discard, r.Body)
				tc.answer(t, w)
			})
			req := patch(tc.unrepeatable)
			req.Secrets = []string{secret}
			_, err := newClient(t, srv.URL).Do(context.Background(), req)
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("want %v, got %v", tc.want, err)
			}
			if !strings.HasPrefix(err.Error(), "transport: ") {
				t.Errorf("text %q does not start with transport:", err)
			}
			if leaks(printed(err), secret) {
				t.Errorf("the secret leaks: %s", printed(err))
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, "http://127.0.0.1:1").Do(ctx, patch(false))
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "transport: ") {
		t.Errorf("ended ctx: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = newClient(t, "http://"+addr).Do(context.Background(), patch(false))
	if err == nil || !strings.HasPrefix(err.Error(), "transport: ") {
		t.Errorf("refused: %v", err)
	}
}
