//go:build !windows

package keyring

import (
	"net"
	"path/filepath"
	"testing"
)

func TestSessionBusAddress(t *testing.T) {
	t.Parallel()
	sockets := map[string]bool{"/run/user/1000/bus": true, "/tmp/dbus-abc": true, "/tmp/with space/bus": true}
	exists := func(p string) bool { return sockets[p] }
	cases := []struct {
		name, addr, runtime, want string
	}{
		{"nothing at all: headless", "", "", ""},
		{"no address, no socket in the runtime dir", "", "/run/user/0", ""},
		{"no address, the runtime dir's bus", "", "/run/user/1000", "unix:path=/run/user/1000/bus"},
		{"runtime dir with a space", "", "/tmp/with space", "unix:path=/tmp/with%20space/bus"},
		{"a relative runtime dir is ignored", "", "run/user/1000", ""},
		{"an address wins", "unix:path=/tmp/dbus-abc,guid=1", "/run/user/1000", "unix:path=/tmp/dbus-abc,guid=1"},
		{"abstract socket", "unix:abstract=/tmp/dbus-x,guid=2", "", "unix:abstract=/tmp/dbus-x,guid=2"},
		{"tcp", "tcp:host=localhost,port=1234", "", "tcp:host=localhost,port=1234"},
		{"autolaunch would start a bus", "autolaunch:", "", ""},
		{"autolaunch falls back to the runtime dir", "autolaunch:", "/run/user/1000", "unix:path=/run/user/1000/bus"},
		{"unixexec would start a process", "unixexec:path=/bin/sh", "", ""},
		{"launchd looks a process up", "launchd:env=DBUS_LAUNCHD_SESSION_BUS_SOCKET", "", ""},
		{"a list keeps what is safe", "autolaunch:;unix:path=/tmp/dbus-abc", "", "unix:path=/tmp/dbus-abc"},
		{"a stale socket path is no bus", "unix:path=/nonexistent", "", ""},
		{"a stale address falls back to the runtime dir", "unix:path=/nonexistent", "/run/user/1000", "unix:path=/run/user/1000/bus"},
		{"garbage", "not an address", "", ""},
	}
	for _, c := range cases {
		env := map[string]string{"DBUS_SESSION_BUS_ADDRESS": c.addr, "XDG_RUNTIME_DIR": c.runtime}
		if got := sessionBusAddress(func(k string) string { return env[k] }, exists); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestIsSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "bus")
	l, err := net.Listen("unix", p)
	if err != nil {
		t.Skip(err)
	}
	defer l.Close()
	if !isSocket(p) || isSocket(dir) || isSocket(filepath.Join(dir, "none")) {
		t.Fatal("isSocket")
	}
}
