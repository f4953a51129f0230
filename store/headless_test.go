//go:build linux

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate-dev/tollgate/internal/keyring"
)

// TestHeadlessStartsNothing: with no session bus (DBUS_SESSION_BUS_ADDRESS unset, an empty
// $XDG_RUNTIME_DIR) the keychain store and the default store answer without running anything:
// PATH holds only a dbus-launch (and a gnome-keyring-daemon) that would leave a mark if run,
// as godbus's autolaunch ran the real one. The keychain is ErrUnavailable, the default store
// uses the file at once, and no mark appears.
func TestHeadlessStartsNothing(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	mark := filepath.Join(dir, "ran")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dbus-launch", "dbus-daemon", "gnome-keyring-daemon"} {
		script := "#!/bin/sh\necho " + name + " >> " + mark + "\nexit 1\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	runtimeDir := filepath.Join(dir, "run")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	t.Setenv("DISPLAY", ":0") // autolaunch wants a display; give it one, so only our code stops it
	ctx := context.Background()

	k := NewKeychain("tollgate-test")
	if _, err := k.Load(ctx, "tok"); !errors.Is(err, ErrUnavailable) || !errors.Is(err, keyring.ErrNoKeychain) {
		t.Fatalf("keychain without a bus: %v", err)
	}
	d := newDefaultStore(k, NewFile(filepath.Join(dir, "cfg")), nil)
	if _, err := d.Load(ctx, "tok"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("default store without a bus: %v", err)
	}
	mustSave(t, d, "v")
	mustLoad(t, d, "v")
	if b, err := os.ReadFile(mark); err == nil {
		t.Fatalf("processes were started: %s", b)
	}
}
