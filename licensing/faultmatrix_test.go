package licensing_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// cacheState is what the cache holds after a row's update.
type cacheState string

const (
	cacheKept    cacheState = "kept (the earlier token)"
	cacheNew     cacheState = "the new token"
	cacheDropped cacheState = "dropped"
)

// faultRow is one fault, its setup, and the documented outcome.
type faultRow struct {
	fault      string
	increments bool
	setup      func(t *testing.T, e *env)
	ctx        func() (context.Context, context.CancelFunc)
	outcome    string // for RELIABILITY.md
	want       []error
	activation bool // the error comes with the *Activation
	requests   int  // requests the server saw for the update
	cache      cacheState
	applied    int64 // meter uses the server recorded (the row increments by 1)
}

func forge(t *testing.T, e *env, mod func(header, claims map[string]any) (alg jwt.SigningMethod, key any)) {
	t.Helper()
	tok, ok := e.srv.Token(e.id)
	if !ok {
		t.Fatal("no token")
	}
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	header := map[string]any{}
	method, key := mod(header, claims)
	var forged string
	if method == nil { // alg none, unsigned
		h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
		p, _ := json.Marshal(claims)
		forged = base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	} else {
		var err error
		if forged, err = jwt.NewWithClaims(method, jwt.MapClaims(claims)).SignedString(key); err != nil {
			t.Fatal(err)
		}
	}
	e.srv.SetFixedToken(forged)
}

// stuckKeyring never answers until released.
type stuckKeyring struct{ release chan struct{} }

func (k stuckKeyring) Set(string, string, string) error { <-k.release; return errors.New("stuck") }
func (k stuckKeyring) Get(string, string) (string, error) {
	<-k.release
	return "", errors.New("stuck")
}
func (k stuckKeyring) Delete(string, string) error { <-k.release; return errors.New("stuck") }

// failingStore stands for a keychain that refuses every write.
type failingStore struct{ store.Store }

func (failingStore) Save(context.Context, string, string) error {
	return fmt.Errorf("%w: org.freedesktop.Secret.Error.IsLocked", store.ErrUnavailable)
}

var stuck = stuckKeyring{release: make(chan struct{})}

func faultRows() []faultRow {
	deadline := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 300*time.Millisecond)
	}
	rows := []faultRow{
		{fault: "503, then success", setup: func(t *testing.T, e *env) { e.srv.FailNext(1, 503, "") },
			outcome: "retried, succeeds", requests: 2, cache: cacheNew},
		{fault: "503, then success", increments: true, setup: func(t *testing.T, e *env) { e.srv.FailNext(1, 503, "") },
			outcome: "not retried: ErrOutcomeUnknown wrapping the 503", want: []error{licensing.ErrOutcomeUnknown, &licensing.APIError{}},
			requests: 1, cache: cacheKept},
		{fault: "429 with Retry-After: 0", increments: true, setup: func(t *testing.T, e *env) { e.srv.FailNext(1, 429, "0") },
			outcome: "retried (a 429 was not applied), succeeds", requests: 2, cache: cacheNew, applied: 1},
		{fault: "429 with Retry-After: 3600", increments: true, setup: func(t *testing.T, e *env) { e.srv.FailNext(1, 429, "3600") },
			outcome: "no wait: ErrRateLimited, *RateLimitError{RetryAfter: 1h}", want: []error{licensing.ErrRateLimited, &licensing.RateLimitError{}},
			requests: 1, cache: cacheKept},
		{fault: "503 with Retry-After: 3600", setup: func(t *testing.T, e *env) { e.srv.FailNext(1, 503, "3600") },
			outcome: "no wait, no retry: ErrRateLimited, *RateLimitError{RetryAfter: 1h} with the 503", want: []error{licensing.ErrRateLimited, &licensing.RateLimitError{}},
			requests: 1, cache: cacheKept},
		{fault: "503 with Retry-After: 3600", increments: true, setup: func(t *testing.T, e *env) { e.srv.FailNext(1, 503, "3600") },
			outcome: "no retry: ErrOutcomeUnknown wrapping *RateLimitError{RetryAfter: 1h}", want: []error{licensing.ErrOutcomeUnknown, &licensing.RateLimitError{}},
			requests: 1, cache: cacheKept},
		{fault: "404 HTML page (a proxy, a wrong base path)", setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Status: 404, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>Not Found</html>")})
		}, outcome: "ErrBadResponse (*transport.StatusError), not ErrActivationNotFound: the API did not say so", want: []error{licensing.ErrBadResponse},
			requests: 1, cache: cacheKept},
		{fault: "404 HTML page (a proxy, a wrong base path)", increments: true, setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Status: 404, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>Not Found</html>")})
		}, outcome: "ErrOutcomeUnknown and ErrBadResponse: whether the request reached the API is unknown", want: []error{licensing.ErrOutcomeUnknown, licensing.ErrBadResponse},
			requests: 1, cache: cacheKept},
		{fault: "connection reset before apply", setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Drop: licensingtest.DropBeforeApply})
		}, outcome: "retried, succeeds", requests: 2, cache: cacheNew},
		{fault: "connection reset before apply", increments: true, setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Drop: licensingtest.DropBeforeApply})
		}, outcome: "not retried (the client cannot tell): ErrOutcomeUnknown; nothing was applied", want: []error{licensing.ErrOutcomeUnknown},
			requests: 1, cache: cacheKept},
		{fault: "connection reset after apply", setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Drop: licensingtest.DropAfterApply})
		}, outcome: "retried (safe to repeat), succeeds", requests: 2, cache: cacheNew},
		{fault: "connection reset after apply", increments: true, setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Drop: licensingtest.DropAfterApply})
		}, outcome: "not retried: ErrOutcomeUnknown; applied once", want: []error{licensing.ErrOutcomeUnknown},
			requests: 1, cache: cacheKept, applied: 1},
		{fault: "server slower than the ctx deadline", setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Delay: 5 * time.Second})
		}, ctx: deadline, outcome: "returns at the deadline with context.DeadlineExceeded", want: []error{context.DeadlineExceeded},
			requests: 1, cache: cacheKept},
		{fault: "server slower than the ctx deadline", increments: true, setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Delay: 5 * time.Second})
		}, ctx: deadline, outcome: "returns at the deadline: ErrOutcomeUnknown and context.DeadlineExceeded",
			want: []error{licensing.ErrOutcomeUnknown, context.DeadlineExceeded}, requests: 1, cache: cacheKept},
		{fault: "truncated JSON body", setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Body: []byte(`{"activationToken":"eyJhbGciOi`)})
		}, outcome: "ErrBadResponse", want: []error{licensing.ErrBadResponse}, requests: 1, cache: cacheKept},
		{fault: "garbage body", setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Body: []byte("\x00\xffnot json<html>")})
		}, outcome: "ErrBadResponse", want: []error{licensing.ErrBadResponse}, requests: 1, cache: cacheKept},
		{fault: "garbage body", increments: true, setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Body: []byte("\x00\xffnot json<html>")})
		}, outcome: "ErrOutcomeUnknown and ErrBadResponse: a 2xx that cannot be read may come from a proxy, not the server",
			want: []error{licensing.ErrOutcomeUnknown, licensing.ErrBadResponse}, requests: 1, cache: cacheKept},
		{fault: "empty body", setup: func(t *testing.T, e *env) { e.srv.Inject(licensingtest.Fault{EmptyBody: true}) },
			outcome: "ErrBadResponse", want: []error{licensing.ErrBadResponse}, requests: 1, cache: cacheKept},
		{fault: "2 MiB body", setup: func(t *testing.T, e *env) { e.srv.Inject(licensingtest.Fault{Body: licensingtest.OversizedBody}) },
			outcome: "ErrBadResponse after reading at most 1 MiB", want: []error{licensing.ErrBadResponse}, requests: 1, cache: cacheKept},
		{fault: "2 MiB body", increments: true, setup: func(t *testing.T, e *env) { e.srv.Inject(licensingtest.Fault{Body: licensingtest.OversizedBody}) },
			outcome: "ErrOutcomeUnknown and ErrBadResponse: a 2xx was answered, so the use may have been counted",
			want:    []error{licensing.ErrOutcomeUnknown, licensing.ErrBadResponse}, requests: 1, cache: cacheKept},
		{fault: "truncated JSON body", increments: true, setup: func(t *testing.T, e *env) {
			e.srv.Inject(licensingtest.Fault{Body: []byte(`{"activationToken":"eyJhbGciOi`)})
		}, outcome: "ErrOutcomeUnknown and ErrBadResponse", want: []error{licensing.ErrOutcomeUnknown, licensing.ErrBadResponse},
			requests: 1, cache: cacheKept},
		{fault: "token signed by another key", setup: func(t *testing.T, e *env) {
			forge(t, e, func(_, _ map[string]any) (jwt.SigningMethod, any) { return jwt.SigningMethodRS256, otherKey() })
		}, outcome: "ErrUnverified (*UnverifiedError naming Config.PublicKey) with an Applied activation; not cached, retry later",
			want: []error{licensing.ErrUnverified, licensing.ErrTokenInvalid}, activation: true, requests: 1, cache: cacheKept},
		{fault: "expired license token", setup: func(t *testing.T, e *env) {
			e.srv.SetTokenHook(func(c map[string]any) { c["eat"] = time.Now().Add(-time.Hour).Unix() })
		}, outcome: "ErrExpired with the genuine activation; cached", want: []error{licensing.ErrExpired}, activation: true,
			requests: 1, cache: cacheNew},
		{fault: "token signed by another key", increments: true, setup: func(t *testing.T, e *env) {
			forge(t, e, func(_, _ map[string]any) (jwt.SigningMethod, any) { return jwt.SigningMethodRS256, otherKey() })
		}, outcome: "ErrOutcomeUnknown and ErrUnverified, no activation: a token that does not verify proves nothing counted (CheckApplied tells); not resent; not cached",
			want: []error{licensing.ErrOutcomeUnknown, licensing.ErrUnverified, licensing.ErrTokenInvalid}, requests: 1, cache: cacheKept, applied: 1},
		{fault: "expired license token", increments: true, setup: func(t *testing.T, e *env) {
			e.srv.SetTokenHook(func(c map[string]any) { c["eat"] = time.Now().Add(-time.Hour).Unix() })
		}, outcome: "ErrExpired with the activation, Applied: the use was counted; cached", want: []error{licensing.ErrExpired},
			activation: true, requests: 1, cache: cacheNew, applied: 1},
		{fault: "token for another fingerprint", setup: func(t *testing.T, e *env) {
			forge(t, e, func(_, c map[string]any) (jwt.SigningMethod, any) {
				c["fp"] = strings.Repeat("0e", 32)
				return jwt.SigningMethodRS256, e.srv.SigningKey()
			})
		}, outcome: "ErrUnverified and ErrFingerprintMismatch with an Applied activation; not cached",
			want: []error{licensing.ErrUnverified, licensing.ErrFingerprintMismatch}, activation: true, requests: 1, cache: cacheKept},
		{fault: `token with "alg": "none"`, setup: func(t *testing.T, e *env) {
			forge(t, e, func(_, _ map[string]any) (jwt.SigningMethod, any) { return nil, nil })
		}, outcome: "ErrUnverified and ErrTokenInvalid with an Applied activation; not cached",
			want: []error{licensing.ErrUnverified, licensing.ErrTokenInvalid}, activation: true, requests: 1, cache: cacheKept},
		{fault: "404: activation deleted", setup: func(t *testing.T, e *env) { e.srv.RemoveActivation(e.id) },
			outcome: "ErrActivationNotFound; cache dropped", want: []error{licensing.ErrActivationNotFound}, requests: 1, cache: cacheDropped},
		{fault: "license revoked", setup: func(t *testing.T, e *env) {
			e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.Revoked = true })
		}, outcome: "ErrLicenseRevoked; cache dropped", want: []error{licensing.ErrLicenseRevoked}, requests: 1, cache: cacheDropped},
		{fault: "keychain refuses the write", setup: func(t *testing.T, e *env) {
			e.client = e.newClient(t, e.m, failingStore{e.st})
		}, outcome: "ErrNotCached (and store.ErrUnavailable) with the activation", want: []error{licensing.ErrNotCached, store.ErrUnavailable},
			activation: true, requests: 1, cache: cacheKept},
		{fault: "keychain hangs", setup: func(t *testing.T, e *env) {
			e.client = e.newClient(t, e.m, store.NewKeychainFrom(stuck, "svc", store.KeychainOptions{Timeout: 100 * time.Millisecond}))
		}, outcome: "ErrNotCached after the store's timeout, with the activation", want: []error{licensing.ErrNotCached, store.ErrUnavailable},
			activation: true, requests: 1, cache: cacheKept},
	}
	return rows
}

var (
	otherOnce sync.Once
	otherK    any
)

func otherKey() any {
	otherOnce.Do(func() {
		s := licensingtest.NewServer()
		s.Close()
		otherK = s.SigningKey()
	})
	return otherK
}

func TestFaultMatrix(t *testing.T) {
	defer close(stuck.release) // let the hung keychain calls return, for goleak
	for _, row := range faultRows() {
		name := row.fault
		if row.increments {
			name += ", with increments"
		}
		t.Run(name, func(t *testing.T) {
			e := setup(t, licensingtest.License{Meters: map[string]int64{"m": 100}})
			var issued atomic.Int64 // every token unique, so that the cache shows which one it holds
			e.srv.SetTokenHook(func(c map[string]any) { c["n"] = issued.Add(1) })
			first, err := e.client.UpdateActivation(context.Background(), e.id, licensing.Update{Key: e.key})
			if err != nil {
				t.Fatal(err)
			}
			row.setup(t, e)
			before := e.srv.RequestCount()
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if row.ctx != nil {
				ctx, cancel = row.ctx()
			}
			defer cancel()
			u := licensing.Update{Key: e.key}
			if row.increments {
				u.MeterAttributes = []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}
			}
			start := time.Now()
			act, err := e.client.UpdateActivation(ctx, e.id, u)
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			for _, w := range row.want {
				if target, ok := w.(*licensing.APIError); ok {
					if !errors.As(err, &target) {
						t.Errorf("want an *APIError in %v", err)
					}
					continue
				}
				if target, ok := w.(*licensing.RateLimitError); ok {
					if !errors.As(err, &target) || target.RetryAfter != time.Hour {
						t.Errorf("want a *RateLimitError of 1h in %v", err)
					}
					continue
				}
				if !errors.Is(err, w) {
					t.Errorf("want %v in %v", w, err)
				}
			}
			if len(row.want) == 0 && err != nil {
				t.Errorf("want success, got %v", err)
			}
			if (act != nil) != (len(row.want) == 0 || row.activation) {
				t.Errorf("activation %v with error %v", act, err)
			}
			if got := e.srv.RequestCount() - before; got != row.requests {
				t.Errorf("server saw %d requests, want %d", got, row.requests)
			}
			if got := e.srv.MeterUses(e.key, "m"); got != row.applied {
				t.Errorf("server recorded %d meter uses, want %d (lost or doubled)", got, row.applied)
			}
			stored, lerr := e.st.Load(context.Background(), "activation/"+e.srv.ProductID)
			var got cacheState
			switch {
			case errors.Is(lerr, store.ErrNotFound):
				got = cacheDropped
			case lerr != nil:
				t.Fatal(lerr)
			case strings.Contains(stored, `"token":"`+first.Token.Reveal()+`"`):
				got = cacheKept
			default:
				got = cacheNew
			}
			if got != row.cache {
				t.Errorf("cache: %s, want %s", got, row.cache)
			}
			if err != nil && strings.Contains(err.Error(), e.key) {
				t.Errorf("error leaks the license key: %v", err)
			}
		})
	}
}

// TestReliabilityDoc keeps RELIABILITY.md equal to the table above; go test -update rewrites it.
func TestReliabilityDoc(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# Reliability: what UpdateActivation does under each fault\n\n")
	b.WriteString("Generated from the table in `licensing/faultmatrix_test.go` by `go test ./licensing -run TestReliabilityDoc -update`;\n")
	b.WriteString("`TestFaultMatrix` asserts every row against `licensingtest` on each run, and this test fails when the two drift.\n")
	b.WriteString("Each row starts from a cached token, then sends one update (with a meter increment of 1 where the row says so)\n")
	b.WriteString("under the default retry policy's rules (2 retries).\n\n")
	b.WriteString("| fault | increments | outcome | requests seen | cache afterwards | meter uses recorded |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, r := range faultRows() {
		inc := "no"
		if r.increments {
			inc = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %d |\n", r.fault, inc, r.outcome, r.requests, r.cache, r.applied)
	}
	const path = "../RELIABILITY.md"
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./licensing -run TestReliabilityDoc -update writes it)", err)
	}
	if !bytes.Equal(want, b.Bytes()) {
		t.Fatalf("RELIABILITY.md is out of date: go test ./licensing -run TestReliabilityDoc -update")
	}
}
