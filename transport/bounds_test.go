package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensingtest"
)

// A peer that takes the TCP connection and never completes the TLS handshake (a middlebox, a
// black hole) is tried once: more tries would only multiply the wait. The vendor's client
// gives up after 10 s; the default transport's handshake limit is 5 s.
func TestTLSHandshakeStallIsNotRetried(t *testing.T) {
	t.Parallel()
	if d := DefaultTransport().TLSHandshakeTimeout; d <= 0 || d >= 10*time.Second {
		t.Fatalf("TLS handshake limit %v, want under the vendor client's 10 s", d)
	}
	silent := licensingtest.NewSilent()
	t.Cleanup(silent.Close)
	tr := DefaultTransport()
	tr.TLSHandshakeTimeout = 50 * time.Millisecond
	c := newClient(t, silent.URL, func(cfg *Config) { cfg.HTTPClient = &http.Client{Transport: tr} })
	_, err := c.Do(context.Background(), patch(false))
	if err == nil || silent.Accepted() != 1 {
		t.Fatalf("%d connections, err %v; want one try", silent.Accepted(), err)
	}
}

// MaxElapsed ends a whole call, the try under way included, and is not the caller's ctx.
func TestMaxElapsedBoundsTheCall(t *testing.T) {
	t.Parallel()
	if (RetryPolicy{}).withDefaults().MaxElapsed != DefaultMaxElapsed || DefaultMaxElapsed > 30*time.Second {
		t.Fatalf("default MaxElapsed %v, want at most the vendor client's 30 s", DefaultMaxElapsed)
	}
	if (RetryPolicy{MaxElapsed: -1}).withDefaults().MaxElapsed >= 0 {
		t.Fatal("a negative MaxElapsed must mean no bound")
	}
	for _, unrepeatable := range []bool{false, true} {
		srv, n := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { io.Copy(io.Discard, r.Body); <-r.Context().Done() })
		c := newClient(t, srv.URL, func(cfg *Config) { cfg.Retry.MaxElapsed = 100 * time.Millisecond })
		_, err := c.Do(context.Background(), patch(unrepeatable))
		switch {
		case err == nil || n.Load() != 1:
			t.Fatalf("%d requests, err %v", n.Load(), err)
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			t.Errorf("reads as the caller's ctx: %v", err)
		case errors.Is(err, ErrOutcomeUnknown) != unrepeatable:
			t.Errorf("unrepeatable=%v: %v", unrepeatable, err)
		}
	}
	// The caller's own deadline is still the caller's.
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, _ int) { io.Copy(io.Discard, r.Body); <-r.Context().Done() })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := newClient(t, srv.URL).Do(ctx, patch(false)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("caller's deadline: %v", err)
	}
}
