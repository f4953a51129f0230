package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// always is a caller's CheckRetry that wants every try retried, and counts its calls.
func always(calls *atomic.Int32) CheckRetry {
	return func(context.Context, *http.Response, error) bool {
		calls.Add(1)
		return true
	}
}

func TestReplacedCheckRetryIsUsed(t *testing.T) {
	t.Parallel()
	t.Run("refuses a retry the default would make", func(t *testing.T) {
		t.Parallel()
		srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) { w.WriteHeader(503) })
		var calls atomic.Int32
		c := newClient(t, srv.URL, func(cfg *Config) {
			cfg.Retry.CheckRetry = func(_ context.Context, resp *http.Response, err error) bool {
				calls.Add(1)
				return false
			}
		})
		_, err := c.Do(context.Background(), patch(false))
		var e *APIError
		if !errors.As(err, &e) || e.StatusCode != 503 || n.Load() != 1 || calls.Load() != 1 {
			t.Fatalf("err %v, %d requests, %d calls; want the 503, 1, 1", err, n.Load(), calls.Load())
		}
	})
	t.Run("retries a status the default would not", func(t *testing.T) {
		t.Parallel()
		srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
			if try < 3 {
				w.WriteHeader(409)
				return
			}
			ok(w)
		})
		var calls atomic.Int32
		c := newClient(t, srv.URL, func(cfg *Config) { cfg.Retry.CheckRetry = always(&calls) })
		resp, err := c.Do(context.Background(), patch(false))
		if err != nil || resp.Tries != 3 || n.Load() != 3 || calls.Load() != 2 {
			t.Fatalf("err %v, %d requests, %d calls; want success on the third", err, n.Load(), calls.Load())
		}
		if string(resp.Body) != `{"activationToken":"a.b.c"}` {
			t.Errorf("body %q", resp.Body)
		}
	})
}

func TestReplacedBackoffIsUsed(t *testing.T) {
	t.Parallel()
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) { w.WriteHeader(500) })
	var mu sync.Mutex
	var attempts []int
	c := newClient(t, srv.URL, func(cfg *Config) {
		cfg.Retry = RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 20 * time.Millisecond,
			Backoff: func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
				mu.Lock()
				defer mu.Unlock()
				if minWait != time.Millisecond || maxWait != 20*time.Millisecond || resp == nil || resp.StatusCode != 500 {
					t.Errorf("Backoff(%v, %v, %d, %v)", minWait, maxWait, attempt, resp)
				}
				attempts = append(attempts, attempt)
				return time.Hour // held to MaxWait
			}}
	})
	start := time.Now()
	_, err := c.Do(context.Background(), patch(false))
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("slept %v: a Backoff longer than MaxWait was not held to it", d)
	}
	mu.Lock()
	defer mu.Unlock()
	if err == nil || n.Load() != 3 || len(attempts) != 2 || attempts[0] != 0 || attempts[1] != 1 {
		t.Fatalf("err %v, %d requests, Backoff asked for attempts %v", err, n.Load(), attempts)
	}
}

// TestCheckRetryCannotResendAnAppliedRequest: a CheckRetry that wants everything retried still
// cannot make an Unrepeatable request be sent again once it may have been applied, nor sleep a
// 429's long wait, nor retry a 2xx; it can retry an Unrepeatable request's 429.
func TestCheckRetryCannotResendAnAppliedRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		answer    func(t *testing.T, w http.ResponseWriter, try int)
		wantCount int32
		want      error // nil: success
	}{
		{"503", func(t *testing.T, w http.ResponseWriter, _ int) { w.WriteHeader(503) }, 1, ErrOutcomeUnknown},
		{"400", func(t *testing.T, w http.ResponseWriter, _ int) {
			w.WriteHeader(400)
			io.WriteString(w, `{"code":"X","message":"m"}`)
		}, 1, nil},
		{"reset after the request was read", func(t *testing.T, w http.ResponseWriter, _ int) { hangUp(t, w) }, 1, ErrOutcomeUnknown},
		{"2xx", func(t *testing.T, w http.ResponseWriter, _ int) { ok(w) }, 1, nil},
		{"429 with a long wait", func(t *testing.T, w http.ResponseWriter, _ int) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(429)
		}, 1, ErrRateLimited},
		{"429 with a short wait, then 2xx", func(t *testing.T, w http.ResponseWriter, try int) {
			if try == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(429)
				return
			}
			ok(w)
		}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
				io.Copy(io.Discard, r.Body)
				tc.answer(t, w, try)
			})
			var calls atomic.Int32
			c := newClient(t, srv.URL, func(cfg *Config) { cfg.Retry.CheckRetry = always(&calls) })
			_, err := c.Do(context.Background(), patch(true))
			if n.Load() != tc.wantCount {
				t.Fatalf("server saw %d requests, want %d (err %v)", n.Load(), tc.wantCount, err)
			}
			switch {
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("want %v, got %v", tc.want, err)
			case tc.name == "400" && (err == nil || errors.Is(err, ErrOutcomeUnknown)):
				t.Fatalf("want the 400, got %v", err)
			case tc.name != "400" && tc.want == nil && err != nil:
				t.Fatal(err)
			}
		})
	}
}

func TestCheckRetryCannotOutliveCtx(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	srv, n := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		cancel()
		w.WriteHeader(500)
	})
	var calls atomic.Int32
	c := newClient(t, srv.URL, func(cfg *Config) { cfg.Retry.CheckRetry = always(&calls) })
	_, err := c.Do(ctx, patch(false))
	if n.Load() != 1 || calls.Load() != 0 || err == nil {
		t.Fatalf("err %v, %d requests, %d calls; want 1 request and CheckRetry not asked", err, n.Load(), calls.Load())
	}
}
