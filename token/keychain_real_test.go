package token

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// realKeychain returns the OS keychain, or skips when none answers. With
// TOLLGATE_REQUIRE_KEYCHAIN=1 (as .ci/run sets inside its D-Bus session) it fails instead, so
// CI cannot pass by skipping.
func realKeychain(t *testing.T, o KeychainOptions) Store {
	t.Helper()
	s := NewKeychainStoreWithOptions("tollgate-test", o)
	_, err := s.Load(context.Background(), "probe")
	if err != nil && !errors.Is(err, ErrNotFound) {
		if os.Getenv("TOLLGATE_REQUIRE_KEYCHAIN") == "1" {
			t.Fatalf("TOLLGATE_REQUIRE_KEYCHAIN=1 but the keychain does not answer: %v", err)
		}
		t.Skipf("no OS keychain (Secret Service) here, skipping: %v", err)
	}
	return s
}

func TestRealKeychain(t *testing.T) {
	s := realKeychain(t, KeychainOptions{Timeout: 10 * time.Second})
	storeContract(t, s)
}

func TestRealKeychainChunkedAtWindowsLimit(t *testing.T) {
	s := realKeychain(t, KeychainOptions{ChunkSize: 2560, Timeout: 10 * time.Second})
	ctx := context.Background()
	value := strings.Repeat("0123456789abcdef", 10<<10/16) // 10 KiB
	if err := s.Save(ctx, "big", value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Delete(context.Background(), "big") })
	got, err := s.Load(ctx, "big")
	if err != nil || got != value {
		t.Fatalf("10 KiB round trip: %d bytes, %v", len(got), err)
	}
	// The manifest is small; the value really is split.
	raw, err := goKeyring{}.Get("tollgate-test", "big")
	if err != nil || !strings.HasPrefix(raw, manifestPrefix) || len(raw) > 200 {
		t.Fatalf("manifest %q, %v", raw, err)
	}
}
