package licensing_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// multiProcessStore is the store a process of TestMultiProcess uses: "file" (the private file
// store in dir), "keychain" (the OS keychain alone) or "default" (both, as licensing's default).
func multiProcessStore(kind, dir, service string) store.Store {
	switch kind {
	case "file":
		return store.NewFile(dir)
	case "keychain":
		return store.NewKeychain(service)
	}
	return store.NewDefault(service, nil)
}

// TestMultiProcess runs three instances of an app at once against one store, each activating,
// updating (a server sync that saves a new token) and validating in a loop. No instance may
// ever read a corrupt value or find the token gone once it was saved: every call must succeed,
// and every save must be cached. It runs against the file store everywhere, and against the
// real keychain (alone, and as the default store's first backend) where a Secret Service runs:
// .ci/keychain-tests runs it inside its gnome-keyring session.
func TestMultiProcess(t *testing.T) {
	if os.Getenv("TOLLGATE_MP_CHILD") != "" {
		multiProcessChild(t)
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, kind := range []string{"file", "keychain", "default"} {
		t.Run(kind, func(t *testing.T) {
			useRealBus(t.Setenv)
			service := "tollgate-mp-" + strconv.Itoa(os.Getpid())
			dir := t.TempDir()
			if kind == "keychain" { // the default store runs everywhere: on the file when headless
				probe := store.NewKeychain(service)
				if _, err := probe.Load(ctx, "probe"); err != nil && !errors.Is(err, store.ErrNotFound) {
					if os.Getenv("TOLLGATE_REQUIRE_KEYCHAIN") == "1" {
						t.Fatalf("TOLLGATE_REQUIRE_KEYCHAIN=1 but the keychain does not answer: %v", err)
					}
					t.Skipf("no OS keychain here: %v", err)
				}
			}
			srv := licensingtest.NewServer(licensingtest.WithSigningKey(signingKey()))
			t.Cleanup(srv.Close)
			key := srv.AddLicense(licensingtest.License{ExpiresAt: time.Now().Add(24 * time.Hour), ServerSyncInterval: time.Hour})
			childEnv := append(os.Environ(), "TOLLGATE_MP_CHILD="+kind, "TOLLGATE_MP_DIR="+dir,
				"TOLLGATE_MP_SERVICE="+service, "TOLLGATE_MP_URL="+srv.URL, "TOLLGATE_MP_PRODUCT="+srv.ProductID,
				"TOLLGATE_MP_PUBKEY="+srv.PublicKey, "TOLLGATE_MP_KEY="+key,
				"TOLLGATE_MP_CONFIG="+filepath.Join(dir, "config"))
			// The file store of the default store goes to XDG_CONFIG_HOME: point ours there too.
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
			c := newMultiProcessClient(t, kind, dir, service, srv.URL, srv.ProductID, srv.PublicKey)
			t.Cleanup(func() { _ = c.ClearCache(context.Background()) })
			a, err := c.Activate(ctx, licensing.ActivationRequest{Key: key})
			if err != nil {
				t.Fatal(err)
			}
			const procs = 3
			var wg sync.WaitGroup
			outs := make([]bytes.Buffer, procs)
			errs := make([]error, procs)
			for i := range procs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cmd := exec.Command(os.Args[0], "-test.run=^TestMultiProcess$", "-test.count=1", "-test.v")
					cmd.Env = append(slices.Clip(childEnv), "TOLLGATE_MP_ID="+a.ID, "TOLLGATE_MP_N="+strconv.Itoa(i))
					cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
					errs[i] = cmd.Run()
				}()
			}
			wg.Wait()
			for i := range procs {
				if errs[i] != nil || !strings.Contains(outs[i].String(), "mp: done") {
					t.Errorf("process %d: %v\n%s", i, errs[i], outs[i].String())
				}
			}
			if _, err := c.Validate(ctx); err != nil {
				t.Fatalf("after the run: %v", err)
			}
			for i := range procs {
				for _, line := range strings.Split(outs[i].String(), "\n") {
					if strings.Contains(line, "mp: done") {
						t.Log(strings.TrimSpace(line))
					}
				}
			}
		})
	}
}

func newMultiProcessClient(t *testing.T, kind, dir, service, url, product, pub string) *licensing.Client {
	t.Helper()
	m := machine("mp")
	c, err := licensing.New(licensing.Config{ProductID: product, PublicKey: pub, BaseURL: url,
		Store: multiProcessStore(kind, dir, service), Machine: &m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func multiProcessChild(t *testing.T) {
	g := os.Getenv
	// This process's TestMain (testhome) pointed the config folder and the bus elsewhere.
	os.Setenv("XDG_CONFIG_HOME", g("TOLLGATE_MP_CONFIG"))
	useRealBus(func(k, v string) { os.Setenv(k, v) })
	c := newMultiProcessClient(t, g("TOLLGATE_MP_CHILD"), g("TOLLGATE_MP_DIR"), g("TOLLGATE_MP_SERVICE"),
		g("TOLLGATE_MP_URL"), g("TOLLGATE_MP_PRODUCT"), g("TOLLGATE_MP_PUBKEY"))
	key, id := g("TOLLGATE_MP_KEY"), g("TOLLGATE_MP_ID")
	const rounds = 25
	start := time.Now()
	for i := range rounds {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if _, err := c.Validate(cctx); err != nil {
			t.Fatalf("round %d: Validate: %v", i, err)
		}
		if _, err := c.UpdateActivation(cctx, id, licensing.Update{Key: key}); err != nil {
			t.Fatalf("round %d: update: %v", i, err)
		}
		if a, err := c.Activate(cctx, licensing.ActivationRequest{Key: key}); err != nil || a.ID != id {
			t.Fatalf("round %d: Activate: %v (activation %v)", i, err, a)
		}
		cancel()
	}
	fmt.Printf("mp: done: process %s, %d rounds of validate, update and activate in %v\n",
		g("TOLLGATE_MP_N"), rounds, time.Since(start).Round(time.Millisecond))
}

// useRealBus undoes, for the tests that need the real keychain, what testhome did to the
// D-Bus session address: .ci/keychain-tests passes its session's as TOLLGATE_KEYCHAIN_BUS.
func useRealBus(setenv func(key, value string)) {
	if v := os.Getenv("TOLLGATE_KEYCHAIN_BUS"); v != "" {
		setenv("DBUS_SESSION_BUS_ADDRESS", v)
	}
}
