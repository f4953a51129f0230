//go:build linux

package licensing_test

import (
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/secretservicetest"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// TestRealLockedKeychain, on gnome-keyring inside .ci/keychain-tests' private session: an app
// activated while the keychain was unlocked starts while it is locked. Validate says the
// cache is unavailable (not "not activated"), 1,000 more Validate calls leave the goroutine
// count flat, Activate sends nothing, and once the keychain is unlocked the activation is there.
func TestRealLockedKeychain(t *testing.T) {
	if os.Getenv("TOLLGATE_REQUIRE_KEYCHAIN") != "1" {
		t.Skip("locks the keychain: only inside .ci/keychain-tests' private session")
	}
	useRealBus(t.Setenv)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // the default store's file
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(signingKey()))
	t.Cleanup(srv.Close)
	key := srv.AddLicense(licensingtest.License{ExpiresAt: time.Now().Add(24 * time.Hour)})
	m := machine("lk")
	newClient := func() *licensing.Client {
		c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Machine: &m})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	if _, err := newClient().Activate(ctx, licensing.ActivationRequest{Key: key}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = newClient().ClearCache(ctx) })

	unlock := secretservicetest.Lock(t)
	c := newClient()
	_, err := c.Validate(ctx)
	if !errors.Is(err, licensing.ErrCacheUnavailable) || licensing.NeedsActivation(err) {
		t.Fatalf("locked keychain: want ErrCacheUnavailable, got %v", err)
	}
	runtime.GC()
	g0 := runtime.NumGoroutine()
	start := time.Now()
	for range 1000 {
		if _, err := c.Validate(ctx); !errors.Is(err, licensing.ErrCacheUnavailable) {
			t.Fatalf("locked keychain: %v", err)
		}
	}
	took := time.Since(start)
	time.Sleep(100 * time.Millisecond)
	g1 := runtime.NumGoroutine()
	t.Logf("1,000 Validate calls on a locked keychain: goroutines %d -> %d, %v in all", g0, g1, took.Round(time.Millisecond))
	if g1 > g0+2 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	before := srv.RequestCount()
	if _, err := c.Activate(ctx, licensing.ActivationRequest{Key: key}); !errors.Is(err, licensing.ErrCacheUnavailable) || srv.RequestCount() != before {
		t.Fatalf("Activate on a locked keychain: %v, %d requests", err, srv.RequestCount()-before)
	}
	unlock()
	if _, err := newClient().Validate(ctx); err != nil {
		t.Fatalf("unlocked again: %v", err)
	}
}
