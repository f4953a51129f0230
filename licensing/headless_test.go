//go:build linux

package licensing_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// TestHeadlessStartsNoProcess runs an app's start (New, then Validate with the default store)
// in a child process on a headless machine: no DBUS_SESSION_BUS_ADDRESS, an empty
// $XDG_RUNTIME_DIR, and dbus-launch on PATH if it is installed. Every process that the child
// or anything it started leaves running carries a marker in its environment; after the child
// has exited there must be none (godbus's autolaunch used to leave a dbus-daemon per start).
// The child also reports the time from New to the first Validate's answer.
func TestHeadlessStartsNoProcess(t *testing.T) {
	if os.Getenv("TOLLGATE_HEADLESS_CHILD") == "1" {
		headlessChild()
		return
	}
	var raw [8]byte
	rand.Read(raw[:])
	mark := "TOLLGATE_TEST_MARK=" + hex.EncodeToString(raw[:])
	dir := t.TempDir()
	runtimeDir := filepath.Join(dir, "run")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	before := countMarked(mark)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHeadlessStartsNoProcess$", "-test.count=1")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") &&
			!strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "TOLLGATE_HEADLESS_CHILD=1", mark, "XDG_RUNTIME_DIR="+runtimeDir, "HOME="+dir,
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	after := countMarked(mark)
	for _, pid := range after {
		_ = syscall.Kill(pid, syscall.SIGKILL) // ours: started by the child
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	if len(before) != 0 || len(after) != 0 {
		t.Fatalf("processes left behind by a headless start: %d before, %d after (%v; %s)", len(before), len(after), after, names(after))
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "headless:") {
			t.Log(line)
		}
	}
}

func headlessChild() {
	// This process's TestMain (testhome) set the bus address to a socket that does not exist;
	// headless is no address at all.
	os.Unsetenv("DBUS_SESSION_BUS_ADDRESS")
	srv := licensingtest.NewServer()
	defer srv.Close()
	start := time.Now()
	c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL})
	if err != nil {
		fmt.Println("New:", err)
		os.Exit(2)
	}
	_, err = c.Validate(ctx)
	elapsed := time.Since(start)
	if !errors.Is(err, licensing.ErrNotActivated) {
		fmt.Println("Validate: want ErrNotActivated on a fresh headless machine, got", err)
		os.Exit(2)
	}
	fmt.Printf("headless: New to first Validate %v (%s)\n", elapsed.Round(time.Microsecond), c.CacheLocation(ctx))
}

// countMarked returns the processes whose environment holds mark.
func countMarked(mark string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && bytes.Contains(env, []byte(mark)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func names(pids []int) string {
	var b strings.Builder
	for _, p := range pids {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", p))
		fmt.Fprintf(&b, "%d=%s ", p, bytes.TrimSpace(comm))
	}
	return b.String()
}
