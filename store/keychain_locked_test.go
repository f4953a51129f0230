//go:build linux

package store

import (
	"context"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/keyring"
	"github.com/tollgate-dev/tollgate/internal/secretservicetest"
)

// A locked collection is ErrUnavailable at once, without a prompt; 1,000 loads on it, each of
// which reaches the keychain (the backoff is a nanosecond), leave the goroutine count and the
// heap where they were: go-keyring registered a signal channel per call and never removed it.
func TestRealKeychainLockedStaysFlat(t *testing.T) {
	if os.Getenv("TOLLGATE_REQUIRE_KEYCHAIN") != "1" {
		t.Skip("locks the keychain: only inside .ci/keychain-tests' private session")
	}
	realKeychain(t, KeychainOptions{})
	secretservicetest.Lock(t)
	s := NewKeychainWithOptions("tollgate-test", KeychainOptions{Backoff: time.Nanosecond})
	ctx := context.Background()
	load := func() {
		start := time.Now()
		_, err := s.Load(ctx, "token")
		if !errors.Is(err, ErrUnavailable) || !errors.Is(err, keyring.ErrLocked) {
			t.Fatalf("locked keychain: want the locked error, got %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("a load on a locked keychain took %v", d)
		}
	}
	for range 20 { // warm up
		load()
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()
	for range 1000 {
		load()
	}
	time.Sleep(100 * time.Millisecond) // closed connections' goroutines end
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	g1 := runtime.NumGoroutine()
	t.Logf("1,000 loads on a locked keychain: goroutines %d -> %d, heap %d KiB -> %d KiB", g0, g1,
		before.HeapAlloc>>10, after.HeapAlloc>>10)
	if g1 > g0+2 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	if after.HeapAlloc > before.HeapAlloc+1<<20 {
		t.Errorf("heap grew from %d to %d bytes", before.HeapAlloc, after.HeapAlloc)
	}
	if err := s.Save(ctx, "token", "v"); !errors.Is(err, keyring.ErrLocked) {
		t.Fatalf("save on a locked keychain: %v", err)
	}
}
