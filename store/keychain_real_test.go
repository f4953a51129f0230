package store

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/token"
)

// realKeychain returns the OS keychain, or skips when none answers; it never starts a session
// bus to find out. With TOLLGATE_REQUIRE_KEYCHAIN=1 (as .ci/keychain-tests sets inside its D-Bus
// session) it fails instead, so CI cannot pass by skipping.
func realKeychain(t *testing.T, o KeychainOptions) *keychainStore {
	t.Helper()
	s := NewKeychainWithOptions("tollgate-test", o).(*keychainStore)
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
	raw, err := s.api.Get("tollgate-test", "big")
	if err != nil || !strings.HasPrefix(raw, manifestStart) || len(raw) > 200 {
		t.Fatalf("manifest %q, %v", raw, err)
	}
}

// Any token Verify accepts (up to token.MaxTokenSize), sealed in a record as licensing stores it, is
// cached with the default options and the default time limit, and reads back right after.
// The save times are logged: the figures for 100 KB and 250 KB tokens.
func TestRealKeychainBigTokens(t *testing.T) {
	s := realKeychain(t, KeychainOptions{})
	ctx := context.Background()
	t.Cleanup(func() { _ = s.Delete(context.Background(), "token") })
	for _, size := range []int{100_000, 250_000, token.MaxTokenSize} {
		tok := strings.Repeat("x", size)
		rec := record.Encode(record.Record{Token: tok, Key: "LICENSE-KEY", LastSeen: time.Now()}, record.SealKey("prod", "fp"), time.Now().UnixNano())
		start := time.Now()
		if err := s.Save(ctx, "token", rec); err != nil {
			t.Fatalf("save of a %d-byte token: %v", size, err)
		}
		saved := time.Since(start)
		start = time.Now()
		got, err := s.Load(ctx, "token")
		if err != nil || got != rec {
			t.Fatalf("load of a %d-byte token: %d bytes, %v", size, len(got), err)
		}
		t.Logf("token of %d bytes (record %d): save %v, load %v", size, len(rec), saved.Round(time.Millisecond),
			time.Since(start).Round(time.Millisecond))
	}
}
