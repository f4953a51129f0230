// Package testhome keeps a test binary away from the developer's real home: its TestMain calls
// [Run], so that a test that leaves [licensing.Config.Store] or [licensing.Config.Machine] nil
// by mistake writes its install id and cache into a temporary folder, and reaches no desktop
// keychain (nor starts a D-Bus daemon to find one).
package testhome

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Vars are the variables Run points away from the real home: the folders that os.UserConfigDir,
// os.UserCacheDir and os.UserHomeDir read on Linux, macOS and Windows, and the D-Bus session
// address, set to a socket that does not exist so that no Secret Service is reached or
// autolaunched.
var Vars = []string{"HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "APPDATA", "LOCALAPPDATA", "USERPROFILE"}

// M wraps m so that its Run points every one of Vars at a fresh temporary folder and the D-Bus
// session address at nothing, runs the tests, and removes the folder:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(testhome.M(m)) }
//
// Tests that need a real keychain (token's, run by .ci/keychain-tests) do not use it.
func M(m *testing.M) interface{ Run() int } { return home{m} }

type home struct{ m *testing.M }

// Run runs the tests in the temporary home.
func (h home) Run() int {
	dir, err := os.MkdirTemp("", "tollgate-test-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testhome:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	for _, v := range Vars {
		os.Setenv(v, dir)
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(dir, "no-bus"))
	return h.m.Run()
}
