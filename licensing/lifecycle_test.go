package licensing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/transport"
)

// liveClient is a client on the real clock, for Watch, whose waits are real.
func liveClient(t *testing.T, srv *licensingtest.Server, st store.Store) *licensing.Client {
	t.Helper()
	m := machine("c3")
	c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: st, Machine: &m, Retry: transport.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func newServer(t *testing.T) *licensingtest.Server {
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(signingKey()))
	t.Cleanup(srv.Close)
	return srv
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	key := srv.AddLicense(licensingtest.License{MaxActivations: 1, Meters: map[string]int64{"m": 10}})
	st := store.NewMemory()
	c := liveClient(t, srv, st)
	ctx := context.Background()

	act, err := c.Activate(ctx, licensing.ActivationRequest{Key: key, AppVersion: "2.1.0",
		Metadata: []licensing.Metadata{{Key: "seat", Value: "a"}}, MeterAttributes: []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}})
	if err != nil || act.ID == "" {
		t.Fatalf("activate: %v", err)
	}
	state, ok := srv.Activation(act.ID)
	if !ok || state.Fingerprint != machine("c3").Fingerprint || state.MeterUses["m"] != 1 || state.Metadata["seat"] != "a" {
		t.Fatalf("server state %+v", state)
	}
	// Activating again is a no-op that answers from the cache.
	n := srv.RequestCount()
	again, err := c.Activate(ctx, licensing.ActivationRequest{Key: key})
	if err != nil || again.ID != act.ID || srv.RequestCount() != n {
		t.Fatalf("second activate: %v, id %s, %d new requests", err, again.ID, srv.RequestCount()-n)
	}
	if _, err := c.UpdateActivation(ctx, act.ID, licensing.Update{Key: key, ReleaseVersion: "2.1"}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if v, err := c.Validate(ctx); err != nil || v.ID != act.ID {
		t.Fatalf("validate: %v", err)
	}
	// The seat is taken: another machine cannot activate.
	other, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: store.NewMemory(), Machine: ptr(machine("d4"))})
	if err != nil {
		t.Fatal(err)
	}
	defer other.CloseIdleConnections()
	if _, err := other.Activate(ctx, licensing.ActivationRequest{Key: key}); !errors.Is(err, licensing.ErrActivationLimitReached) {
		t.Fatalf("over the limit: %v", err)
	}
	if err := c.Deactivate(ctx); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	if s, _ := srv.Activation(act.ID); !s.Deactivated {
		t.Fatal("the server did not deactivate")
	}
	if _, err := c.Validate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("after deactivation: %v", err)
	}
	if err := c.Deactivate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("deactivate with nothing cached: %v", err)
	}
	// The seat is free again.
	if _, err := other.Activate(ctx, licensing.ActivationRequest{Key: key}); err != nil {
		t.Fatalf("the freed seat: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestActivateValidatesFirst(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	m := machine("c3")
	m.OS = "beos"
	c, _ := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: store.NewMemory(), Machine: &m})
	_, err := c.Activate(context.Background(), licensing.ActivationRequest{AppVersion: strings.Repeat("é", 257),
		Metadata: []licensing.Metadata{{}}})
	var ve *licensing.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 4 || srv.RequestCount() != 0 {
		t.Fatalf("%v (%d requests)", err, srv.RequestCount())
	}
	for i, want := range []string{"os", "key", "appVersion", "metadata[0].key"} {
		if ve.Fields[i].Field != want {
			t.Errorf("field %d = %s, want %s", i, ve.Fields[i].Field, want)
		}
	}
}

func TestDeactivateOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fault   func(srv *licensingtest.Server, id string)
		want    error
		dropped bool
	}{
		{"already gone (404)", func(srv *licensingtest.Server, id string) { srv.RemoveActivation(id) }, nil, true},
		{"limit reached (409)", func(srv *licensingtest.Server, id string) {
			srv.Inject(licensingtest.Fault{Status: 409, Code: "DEACTIVATION_LIMIT_REACHED"})
		}, licensing.ErrDeactivationLimitReached, false},
		{"server down", func(srv *licensingtest.Server, id string) { srv.FailNext(5, 503, "") }, &licensing.APIError{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			key := srv.AddLicense(licensingtest.License{})
			st := store.NewMemory()
			c := liveClient(t, srv, st)
			act, err := c.Activate(context.Background(), licensing.ActivationRequest{Key: key})
			if err != nil {
				t.Fatal(err)
			}
			tc.fault(srv, act.ID)
			err = c.Deactivate(context.Background())
			switch w := tc.want.(type) {
			case nil:
				if err != nil {
					t.Fatalf("want nil, got %v", err)
				}
			case *licensing.APIError:
				if !errors.As(err, &w) {
					t.Fatalf("want an APIError, got %v", err)
				}
			default:
				if !errors.Is(err, w) {
					t.Fatalf("want %v, got %v", w, err)
				}
			}
			_, lerr := st.Load(context.Background(), "activation/"+srv.ProductID)
			if dropped := errors.Is(lerr, store.ErrNotFound); dropped != tc.dropped {
				t.Fatalf("dropped %v, want %v", dropped, tc.dropped)
			}
		})
	}
}

// syncs collects what Watch reports.
type syncs struct {
	mu   sync.Mutex
	errs []error
	at   []time.Time
}

func (s *syncs) fn(_ *licensing.Activation, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err)
	s.at = append(s.at, time.Now())
}

func (s *syncs) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.errs) }

func activated(t *testing.T, lic licensingtest.License) (*licensingtest.Server, *licensing.Client, string) {
	t.Helper()
	srv := newServer(t)
	key := srv.AddLicense(lic)
	c := liveClient(t, srv, store.NewMemory())
	if _, err := c.Activate(context.Background(), licensing.ActivationRequest{Key: key}); err != nil {
		t.Fatal(err)
	}
	return srv, c, key
}

func TestWatchSyncsEveryInterval(t *testing.T) {
	t.Parallel()
	srv, c, key := activated(t, licensingtest.License{ServerSyncInterval: time.Second})
	srv.FailNext(1, 503, "") // the first sync's first try fails: it is retried within the sync
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var s syncs
	err := c.Watch(ctx, licensing.Update{Key: key}, s.fn)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the ctx's error, got %v", err)
	}
	if n := s.count(); n < 2 {
		t.Fatalf("%d syncs in 3 s with a 1 s interval", n)
	}
	for i, e := range s.errs {
		if e != nil {
			t.Errorf("sync %d: %v", i, e)
		}
	}
}

func TestWatchStopsOnRevocation(t *testing.T) {
	t.Parallel()
	srv, c, key := activated(t, licensingtest.License{ServerSyncInterval: time.Second})
	var s syncs
	done := make(chan error, 1)
	go func() { done <- c.Watch(context.Background(), licensing.Update{Key: key}, s.fn) }()
	for s.count() < 1 {
		time.Sleep(10 * time.Millisecond)
	}
	srv.UpdateLicense(key, func(l *licensingtest.License) { l.Revoked = true })
	select {
	case err := <-done:
		if !errors.Is(err, licensing.ErrLicenseRevoked) {
			t.Fatalf("want ErrLicenseRevoked, got %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not stop on revocation")
	}
	if _, err := c.Validate(context.Background()); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("the revoked token must be dropped: %v", err)
	}
}

func TestWatchKeepsGoingThroughFailures(t *testing.T) {
	t.Parallel()
	srv, c, key := activated(t, licensingtest.License{ServerSyncInterval: time.Second})
	srv.FailNext(4, 503, "") // the first sync and its retry, then the next and its retry
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	var s syncs
	var recovered atomic.Bool
	err := c.Watch(ctx, licensing.Update{Key: key}, func(a *licensing.Activation, err error) {
		s.fn(a, err)
		if err == nil {
			recovered.Store(true)
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || !recovered.Load() {
		t.Fatalf("Watch: %v, recovered %v, results %v", err, recovered.Load(), s.errs)
	}
	if s.errs[0] == nil || s.errs[1] == nil {
		t.Fatalf("results %v", s.errs)
	}
}

func TestWatchStopsPromptlyOnCancel(t *testing.T) {
	t.Parallel()
	_, c, key := activated(t, licensingtest.License{ServerSyncInterval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	var s syncs
	done := make(chan error, 1)
	go func() { done <- c.Watch(ctx, licensing.Update{Key: key}, s.fn) }()
	for s.count() < 1 {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Fatalf("stopped after %v", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Watch ignored the cancel")
	}
}

func TestWatchRenewsShortLeaseInTime(t *testing.T) {
	t.Parallel()
	// A lease of 3 s under a sync interval of a minute: Watch must renew at half the lease.
	_, c, key := activated(t, licensingtest.License{Type: "hosted-floating", LeaseDuration: 3 * time.Second,
		ServerSyncInterval: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 4500*time.Millisecond)
	defer cancel()
	var s syncs
	_ = c.Watch(ctx, licensing.Update{Key: key}, s.fn)
	if n := s.count(); n < 3 {
		t.Fatalf("%d syncs in 4.5 s with a 3 s lease", n)
	}
	for i := 1; i < len(s.at); i++ {
		if gap := s.at[i].Sub(s.at[i-1]); gap > 2500*time.Millisecond {
			t.Errorf("gap %v between syncs lets a 3 s lease lapse", gap)
		}
	}
	if _, err := c.Validate(context.Background()); err != nil {
		t.Fatalf("the lease lapsed: %v", err)
	}
}

func TestWatchRefusesIncrementsAndNeedsActivation(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := liveClient(t, srv, store.NewMemory())
	err := c.Watch(context.Background(), licensing.Update{Key: "k", MeterAttributes: []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}}, nil)
	var ve *licensing.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("increments: %v", err)
	}
	if err := c.Watch(context.Background(), licensing.Update{Key: "k"}, nil); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("nothing cached: %v", err)
	}
}
