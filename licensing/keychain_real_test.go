//go:build linux

package licensing_test

import (
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
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

	unlock := lockCollection(t)
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

// lockCollection locks the Secret Service's default collection (no prompt is needed to lock)
// and returns a function that unlocks it with gnome-keyring's master-password interface and
// the password .ci/keychain-tests created it with; cleanup unlocks it too.
func lockCollection(t *testing.T) (unlock func()) {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var coll dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.ReadAlias", 0, "default").Store(&coll); err != nil {
		t.Fatal(err)
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{coll}).Store(&locked, &prompt); err != nil {
		t.Fatal(err)
	}
	done := false
	unlock = func() {
		if done {
			return
		}
		done = true
		var out dbus.Variant
		var sess dbus.ObjectPath
		if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &sess); err != nil {
			t.Error(err)
			return
		}
		secret := struct {
			Session     dbus.ObjectPath
			Parameters  []byte
			Value       []byte
			ContentType string
		}{sess, []byte{}, []byte("pw"), "text/plain"}
		err := conn.Object("org.gnome.keyring", "/org/freedesktop/secrets").Call(
			"org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, coll, secret).Err
		if err != nil {
			t.Errorf("could not unlock the collection again: %v", err)
		}
	}
	t.Cleanup(unlock)
	return unlock
}
