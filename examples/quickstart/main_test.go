package main

import (
	"testing"

	"github.com/tollgate-dev/tollgate/internal/testhome"
	"go.uber.org/goleak"
)

func TestQuickstartRuns(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	for _, k := range []string{"TOLLGATE_API_URL", "TOLLGATE_PRODUCT_ID", "TOLLGATE_PUBLIC_KEY", "TOLLGATE_LICENSE_KEY", "TOLLGATE_ACTIVATION_ID"} {
		t.Setenv(k, "")
	}
	if code := run(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestQuickstartBadSettings(t *testing.T) {
	t.Setenv("TOLLGATE_API_URL", "")
	t.Setenv("TOLLGATE_PRODUCT_ID", "p")
	if code := run(); code != 2 {
		t.Fatalf("partial settings: exit code %d, want 2", code)
	}
	t.Setenv("TOLLGATE_API_URL", "http://api.example.com") // plain http to a remote host
	t.Setenv("TOLLGATE_PUBLIC_KEY", "x")
	t.Setenv("TOLLGATE_LICENSE_KEY", "k")
	t.Setenv("TOLLGATE_ACTIVATION_ID", "a")
	if code := run(); code != 2 {
		t.Fatalf("bad settings: exit code %d, want 2", code)
	}
}

// TestMain checks that the quickstart leaves no goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(testhome.M(m)) }
