//go:build linux

package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestExplainAgreesWithCollectUnderAHiddenMount: Explain's Machine is Collect's (its doc says
// so, and the support tool prints it as the answer Collect gives). Since Collect asks the kernel
// about /etc/machine-id and Explain reads mountinfo, they part where mountinfo lists a mount at
// /etc/machine-id that a later mount over /etc hides: the kernel judges the file that is read,
// mountinfo the hidden one. Outside a container a hidden tmpfs id makes Explain refuse the
// visible, durable id that Collect uses; inside one, a hidden bind from the host makes Explain
// accept the image's id that Collect refuses. (Before c71b4ed..HEAD both read mountinfo, so
// Collect's answer also changed on such machines: a new fingerprint.)
//
// It needs root and runs in a child process in a mount namespace of its own: no mount is seen
// outside it, and no file of the real /etc is written.
func TestExplainAgreesWithCollectUnderAHiddenMount(t *testing.T) {
	if os.Getenv("TOLLGATE_HIDDEN_CHILD") != "" {
		hiddenMountChild(t, os.Getenv("TOLLGATE_HIDDEN_CHILD"), os.Getenv("TOLLGATE_HIDDEN_DIR"))
		return
	}
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("needs root, and runs a child process")
	}
	if fi, err := os.Lstat("/etc/machine-id"); err != nil || !fi.Mode().IsRegular() {
		t.Skip("no regular /etc/machine-id to mount over")
	}
	for _, hidden := range []string{"tmpfs", "durable"} {
		dir := t.TempDir()
		var sfs unix.Statfs_t
		if err := unix.Statfs(dir, &sfs); err != nil || uint32(sfs.Type) == tmpfsMagic || uint32(sfs.Type) == ramfsMagic {
			t.Skip("the temporary directory is on a tmpfs")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestExplainAgreesWithCollectUnderAHiddenMount$", "-test.v")
		cmd.Env = append(os.Environ(), "TOLLGATE_HIDDEN_CHILD="+hidden, "TOLLGATE_HIDDEN_DIR="+dir,
			"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "HOME="+dir, "USER=u")
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS} // and / made rprivate
		out, err := cmd.CombinedOutput()
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) {
			t.Skipf("no mount namespace of its own here: %v", err) // a container without CAP_SYS_ADMIN
		}
		if strings.Contains(string(out), "--- SKIP") {
			t.Skipf("%s: %s", hidden, out)
		}
		if err != nil {
			t.Errorf("hidden %s mount at /etc/machine-id: %v\n%s", hidden, err, out)
		}
	}
}

func hiddenMountChild(t *testing.T, hidden, dir string) {
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Skip(err) // no mount rights here: nothing shown
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "config"), 0o700))
	// The mount at /etc/machine-id, to be hidden: a tmpfs file, or a durable one (as a host's
	// machine-id bound into a container).
	src := filepath.Join(dir, "hidden-machine-id")
	if hidden == "tmpfs" {
		must(os.Mkdir(filepath.Join(dir, "t"), 0o755))
		must(unix.Mount("tmpfs", filepath.Join(dir, "t"), "tmpfs", 0, "size=64k"))
		src = filepath.Join(dir, "t", "machine-id")
	}
	must(os.WriteFile(src, []byte("0123456789abcdef0123456789abcd01\n"), 0o444))
	must(unix.Mount(src, "/etc/machine-id", "", unix.MS_BIND, ""))
	// Then /etc is mounted over, with a machine-id of its own, on the durable file system.
	etc := filepath.Join(dir, "etc")
	must(os.Mkdir(etc, 0o755))
	must(os.WriteFile(filepath.Join(etc, "machine-id"), []byte("0123456789abcdef0123456789abcd02\n"), 0o444))
	must(unix.Mount(etc, "/etc", "", unix.MS_BIND, ""))

	ctx := context.Background()
	m, err := Collect(ctx, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	e, ev, err := Explain(ctx, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	if m.Fingerprint != e.Fingerprint || m.Source != e.Source {
		var why []string
		for _, c := range ev.IDs {
			why = append(why, fmt.Sprintf("%s: %s", c.Source, c.Why))
		}
		t.Fatalf("Collect uses %s, Explain %s (container %v)\nExplain's verdicts: %s",
			m.Source, e.Source, m.Container, strings.Join(why, "; "))
	}
}
