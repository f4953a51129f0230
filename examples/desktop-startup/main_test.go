package main

import (
	"errors"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/testhome"
	"github.com/tollgate-dev/tollgate/licensing"
	"go.uber.org/goleak"
)

func TestDesktopStartupRuns(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	t.Setenv("TOLLGATE_API_URL", "")
	if code := run(1500 * time.Millisecond); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestStartupModes(t *testing.T) {
	t.Parallel()
	act := &licensing.Activation{Type: "node-locked", ExpiresAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	for err, want := range map[error]string{
		nil:                              "full features (node-locked)",
		licensing.ErrExpired:             "read-only: the license expired on 2026-01-02; offer renewal",
		licensing.ErrNotActivated:        "ask for a license key",
		licensing.ErrFingerprintMismatch: "ask for a license key",
		licensing.ErrClockRolledBack:     "blocked: the system clock is wrong; ask the user to fix date and time",
	} {
		if got := startupMode(act, err); got != want {
			t.Errorf("%v: %q, want %q", err, got, want)
		}
	}
	if got := afterSync(nil, &licensing.RateLimitError{RetryAfter: time.Minute}); got != "rate limited; try again in 1m0s, keep running on the cached token" {
		t.Error(got)
	}
	if got := afterSync(nil, errors.New("dial tcp: refused")); got != "offline (dial tcp: refused); keep running on the cached token" {
		t.Error(got)
	}
}

// TestMain checks that the example leaves no goroutine behind: Watch runs in one and must end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(testhome.M(m)) }
