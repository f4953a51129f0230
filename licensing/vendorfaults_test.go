package licensing_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/transport"
)

// vendorRow is one row of "How it meets faults" in the project's vendor-client.md: what the
// vendor's own client (LexActivator 3.34.2) does, what tollgate does, and the test that holds
// tollgate to it. Every row starts from a cached, valid activation.
type vendorRow struct {
	fault, vendor, ours string
	run                 func(t *testing.T, e *env)
}

// wantRetryLaterKept checks the outcome every fault row shares when nothing could be done: an
// error that says "retry later" (never "needs a license" nor "unlock the keychain"), and the
// cached license still valid offline.
func wantRetryLaterKept(t *testing.T, e *env, err error) {
	t.Helper()
	if s := licensing.StateOf(err); err == nil || s != licensing.StateRetryLater {
		t.Errorf("state %v (%v), want retry later", s, err)
	}
	if _, verr := e.client.Validate(ctx); verr != nil {
		t.Errorf("the cached license was lost: %v", verr)
	}
}

func vendorRows() []vendorRow {
	return []vendorRow{
		{"5xx", "one request, no retry: \"server error\" at once",
			"a safe request is retried (2 retries, short waits): a passing 503 costs the user nothing; a lasting one is retry later, cache kept; a metered one is not resent (ErrOutcomeUnknown)",
			func(t *testing.T, e *env) {
				e.srv.FailNext(1, 503, "")
				if _, err := e.client.Sync(ctx, licensing.Update{}); err != nil {
					t.Errorf("a passing 503: %v", err)
				}
				before := e.srv.RequestCount()
				e.srv.FailNext(10, 500, "")
				_, err := e.client.Sync(ctx, licensing.Update{})
				if got := e.srv.RequestCount() - before; got != 3 {
					t.Errorf("%d requests for a lasting 500", got)
				}
				wantRetryLaterKept(t, e, err)
				e.srv.ClearFaults()
				e.srv.FailNext(1, 502, "")
				before = e.srv.RequestCount()
				_, err = e.client.Sync(ctx, licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}})
				if !errors.Is(err, licensing.ErrOutcomeUnknown) || e.srv.RequestCount()-before != 1 {
					t.Errorf("metered 502: %v", err)
				}
			}},
		{"429, with or without Retry-After / X-Rate-Limit-Reset", "one request, no retry, the header ignored: \"rate limited\" at once",
			"a short wait is honoured and retried (a 429 was not applied, so even a metered request); a long one is a *RateLimitError with the wait, after one request; cache kept",
			func(t *testing.T, e *env) {
				e.srv.FailNext(1, 429, "0")
				if _, err := e.client.Sync(ctx, licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}}); err != nil {
					t.Errorf("429 Retry-After 0: %v", err)
				}
				e.srv.FailNext(1, 429, "")
				if _, err := e.client.Sync(ctx, licensing.Update{}); err != nil {
					t.Errorf("429 without a header: %v", err)
				}
				before := e.srv.RequestCount()
				e.srv.Inject(licensingtest.Fault{Status: 429, Header: http.Header{"X-Rate-Limit-Reset": {"3600"}}})
				_, err := e.client.Sync(ctx, licensing.Update{})
				var rl *licensing.RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != time.Hour || e.srv.RequestCount()-before != 1 {
					t.Errorf("429 X-Rate-Limit-Reset 3600: %v", err)
				}
				wantRetryLaterKept(t, e, err)
				if got := e.srv.MeterUses(e.key, "m"); got != 1 {
					t.Errorf("meter uses %d, want 1", got)
				}
			}},
		{"a server that accepts the request and never answers", "30 s, then \"network error\"",
			"each try is bounded (10 s), and the whole call by RetryPolicy.MaxElapsed (30 s by default): retry later, cache kept",
			func(t *testing.T, e *env) {
				if transport.DefaultMaxElapsed > 30*time.Second || transport.DefaultAttemptTimeout > 30*time.Second {
					t.Fatalf("defaults %v / %v exceed the vendor's 30 s", transport.DefaultMaxElapsed, transport.DefaultAttemptTimeout)
				}
				c, err := licensing.New(licensing.Config{ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL,
					Store: e.st, Machine: &e.m, Now: e.now.Now, Retry: transport.RetryPolicy{MaxElapsed: 200 * time.Millisecond}})
				if err != nil {
					t.Fatal(err)
				}
				defer c.CloseIdleConnections()
				e.srv.Inject(licensingtest.Fault{Delay: time.Minute, Times: 5})
				before := e.srv.RequestCount()
				_, err = c.Sync(ctx, licensing.Update{})
				if got := e.srv.RequestCount() - before; got != 1 {
					t.Errorf("%d requests", got)
				}
				wantRetryLaterKept(t, e, err)
			}},
		{"no TLS handshake", "10 s, then \"network error\"",
			"the handshake is bounded by 5 s and one that times out is not tried again: retry later, cache kept",
			func(t *testing.T, e *env) {
				if d := transport.DefaultTransport().TLSHandshakeTimeout; d <= 0 || d > 10*time.Second {
					t.Fatalf("TLS handshake limit %v", d)
				}
				silent := licensingtest.NewSilent()
				defer silent.Close()
				tr := transport.DefaultTransport()
				tr.TLSHandshakeTimeout = 50 * time.Millisecond
				c, err := licensing.New(licensing.Config{ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey,
					BaseURL: silent.URL, HTTPClient: &http.Client{Transport: tr},
					Store: e.st, Machine: &e.m, Now: e.now.Now})
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.Sync(ctx, licensing.Update{})
				if silent.Accepted() != 1 {
					t.Errorf("%d connections", silent.Accepted())
				}
				wantRetryLaterKept(t, e, err)
			}},
		{"a 10 MB answer", "read whole (resident memory 51 → 96 MB)",
			"a 2xx body is read to 1 MiB and an error body to 64 KiB, then refused (ErrBadResponse): retry later, cache kept",
			func(t *testing.T, e *env) {
				for _, status := range []int{200, 500} {
					var read atomic.Int64
					rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
						if r.Body != nil {
							io.Copy(io.Discard, r.Body)
						}
						return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
							Body: &endlessBody{n: &read, limit: 10 << 20}, Request: r}, nil
					})
					c, err := licensing.New(licensing.Config{ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey,
						BaseURL: e.srv.URL, HTTPClient: &http.Client{Transport: rt}, Store: e.st, Machine: &e.m, Now: e.now.Now,
						Retry: transport.RetryPolicy{MaxRetries: transport.NoRetries}})
					if err != nil {
						t.Fatal(err)
					}
					_, err = c.Sync(ctx, licensing.Update{})
					if got := read.Load(); got > transport.MaxBody+64<<10 {
						t.Errorf("%d: read %d bytes of a 10 MB answer", status, got)
					}
					wantRetryLaterKept(t, e, err)
				}
			}},
		{"a 201 whose token is signed by another key, or is not JSON", "\"fail\"",
			"another key: ErrUnverified with an Applied activation, naming Config.PublicKey; not JSON: ErrBadResponse; both retry later, cache kept, never \"needs a license\"",
			func(t *testing.T, e *env) {
				forge(t, e, func(_, _ map[string]any) (jwt.SigningMethod, any) { return jwt.SigningMethodRS256, otherKey() })
				act, err := e.client.Sync(ctx, licensing.Update{})
				var ue *licensing.UnverifiedError
				if act == nil || !act.Applied || !errors.As(err, &ue) || !ue.PublicKeyLikely {
					t.Errorf("another key: %+v %v", act, err)
				}
				e.srv.SetFixedToken("")
				wantRetryLaterKept(t, e, err)
				e.srv.Inject(licensingtest.Fault{Body: []byte("<html>Welcome to the hotel wifi</html>")})
				_, err = e.client.Sync(ctx, licensing.Update{})
				if !errors.Is(err, licensing.ErrBadResponse) {
					t.Errorf("not JSON: %v", err)
				}
				wantRetryLaterKept(t, e, err)
			}},
		{"a release answer after a failed activation", "the process crashed (segmentation fault)",
			"no crash, whatever failed before: the release is returned (no key sent when none is cached), and a malformed release answer is ErrBadResponse",
			func(t *testing.T, e *env) {
				e.srv.AddRelease(licensingtest.Release{Version: "2.0.0", Files: []licensingtest.ReleaseFile{{Name: "a", URL: "https://example.com/a", Checksum: strings.Repeat("ab", 32)}}})
				fresh := e.newClient(t, machine("c4"), store.NewMemory())
				for _, fail := range []func(){
					func() { fresh.Activate(ctx, licensing.ActivationRequest{Key: "NO-SUCH-KEY-1"}) },
					func() {
						e.srv.FailNext(5, 503, "")
						fresh.Activate(ctx, licensing.ActivationRequest{Key: e.key})
						e.srv.ClearFaults()
					},
					func() {
						forge(t, e, func(_, _ map[string]any) (jwt.SigningMethod, any) { return jwt.SigningMethodRS256, otherKey() })
						fresh.Activate(ctx, licensing.ActivationRequest{Key: e.key})
						e.srv.SetFixedToken("")
					},
				} {
					fail()
					rel, err := fresh.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"})
					var na *licensing.ReleaseNotAllowedError // keyless: found, refused by the allowed check
					if rel != nil || !errors.As(err, &na) || na.Release.Version != "2.0.0" {
						t.Errorf("release after a failed activation: %+v %v", rel, err)
					}
					if q := lastRequest(t, e.srv, http.MethodGet, "/v3/releases/update").Query; strings.Contains(q, "key=") {
						t.Errorf("a key was sent with nothing cached: %s", q)
					}
				}
				for _, body := range []string{`{"version":7}`, `[]`, `{"version":"2.0.0","files":[{"url":"ftp://x"}]}`, "\x00"} {
					e.srv.Inject(licensingtest.Fault{Body: []byte(body)})
					if _, err := fresh.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"}); !errors.Is(err, licensing.ErrBadResponse) {
						t.Errorf("%q: %v", body, err)
					}
				}
			}},
	}
}

// TestVendorClientFaultRows walks every fault row of vendor-client.md: tollgate does at least
// as well as the vendor's own client on each.
func TestVendorClientFaultRows(t *testing.T) {
	t.Parallel()
	for _, row := range vendorRows() {
		t.Run(row.fault, func(t *testing.T) {
			t.Parallel()
			e := setup(t, licensingtest.License{Meters: map[string]int64{"m": 10}})
			if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
				t.Fatal(err)
			}
			row.run(t, e)
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// endlessBody is limit bytes of JSON-ish filler, counting what is read.
type endlessBody struct {
	n     *atomic.Int64
	limit int64
}

func (b *endlessBody) Read(p []byte) (int, error) {
	left := b.limit - b.n.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	for i := range p {
		p[i] = 'a'
	}
	b.n.Add(int64(len(p)))
	return len(p), nil
}

func (b *endlessBody) Close() error { return nil }
