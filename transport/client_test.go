package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fastPolicy keeps test waits short.
var fastPolicy = RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond}

// server starts an httptest server whose handler sees the try number (1-based) and counts
// requests. Its writes are bounded (WriteTimeout): a handler writing a body larger than the
// client reads must not block Close for good when the client goes away. Under Wine 8.0 a send
// pending when the peer closed was seen never to fail: TestBodies' 20 MiB success body hung 2
// runs in 10 and timed CI out; bounded, those runs end after the timeout and pass.
func server(t *testing.T, h func(w http.ResponseWriter, r *http.Request, try int)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, int(n.Add(1)))
	}))
	srv.Config.WriteTimeout = 5 * time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &n
}

func newClient(t *testing.T, base string, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: base, Retry: fastPolicy}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func patch(unrepeatable bool) Request {
	return Request{Method: http.MethodPatch, Path: "/v3/activations/act-1", Body: []byte(`{"key":"SECRET-KEY"}`), Unrepeatable: unrepeatable}
}

func ok(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"activationToken":"a.b.c"}`)
}

// hangUp closes the connection without an answer, as a crashed server or a reset would.
func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST rather than FIN
	}
	conn.Close()
}

func TestRetriesThenSucceeds(t *testing.T) {
	t.Parallel()
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		if try == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		ok(w)
	})
	resp, err := newClient(t, srv.URL).Do(context.Background(), patch(false))
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 || resp.Tries != 2 || string(resp.Body) != `{"activationToken":"a.b.c"}` {
		t.Fatalf("server saw %d, tries %d, body %q", n.Load(), resp.Tries, resp.Body)
	}
}

func TestUnrepeatable5xxIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	_, err := newClient(t, srv.URL).Do(context.Background(), patch(true))
	var apiErr *APIError
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("want ErrOutcomeUnknown wrapping a 503, got %v", err)
	}
	if n.Load() != 1 {
		t.Fatalf("server saw %d requests, want 1", n.Load())
	}
}

func TestRetriesRunOutReturnLastAnswer(t *testing.T) {
	t.Parallel()
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	})
	_, err := newClient(t, srv.URL).Do(context.Background(), patch(false))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || apiErr.Message != "Bad Gateway" || apiErr.Code != "" {
		t.Fatalf("want the last 502 as *APIError, got %#v", err)
	}
	if n.Load() != 3 {
		t.Fatalf("server saw %d requests, want 3", n.Load())
	}
	if strings.Contains(err.Error(), "giving up") {
		t.Errorf("bare retryablehttp error: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name         string
		header       map[string]string
		unrepeatable bool
		policy       RetryPolicy
		wantCount    int32
		wantLimited  time.Duration // 0 = retried and succeeded
	}{
		{"seconds", map[string]string{"Retry-After": "1"}, false, RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Second}, 2, 0},
		{"http-date", map[string]string{"Retry-After": now.Add(50 * time.Millisecond).Format(http.TimeFormat)}, false, fastPolicy, 2, 0},
		{"with increments", map[string]string{"Retry-After": "0"}, true, fastPolicy, 2, 0},
		{"reset header", map[string]string{"X-Rate-Limit-Reset": "0"}, true, fastPolicy, 2, 0},
		{"too long, seconds", map[string]string{"Retry-After": "3600"}, false, fastPolicy, 1, time.Hour},
		{"too long, date", map[string]string{"Retry-After": now.Add(2 * time.Minute).Format(http.TimeFormat)}, true, fastPolicy, 1, 2 * time.Minute},
		{"too long, reset epoch", map[string]string{"X-Rate-Limit-Reset": strconv.FormatInt(now.Unix()+90, 10)}, false, fastPolicy, 1, 90 * time.Second},
		{"overflow, seconds", map[string]string{"Retry-After": "9223372036854775808"}, false, fastPolicy, 1, maxRetryAfter},
		{"overflow, reset", map[string]string{"X-Rate-Limit-Reset": "99999999999999999999"}, true, fastPolicy, 1, maxRetryAfter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
				if try == 1 {
					for k, v := range tc.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(http.StatusTooManyRequests)
					io.WriteString(w, `{"code":"TOO_MANY_REQUESTS","message":"slow down"}`)
					return
				}
				ok(w)
			})
			c := newClient(t, srv.URL, func(cfg *Config) {
				cfg.Retry = tc.policy
				cfg.Now = func() time.Time { return now }
			})
			start := time.Now()
			_, err := c.Do(context.Background(), patch(tc.unrepeatable))
			if n.Load() != tc.wantCount {
				t.Errorf("server saw %d requests, want %d", n.Load(), tc.wantCount)
			}
			if tc.wantLimited == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var rl *RateLimitError
			var apiErr *APIError
			if !errors.As(err, &rl) || !errors.Is(err, ErrRateLimited) || !errors.As(err, &apiErr) {
				t.Fatalf("want *RateLimitError, got %v", err)
			}
			if rl.RetryAfter != tc.wantLimited {
				t.Errorf("RetryAfter = %v, want %v", rl.RetryAfter, tc.wantLimited)
			}
			if apiErr.Message != "slow down" {
				t.Errorf("message %q", apiErr.Message)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("slept %v before reporting a long rate limit", d)
			}
		})
	}
}

func TestResetAfterApply(t *testing.T) {
	t.Parallel()
	for _, unrepeatable := range []bool{false, true} {
		var applied atomic.Int32
		srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
			io.Copy(io.Discard, r.Body)
			applied.Add(1)
			if try == 1 {
				hangUp(t, w)
				return
			}
			ok(w)
		})
		_, err := newClient(t, srv.URL).Do(context.Background(), patch(unrepeatable))
		if unrepeatable {
			if !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("with increments: want ErrOutcomeUnknown, got %v", err)
			}
			if n.Load() != 1 || applied.Load() != 1 {
				t.Fatalf("with increments: server saw %d, applied %d; want 1, 1", n.Load(), applied.Load())
			}
		} else {
			if err != nil {
				t.Fatalf("without increments: %v", err)
			}
			if n.Load() != 2 {
				t.Fatalf("without increments: server saw %d, want 2", n.Load())
			}
		}
	}
}

func TestConnectionRefusedIsRetriedEvenWithIncrements(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newClient(t, "http://"+addr)
	_, err = c.Do(context.Background(), patch(true))
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("a request that never left is not of unknown outcome: %v", err)
	}
	if !strings.Contains(err.Error(), "after 3 tries") {
		t.Errorf("want 3 tries: %v", err)
	}
}

func TestSlowServerHonoursDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	for _, unrepeatable := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		_, err := newClient(t, srv.URL).Do(ctx, patch(unrepeatable))
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want DeadlineExceeded in the chain, got %v", err)
		}
		if unrepeatable != errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("unrepeatable=%v but outcome-unknown=%v", unrepeatable, errors.Is(err, ErrOutcomeUnknown))
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("returned after %v", d)
		}
	}
	if n.Load() != 2 {
		t.Errorf("server saw %d requests, want 1 per call", n.Load())
	}
}

func TestCancelDuringWait(t *testing.T) {
	t.Parallel()
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The ctx ends once the 429 has been read and the retry decided, so that the wait, and
	// nothing before it, is what the cancellation cuts short, however slow the machine.
	c := newClient(t, srv.URL, func(cfg *Config) {
		cfg.Retry.MaxWait = 2 * time.Minute
		cfg.Retry.CheckRetry = func(ctx context.Context, resp *http.Response, err error) bool {
			defer cancel()
			return DefaultCheckRetry(ctx, resp, err)
		}
	})
	start := time.Now()
	_, err := c.Do(ctx, patch(true))
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("want a plain cancellation (the 429 was not applied), got %v", err)
	}
	if waited := time.Since(start); waited > 30*time.Second || n.Load() != 1 {
		t.Fatalf("waited %v of the 60 s Retry-After; server saw %d", waited, n.Load())
	}
}

func TestBodies(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), 20<<20)
	for _, tc := range []struct {
		name      string
		status    int
		body      []byte
		wantCount int32
		check     func(t *testing.T, resp *Response, err error)
	}{
		{"empty 500", 500, nil, 3, func(t *testing.T, _ *Response, err error) {
			var e *APIError
			if !errors.As(err, &e) || e.StatusCode != 500 || e.Message != "Internal Server Error" {
				t.Fatalf("%v", err)
			}
		}},
		{"20 MiB error body", 400, big, 1, func(t *testing.T, _ *Response, err error) {
			var e *StatusError
			if !errors.As(err, &e) || e.StatusCode != 400 || len(err.Error()) > 600 {
				t.Fatalf("%v", err)
			}
		}},
		{"20 MiB error body, 500", 500, big, 3, func(t *testing.T, _ *Response, err error) {
			var e *APIError
			if !errors.As(err, &e) || e.StatusCode != 500 || len(e.Message) > 600 {
				t.Fatalf("%v", err)
			}
		}},
		{"20 MiB success body", 200, big, 1, func(t *testing.T, _ *Response, err error) {
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("want ErrBadResponse, got %v", err)
			}
		}},
		{"JSON error", 400, []byte(`{"code":"REVOKED_LICENSE","message":"The license has been revoked.\u001b[31m","reasonPhrase":"Bad Request"}`), 1,
			func(t *testing.T, _ *Response, err error) {
				var e *APIError
				if !errors.As(err, &e) || e.Code != "REVOKED_LICENSE" || e.Message != "The license has been revoked.[31m" || e.ReasonPhrase != "Bad Request" {
					t.Fatalf("%#v", err)
				}
				if errors.Is(err, ErrRateLimited) || errors.Is(err, ErrBadResponse) {
					t.Fatal("a 400 matches a transport category")
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
				w.WriteHeader(tc.status)
				w.Write(tc.body)
			})
			resp, err := newClient(t, srv.URL).Do(context.Background(), patch(false))
			tc.check(t, resp, err)
			if n.Load() != tc.wantCount {
				t.Errorf("server saw %d, want %d", n.Load(), tc.wantCount)
			}
		})
	}
}

func TestTruncatedSuccessBody(t *testing.T) {
	t.Parallel()
	for _, unrepeatable := range []bool{false, true} {
		srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
			if try == 1 {
				w.Header().Set("Content-Length", "100")
				w.WriteHeader(200)
				io.WriteString(w, `{"activ`)
				w.(http.Flusher).Flush()
				hangUp(t, w)
				return
			}
			ok(w)
		})
		resp, err := newClient(t, srv.URL).Do(context.Background(), patch(unrepeatable))
		if unrepeatable {
			if !errors.Is(err, ErrOutcomeUnknown) || n.Load() != 1 {
				t.Fatalf("with increments: %v, server saw %d", err, n.Load())
			}
			continue
		}
		if err != nil || n.Load() != 2 || resp.Tries != 2 {
			t.Fatalf("without increments: %v, server saw %d", err, n.Load())
		}
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	other, otherN := server(t, func(w http.ResponseWriter, r *http.Request, try int) { ok(w) })
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	caller := &http.Client{}
	c := newClient(t, srv.URL, func(cfg *Config) { cfg.HTTPClient = caller })
	_, err := c.Do(context.Background(), patch(false))
	if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("want a redirect error, got %v", err)
	}
	if n.Load() != 1 || otherN.Load() != 0 {
		t.Fatalf("server saw %d, the other host %d", n.Load(), otherN.Load())
	}
	if caller.CheckRedirect != nil || caller.Timeout != 0 {
		t.Fatal("the caller's client was modified")
	}
}

func TestRequestShape(t *testing.T) {
	t.Parallel()
	var got *http.Request
	var body []byte
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		got = r
		body, _ = io.ReadAll(r.Body)
		ok(w)
	})
	c := newClient(t, srv.URL+"/prefix/")
	if _, err := c.Do(context.Background(), Request{Method: "PATCH", Path: "/v3/activations/a%2Fb%3Fc", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if got.URL.EscapedPath() != "/prefix/v3/activations/a%2Fb%3Fc" || got.URL.RawQuery != "" {
		t.Errorf("path %q query %q", got.URL.EscapedPath(), got.URL.RawQuery)
	}
	ua := "tollgate-go/" + Version + " (" + runtime.GOOS + "; " + runtime.GOARCH + ") " + runtime.Version()
	if got.Header.Get("User-Agent") != ua || got.Header.Get("Content-Type") != "application/json" || got.Method != "PATCH" {
		t.Errorf("headers %v", got.Header)
	}
	if got.Header.Get("Authorization") != "" {
		t.Error("activation calls carry no Authorization header")
	}
	if string(body) != "{}" {
		t.Errorf("body %q", body)
	}
}

func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		if try == 1 {
			w.WriteHeader(503)
			return
		}
		ok(w)
	})
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, srv.URL, func(cfg *Config) { cfg.Logger = logger })
	if _, err := c.Do(context.Background(), patch(false)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "level=DEBUG") != 2 || strings.Count(out, "level=WARN") != 1 {
		t.Errorf("want a debug line per try and a warn per retry:\n%s", out)
	}
	for _, secret := range []string{"SECRET-KEY", "a.b.c", "activationToken"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	for s, good := range map[string]bool{
		"https://api.cryptlex.com": true, "https://h/prefix/": true, "http://127.0.0.1:1": true,
		"http://127.8.9.10": true, "http://[::1]:80": true, "http://LOCALHOST": true,
		"http://10.0.0.1": false, "http://example.com": false, "https://user:pw@h": false,
		"https://h/?q": false, "https://h/#f": false, "ftp://h": false, "https://": false, "::": false,
	} {
		if _, err := ParseBaseURL(s); (err == nil) != good {
			t.Errorf("ParseBaseURL(%q): %v, want ok=%v", s, err, good)
		}
	}
}

func TestPolicyDefaultsAndBackoff(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{}.withDefaults()
	if p.MaxRetries != DefaultMaxRetries || p.MinWait != DefaultMinWait || p.MaxWait != DefaultMaxWait {
		t.Fatalf("defaults %+v", p)
	}
	if (RetryPolicy{MaxRetries: NoRetries}).withDefaults().MaxRetries != 0 {
		t.Error("NoRetries")
	}
	for attempt := 0; attempt < 100; attempt++ {
		d := DefaultBackoff(p.MinWait, p.MaxWait, attempt, nil)
		if d < p.MinWait || d > p.MaxWait {
			t.Fatalf("backoff(%d) = %v outside [%v, %v]", attempt, d, p.MinWait, p.MaxWait)
		}
	}
	seen := map[time.Duration]bool{}
	for i := 0; i < 50; i++ {
		seen[DefaultBackoff(p.MinWait, p.MaxWait, 3, nil)] = true
	}
	if len(seen) < 2 {
		t.Error("no jitter")
	}
}
