package licensing_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// flakyStore is a store in front of a memory store that can be made unavailable, as a locked
// or hung keychain is.
type flakyStore struct {
	store.Store
	mu   sync.Mutex
	down error
}

func (s *flakyStore) fail(err error) { s.mu.Lock(); s.down = err; s.mu.Unlock() }
func (s *flakyStore) err() error     { s.mu.Lock(); defer s.mu.Unlock(); return s.down }

func (s *flakyStore) Load(ctx context.Context, name string) (string, error) {
	if err := s.err(); err != nil {
		return "", err
	}
	return s.Store.Load(ctx, name)
}

func (s *flakyStore) Save(ctx context.Context, name, value string) error {
	if err := s.err(); err != nil {
		return err
	}
	return s.Store.Save(ctx, name, value)
}

func (s *flakyStore) Delete(ctx context.Context, name string) error {
	if err := s.err(); err != nil {
		return err
	}
	return s.Store.Delete(ctx, name)
}

var errKeychainLocked = fmt.Errorf("%w: the keychain is locked", store.ErrUnavailable)

// A locked keychain is not "not activated": Validate says the cache is unavailable, and the app
// is not told to ask for a license key.
func TestValidateCacheUnavailable(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{ExpiresAt: time.Now().Add(24 * time.Hour)})
	s := &flakyStore{Store: store.NewMemory()}
	c := e.newClient(t, e.m, s)
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	for _, cause := range []error{errKeychainLocked, context.DeadlineExceeded, errors.New("some store's own failure")} {
		s.fail(cause)
		_, err := c.Validate(ctx)
		if !errors.Is(err, licensing.ErrCacheUnavailable) || !errors.Is(err, cause) {
			t.Fatalf("%v: want ErrCacheUnavailable wrapping the cause, got %v", cause, err)
		}
		if licensing.NeedsActivation(err) || errors.Is(err, licensing.ErrNotActivated) {
			t.Fatalf("%v: NeedsActivation is true for %v", cause, err)
		}
	}
	s.fail(nil)
	if _, err := c.Validate(ctx); err != nil {
		t.Fatalf("unlocked again: %v", err)
	}
	// Nothing cached and a value that is not a record still need an activation.
	s.Store = store.NewMemory()
	if _, err := c.Validate(ctx); !licensing.NeedsActivation(err) {
		t.Fatalf("nothing cached: %v", err)
	}
	if err := s.Save(ctx, "activation/"+e.srv.ProductID, "garbage"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Validate(ctx); !licensing.NeedsActivation(err) || errors.Is(err, licensing.ErrCacheUnavailable) {
		t.Fatalf("garbage cached: %v", err)
	}
}

// Activate does not spend a seat it cannot remember: with the cache unavailable it sends
// nothing, unless the caller allows it, and then reports the token as not cached.
func TestActivateRefusesWhenCacheUnavailable(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{ExpiresAt: time.Now().Add(24 * time.Hour)})
	s := &flakyStore{Store: store.NewMemory()}
	s.fail(errKeychainLocked)
	c := e.newClient(t, e.m, s)
	before := e.srv.RequestCount()
	_, err := c.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if !errors.Is(err, licensing.ErrCacheUnavailable) || licensing.NeedsActivation(err) {
		t.Fatalf("want ErrCacheUnavailable, got %v", err)
	}
	if n := e.srv.RequestCount() - before; n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	a, err := c.Activate(ctx, licensing.ActivationRequest{Key: e.key, AllowUncached: true})
	if a == nil || !errors.Is(err, licensing.ErrNotCached) || !errors.Is(err, licensing.ErrCacheUnavailable) {
		t.Fatalf("AllowUncached: %v, %v; want the activation with ErrNotCached", a, err)
	}
	if n := e.srv.RequestCount() - before; n != 1 {
		t.Fatalf("%d requests sent, want 1", n)
	}
	// Unlocked, the same call goes through and is remembered.
	s.fail(nil)
	if _, err := c.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	// Deactivate needs the cached activation: unavailable, it sends nothing either.
	s.fail(errKeychainLocked)
	before = e.srv.RequestCount()
	if err := c.Deactivate(ctx); !errors.Is(err, licensing.ErrCacheUnavailable) || e.srv.RequestCount() != before {
		t.Fatalf("Deactivate: %v, %d requests", err, e.srv.RequestCount()-before)
	}
}
