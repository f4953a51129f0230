// Package licensingtest is a fake activation server for tests: ours, the examples', and yours.
//
// [NewServer] starts an in-process httptest server with a real RSA key pair, licenses and
// activations held in memory, and true PATCH semantics: fields absent from a request are left
// unchanged, and meter uses accumulate. It checks requests as strictly as the reference page,
// and takes every body the vendor's own client sends (testdata/vendor-client holds them), and
// answers errors in the server's {"code","message"} shape, issues activation tokens with the
// real claim names, and can be told to misbehave: fail, delay, drop the connection before or
// after applying a request, answer garbage, or answer a status with a proxy's page instead of
// the API's error. [NewSilent] is a peer that never answers at all, not even TLS. It records every request for assertions and can
// post signed activation.updated webhooks.
//
// It also serves trials (POST and PATCH /v3/trial-activations, see [TrialPolicy] for the states:
// active, ended, not allowed, limit reached), release updates (GET /v3/releases/update and
// GET /v3/releases/{id}/allowed, see [Server.AddRelease] and License.MaxAllowedReleaseVersion)
// and users' sign-in (POST /v3/accounts/login and /v3/accounts/login-oidc, GET /v3/me/licenses,
// see [Server.AddUser]), with the same strictness.
//
//	srv := licensingtest.NewServer()
//	defer srv.Close()
//	key := srv.AddLicense(licensingtest.License{})
//	client, err := licensing.New(licensing.Config{
//		ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
//		Store: store.NewMemory(), Machine: licensingtest.Machine("laptop"),
//	})
//	act, err := client.Activate(ctx, licensing.ActivationRequest{Key: key})
//
// [Machine] makes as many distinct fake machines as a test needs, and with a memory store
// nothing is written into the developer's home. [Server.Inject] queues faults and
// [Server.ClearFaults] drops them. The package example runs a whole test.
package licensingtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// DefaultProductID is the product of a server made without WithProductID.
const DefaultProductID = "prod-test"

// PathPrefix is where the fake API is mounted below the server's root, so that a client that
// ignores its base URL's path fails loudly.
const PathPrefix = "/api"

// Server is a fake activation server. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to configure: the httptest server's URL plus PathPrefix.
	URL string
	// ProductID is the product every license belongs to.
	ProductID string
	// PublicKey is the PEM of the key that signs tokens, for licensing.Config.PublicKey.
	PublicKey string

	srv  *httptest.Server
	key  *rsa.PrivateKey
	now  func() time.Time
	hook *webhookTarget

	mu          sync.Mutex
	seq         int
	licenses    map[string]*License    // by key
	activations map[string]*activation // by id
	faults      []Fault
	requests    []Request
	fixedToken  string
	tokenHook   func(claims map[string]any)
	chaos       *chaos
	trialState  *trialState // trials and releases; see trials.go
	userState   *userState  // users and their sign-ins; see signin.go

	sends sync.WaitGroup // webhook deliveries in flight
}

// Option configures a Server.
type Option func(*Server)

// WithProductID sets the product id.
func WithProductID(id string) Option { return func(s *Server) { s.ProductID = id } }

// WithSigningKey signs tokens with key instead of a freshly generated 2048-bit key, which saves
// the ~100 ms of generating one.
func WithSigningKey(key *rsa.PrivateKey) Option { return func(s *Server) { s.key = key } }

// WithClock sets the server's clock, which stamps iat and derives expiry, lease and grace
// times. A clock ahead of the client's makes tokens that fail with ErrClockOutOfSync.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithWebhook makes the server post a signed activation.updated event to url after each
// successful update or activation, as the real server does.
func WithWebhook(url, secret string) Option {
	return func(s *Server) { s.hook = &webhookTarget{url: url, secret: secret} }
}

// NewServer starts a Server. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		ProductID:   DefaultProductID,
		now:         time.Now,
		licenses:    map[string]*License{},
		activations: map[string]*activation{},
	}
	for _, o := range opts {
		o(s)
	}
	if s.key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("licensingtest: generate RSA key: " + err.Error())
		}
		s.key = k
	}
	der, err := x509.MarshalPKIXPublicKey(&s.key.PublicKey)
	if err != nil {
		panic("licensingtest: " + err.Error())
	}
	s.PublicKey = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	mux := http.NewServeMux()
	mux.Handle(PathPrefix+"/", http.StripPrefix(PathPrefix, http.HandlerFunc(s.serve)))
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + PathPrefix
	return s
}

// Close shuts the server down, after any webhook delivery in flight.
func (s *Server) Close() {
	s.sends.Wait()
	s.srv.Close()
}

// Client returns an *http.Client for the server (it is plain HTTP on loopback).
func (s *Server) Client() *http.Client { return s.srv.Client() }

// SigningKey returns the private key that signs tokens, for tests that forge their own.
func (s *Server) SigningKey() *rsa.PrivateKey { return s.key }

func (s *Server) newID(prefix string) string {
	s.seq++
	var r [4]byte
	_, _ = rand.Read(r[:])
	return prefix + "-" + strconv.Itoa(s.seq) + "-" + hex.EncodeToString(r[:])
}

// Request is a request the server received.
type Request struct {
	Method string
	Path   string // below PathPrefix, escaped as sent
	Query  string // the raw query, as sent ("" for none)
	Header http.Header
	Body   []byte
	Time   time.Time
	// Applied is set when the request changed the server's state (an update, activation or
	// deactivation took effect), even if the answer was then lost.
	Applied bool
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestCount returns how many requests were received.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// SetTokenHook sets a function that may change each token's claims before it is signed: for
// example to set "eat" in the past, "suspended" to true, or "fp" to another machine.
func (s *Server) SetTokenHook(fn func(claims map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenHook = fn
}

// SetFixedToken makes every successful update and activation answer with tok (after applying
// the request as usual) instead of a freshly signed token, so that benchmarks do not measure
// the fake's signing. "" restores signing.
func (s *Server) SetFixedToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fixedToken = tok
}

// ctxWait waits d or until ctx ends.
func ctxWait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
