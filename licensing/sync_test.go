package licensing_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// sharedClock sets up an env whose server and client share one adjustable clock, so that a
// token issued after the clock moved is current for the client too.
func sharedClock(t *testing.T, lic licensingtest.License) *env {
	t.Helper()
	clk := &clock{t: time.Now()}
	e := setup(t, lic, licensingtest.WithClock(clk.Now))
	e.now = clk
	e.client = e.newClient(t, e.m, e.st)
	return e
}

// lastKey returns the "key" member of the last request's body.
func lastKey(t *testing.T, srv *licensingtest.Server) string {
	t.Helper()
	reqs := srv.Requests()
	var body struct{ Key string }
	if err := json.Unmarshal(reqs[len(reqs)-1].Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Key
}

func TestKeyIsRemembered(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	// An app that starts offline has no key of its own: "" means the cached activation's.
	other := e.newClient(t, e.m, e.st)
	if _, err := other.UpdateActivation(ctx, e.id, licensing.Update{AccountID: "acc"}); err != nil {
		t.Fatalf("UpdateActivation with the remembered key: %v", err)
	}
	if got := lastKey(t, e.srv); got != e.key {
		t.Fatalf("sent key %q", got)
	}
	act, err := other.Sync(ctx, licensing.Update{})
	if err != nil || act.ID != e.id || !act.Applied {
		t.Fatalf("Sync: %v %v", act, err)
	}
	if got := lastKey(t, e.srv); got != e.key {
		t.Fatalf("Sync sent key %q", got)
	}
}

func TestNothingCachedSendsNothing(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	_, err := e.client.Sync(ctx, licensing.Update{})
	if !errors.Is(err, licensing.ErrNotActivated) || !licensing.NeedsActivation(err) {
		t.Fatalf("Sync with nothing cached: %v", err)
	}
	_, err = e.client.UpdateActivation(ctx, e.id, licensing.Update{})
	var invalid *licensing.ValidationError
	if !errors.As(err, &invalid) || len(invalid.Fields) != 1 || invalid.Fields[0].Field != "key" {
		t.Fatalf("UpdateActivation with no key and nothing cached: %v", err)
	}
	if err := e.client.Watch(ctx, licensing.Update{}, nil); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("Watch: %v", err)
	}
	if n := e.srv.RequestCount(); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// TestLapsedLeaseRenewsWithRememberedKey: after a floating lease lapsed offline, the next sync
// renews it with the remembered key; the user is never asked for it.
func TestLapsedLeaseRenewsWithRememberedKey(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"Sync", "Watch", "UpdateActivation"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			e := sharedClock(t, licensingtest.License{Type: "hosted-floating", LeaseDuration: time.Hour})
			activated, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
			if err != nil {
				t.Fatal(err)
			}
			e.now.Add(2 * time.Hour) // offline meanwhile
			_, err = e.client.Validate(ctx)
			if licensing.StateOf(err) != licensing.StateLeaseExpired || licensing.NeedsActivation(err) {
				t.Fatalf("after the lease: %v (%v)", err, licensing.StateOf(err))
			}
			// A fresh client, as after a restart.
			c := e.newClient(t, e.m, e.st)
			var act *licensing.Activation
			switch how {
			case "Sync":
				act, err = c.Sync(ctx, licensing.Update{})
			case "UpdateActivation":
				act, err = c.UpdateActivation(ctx, activated.ID, licensing.Update{})
			case "Watch":
				wctx, cancel := context.WithCancel(ctx)
				err = c.Watch(wctx, licensing.Update{}, func(a *licensing.Activation, werr error) {
					act, err = a, werr
					cancel()
				})
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Watch: %v", err)
				}
				err = nil
			}
			if err != nil || act == nil || !act.Applied || !act.LeaseExpiresAt.After(e.now.Now()) {
				t.Fatalf("renewal: %v %v", act, err)
			}
			if got := lastKey(t, e.srv); got != e.key {
				t.Fatalf("renewal sent key %q", got)
			}
			if _, err := c.Validate(ctx); err != nil {
				t.Fatalf("after renewal: %v", err)
			}
		})
	}
}

func TestLapsedRecordDoesNotMove(t *testing.T) {
	t.Parallel()
	e := sharedClock(t, licensingtest.License{Type: "hosted-floating", LeaseDuration: time.Hour})
	if _, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	e.now.Add(2 * time.Hour)
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrLeaseExpired) {
		t.Fatal(err)
	}
	stored, err := e.st.Load(ctx, "activation/"+e.srv.ProductID)
	if err != nil {
		t.Fatal(err)
	}
	// Copied to another machine, it does not read back.
	st := store.NewMemory()
	_ = st.Save(ctx, "activation/"+e.srv.ProductID, stored)
	c := e.newClient(t, machine("b2"), st)
	if _, err := c.Sync(ctx, licensing.Update{}); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("a lapsed record from another machine: %v", err)
	}
	// Edited, it does not read back either.
	_ = e.st.Save(ctx, "activation/"+e.srv.ProductID, strings.Replace(stored, ":", ":A", 1))
	if _, err := e.client.Sync(ctx, licensing.Update{}); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("an edited lapsed record: %v", err)
	}
}

func TestDeactivateAfterLapse(t *testing.T) {
	t.Parallel()
	e := sharedClock(t, licensingtest.License{Type: "hosted-floating", LeaseDuration: time.Hour})
	act, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	e.now.Add(2 * time.Hour)
	_, _ = e.client.Validate(ctx)
	if err := e.client.Deactivate(ctx); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.srv.Activation(act.ID); !a.Deactivated {
		t.Fatal("the seat was not freed")
	}
	if e.cached(t) {
		t.Fatal("the lapsed record stays after Deactivate")
	}
}

// lockedStore stands for a locked keychain: every read and write fails as unavailable.
type lockedStore struct{ store.Store }

func (lockedStore) Load(context.Context, string) (string, error) {
	return "", store.ErrUnavailable
}

// TestLockedKeychainNeverAsksForAKey: with the cache unreadable, an update without a key is not
// "key required" (which would make the app ask the user for one): it is the cache's error.
func TestLockedKeychainNeverAsksForAKey(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	c := e.newClient(t, e.m, lockedStore{e.st})
	for name, call := range map[string]func() error{
		"UpdateActivation": func() error { _, err := c.UpdateActivation(ctx, e.id, licensing.Update{}); return err },
		"Sync":             func() error { _, err := c.Sync(ctx, licensing.Update{}); return err },
		"Validate":         func() error { _, err := c.Validate(ctx); return err },
		"Watch":            func() error { return c.Watch(ctx, licensing.Update{}, nil) },
	} {
		err := call()
		if s := licensing.StateOf(err); s != licensing.StateCacheUnavailable || licensing.NeedsActivation(err) {
			t.Errorf("%s: %v (%v)", name, err, s)
		}
	}
	if n := e.srv.RequestCount(); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// TestLapsedAndReleasedTakesASeatAgain: the server released the activation of a lapsed lease
// (404). Sync takes a seat again with the remembered key; while none is free, the key stays
// remembered, and the user is never asked for it.
func TestLapsedAndReleasedTakesASeatAgain(t *testing.T) {
	t.Parallel()
	e := sharedClock(t, licensingtest.License{Type: "hosted-floating", LeaseDuration: time.Hour, MaxActivations: 1})
	first, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	e.now.Add(2 * time.Hour)
	_, _ = e.client.Validate(ctx)
	e.srv.RemoveActivation(first.ID) // released by the server
	other := e.newClient(t, machine("b2"), store.NewMemory())
	taken, err := other.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	// No seat is free: refused, and the key is still remembered.
	_, err = e.client.Sync(ctx, licensing.Update{})
	if !errors.Is(err, licensing.ErrActivationLimitReached) || licensing.NeedsActivation(err) {
		t.Fatalf("no seat free: %v", err)
	}
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrLeaseExpired) {
		t.Fatalf("the key was forgotten: %v", err)
	}
	// The other machine gives its seat back: the next sync takes it.
	if err := other.Deactivate(ctx); err != nil {
		t.Fatal(err)
	}
	act, err := e.client.Sync(ctx, licensing.Update{})
	if err != nil || !act.Applied || act.ID == first.ID || act.ID == taken.ID {
		t.Fatalf("renewal: %v %v", act, err)
	}
	if _, err := e.client.Validate(ctx); err != nil {
		t.Fatalf("after renewal: %v", err)
	}
	// A revoked license ends it: the key is forgotten.
	e.now.Add(2 * time.Hour)
	_, _ = e.client.Validate(ctx)
	e.srv.RemoveActivation(act.ID)
	e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.Revoked = true })
	if _, err := e.client.Sync(ctx, licensing.Update{}); !licensing.NeedsActivation(err) {
		t.Fatalf("revoked: %v", err)
	}
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("after revocation: %v", err)
	}
}
