package licensing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// The class: a 2xx answer whose token does not verify, for whatever reason. Without increments
// the server applied the request and the call says so (an *Activation with Applied, nothing
// else); with increments it proves nothing counted: no *Activation, ErrOutcomeUnknown too. Either
// way never "needs a license", the cached license is kept, nothing cached, Config.PublicKey
// named exactly when the signature is what failed, and Watch retries.
func TestAppliedStaysApplied(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		mod       func(e *env, h, c map[string]any) (jwt.SigningMethod, any)
		publicKey bool
	}{
		{"signed by another key", func(e *env, _, _ map[string]any) (jwt.SigningMethod, any) {
			return jwt.SigningMethodRS256, otherKey()
		}, true},
		{"RS512 by another key", func(e *env, _, _ map[string]any) (jwt.SigningMethod, any) {
			return jwt.SigningMethodRS512, otherKey()
		}, true},
		{"another product", func(e *env, _, c map[string]any) (jwt.SigningMethod, any) {
			c["pid"] = "prod-other"
			return jwt.SigningMethodRS256, e.srv.SigningKey()
		}, false},
		{"another license key", func(e *env, _, c map[string]any) (jwt.SigningMethod, any) {
			c["key"] = "OTHER-KEY-0000"
			return jwt.SigningMethodRS256, e.srv.SigningKey()
		}, false},
		{"another machine", func(e *env, _, c map[string]any) (jwt.SigningMethod, any) {
			c["fp"] = strings.Repeat("7f", 32)
			return jwt.SigningMethodRS256, e.srv.SigningKey()
		}, false},
		{"another activation", func(e *env, _, c map[string]any) (jwt.SigningMethod, any) {
			c["aid"] = "act-someone-else"
			return jwt.SigningMethodRS256, e.srv.SigningKey()
		}, false},
		{"HS256 keyed with the public key", func(e *env, _, _ map[string]any) (jwt.SigningMethod, any) {
			return jwt.SigningMethodHS256, []byte(e.srv.PublicKey)
		}, false},
		{"no issue time", func(e *env, _, c map[string]any) (jwt.SigningMethod, any) {
			delete(c, "iat")
			return jwt.SigningMethodRS256, e.srv.SigningKey()
		}, false},
	} {
		for _, metered := range []bool{false, true} {
			name := tc.name
			if metered {
				name += ", metered"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := setup(t, licensingtest.License{Meters: map[string]int64{"m": 10}})
				if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
					t.Fatal(err)
				}
				forge(t, e, func(h, c map[string]any) (jwt.SigningMethod, any) { return tc.mod(e, h, c) })
				u := licensing.Update{}
				if metered {
					u.MeterAttributes = []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}
				}
				act, err := e.client.Sync(ctx, u)
				var ue *licensing.UnverifiedError
				switch {
				case metered && act != nil:
					t.Fatalf("an unverified answer to increments proves nothing counted, got %+v (%v)", act, err)
				case !metered && (act == nil || !act.Applied || act.Claims != nil || act.ID != "" || !act.Token.IsZero() || act.Counted != nil):
					t.Fatalf("want an Applied activation and nothing else, got %+v (%v)", act, err)
				case !errors.Is(err, licensing.ErrUnverified) || !errors.As(err, &ue):
					t.Fatalf("want an *UnverifiedError, got %v", err)
				case ue.PublicKeyLikely != tc.publicKey || strings.Contains(err.Error(), "Config.PublicKey") != tc.publicKey:
					t.Errorf("public key named: %v, want %v: %v", ue.PublicKeyLikely, tc.publicKey, err)
				case errors.Is(err, licensing.ErrOutcomeUnknown) != metered:
					t.Errorf("outcome unknown %v, want %v: %v", errors.Is(err, licensing.ErrOutcomeUnknown), metered, err)
				}
				want := licensing.StateRetryLater
				if metered {
					want = licensing.StateOutcomeUnknown
				}
				if s := licensing.StateOf(err); s != want || licensing.NeedsActivation(err) {
					t.Errorf("state %v, want %v", s, want)
				}
				if got := e.srv.MeterUses(e.key, "m"); metered && got != 1 {
					t.Errorf("server counted %d", got)
				}
				// The cached license is the earlier, genuine one.
				e.srv.SetFixedToken("")
				if v, err := e.client.Validate(ctx); err != nil || v.ID != e.id {
					t.Errorf("cached license lost: %+v %v", v, err)
				}
				// Watch reports it and keeps going (it may be a forger's answer, not the API's).
				forge(t, e, func(h, c map[string]any) (jwt.SigningMethod, any) { return tc.mod(e, h, c) })
				wctx, cancel := context.WithCancel(ctx)
				defer cancel()
				var first error
				err = e.client.Watch(wctx, licensing.Update{}, func(_ *licensing.Activation, err error) { first = err; cancel() })
				if !errors.Is(err, context.Canceled) || !errors.Is(first, licensing.ErrUnverified) {
					t.Errorf("Watch: %v after %v", err, first)
				}
			})
		}
	}
}

// A new user of an app built with the wrong public key is not asked for a license key again and
// again: Activate says the seat was taken and that Config.PublicKey is the likely cause; the
// next Activate takes no second seat.
func TestWrongPublicKeyIsNamed(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{MaxActivations: 1})
	other := licensingtest.NewServer()
	other.Close()
	c, err := licensing.New(licensing.Config{ProductID: e.srv.ProductID, PublicKey: other.PublicKey, BaseURL: e.srv.URL,
		Store: store.NewMemory(), Machine: &e.m, Now: e.now.Now})
	if err != nil {
		t.Fatal(err)
	}
	key := e.srv.AddLicense(licensingtest.License{MaxActivations: 1})
	for i := range 2 {
		act, err := c.Activate(ctx, licensing.ActivationRequest{Key: key})
		var ue *licensing.UnverifiedError
		if act == nil || !act.Applied || !errors.As(err, &ue) || !ue.PublicKeyLikely ||
			!strings.Contains(err.Error(), "Config.PublicKey") || licensing.NeedsActivation(err) {
			t.Fatalf("try %d: %+v %v", i+1, act, err)
		}
	}
	if _, err := c.Validate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Errorf("an unverified token was cached: %v", err)
	}
}

// A lapsed lease whose activation the server released takes a seat again; when that answer's
// token does not verify, the seat is taken (Applied) and the key is still remembered, so the
// next sync can renew without asking the user.
func TestUnverifiedReactivationKeepsTheKey(t *testing.T) {
	t.Parallel()
	e := sharedClock(t, licensingtest.License{Type: "hosted-floating", LeaseDuration: time.Hour})
	first, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	e.now.Add(2 * time.Hour)
	_, _ = e.client.Validate(ctx)
	e.srv.RemoveActivation(first.ID)
	forged, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"aid": "x", "pid": e.srv.ProductID,
		"key": e.key, "fp": e.m.Fingerprint, "iat": e.now.Now().Unix()}).SignedString(otherKey())
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetFixedToken(forged)
	act, err := e.client.Sync(ctx, licensing.Update{})
	if act == nil || !act.Applied || !errors.Is(err, licensing.ErrUnverified) || licensing.NeedsActivation(err) {
		t.Fatalf("re-activation: %+v %v", act, err)
	}
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrLeaseExpired) {
		t.Fatalf("the key was forgotten: %v", err)
	}
	e.srv.SetFixedToken("")
	if act, err := e.client.Sync(ctx, licensing.Update{}); err != nil || act.Claims == nil {
		t.Fatalf("renewal: %+v %v", act, err)
	}
}
