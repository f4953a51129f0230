package licensing

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/token"
)

// TestFirstCheckWaitsForItsReadAhead: the goroutine that a client's first offline check starts
// (readAhead) is done when the check returns, whether it found an activation or returned early.
// Not parallel: it counts goroutines.
func TestFirstCheckWaitsForItsReadAhead(t *testing.T) {
	ctx := context.Background()
	full := testMachine()
	_, store, cfg := lazyEnv(t, full)
	// A slow first witness reading (thousands of paths to stat), so that the read-ahead outlasts
	// the check's own work by far.
	dir := t.TempDir()
	cfg.ClockWitnesses = make([]string, 5000)
	for i := range cfg.ClockWitnesses {
		cfg.ClockWitnesses[i] = filepath.Join(dir, strconv.Itoa(i))
	}
	for name, s := range map[string]token.Store{"activated": store, "nothing cached": token.NewMemoryStore()} {
		cfg := cfg
		cfg.Store = s
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		(&readers{full: full}).install(c)
		before := runtime.NumGoroutine()
		_, err = c.Validate(ctx)
		if after := runtime.NumGoroutine(); after > before {
			t.Errorf("%s: Validate (%v) returned with %d goroutines, %d before", name, err, after, before)
		}
		if (err == nil) != (name == "activated") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// unavailableStore cannot be read, as a locked keychain.
type unavailableStore struct{ token.Store }

func (unavailableStore) Load(context.Context, string) (string, error) {
	return "", token.ErrUnavailable
}

// TestFirstCheckFingerprintErrorFirst: the cache is read before the fingerprint is asked for,
// yet a fingerprint that cannot be read is still the check's error, ahead of the cache's; and it
// is read again by the check (the read-ahead's failure is not kept).
func TestFirstCheckFingerprintErrorFirst(t *testing.T) {
	t.Parallel()
	_, store, cfg := lazyEnv(t, testMachine())
	cfg.Store = unavailableStore{store}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("no machine id")
	var reads atomic.Int32
	c.collectID = func(context.Context, string) (fingerprint.Machine, error) {
		reads.Add(1)
		return fingerprint.Machine{}, boom
	}
	_, err = c.Validate(context.Background())
	if !errors.Is(err, boom) || errors.Is(err, ErrCacheUnavailable) {
		t.Fatalf("Validate: %v", err)
	}
	if n := reads.Load(); n != 2 {
		t.Fatalf("the fingerprint was read %d times, want 2 (ahead, then by the check)", n)
	}
}
