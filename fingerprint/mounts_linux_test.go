//go:build linux

package fingerprint

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"syscall"
	"testing"
)

// realMagic is the statfs magic of the mountinfo file-system types this test can name.
var realMagic = map[string]uint32{
	"tmpfs": tmpfsMagic, "ramfs": ramfsMagic, "overlay": overlayMagic, "ext2": 0xef53, "ext3": 0xef53,
	"ext4": 0xef53, "xfs": 0x58465342, "btrfs": 0x9123683e, "proc": 0x9fa0, "sysfs": 0x62656572,
	"devpts": 0x1cd1, "cgroup2": 0x63677270, "f2fs": 0xf2f52010, "zfs": 0x2fc12fc2,
}

// TestStatLiveMatchesMountinfo asks this machine's kernel about paths that exist here and
// compares with what /proc/self/mountinfo says of them: the file system holding each path and
// whether a mount is at it. Paths that are absent, or reached through a symbolic link, are
// skipped (statLive refuses the latter, and the rules then read mountinfo).
func TestStatLiveMatchesMountinfo(t *testing.T) {
	t.Parallel()
	mi := newProbe(os.DirFS("/"), os.LookupEnv)
	if len(mi.mounts()) == 0 {
		t.Skip("no /proc/self/mountinfo here")
	}
	asked := 0
	for _, path := range []string{"/", "/etc/machine-id", "/var/lib/dbus/machine-id", "/proc", "/dev/shm", "/run", "/tmp", "/sys", "/dev"} {
		st, err := statLive(path)
		switch {
		case errors.Is(err, syscall.ENOSYS):
			t.Skipf("openat2 is not available here (Linux before 5.6, or a sandbox): %v", err)
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ELOOP):
			t.Logf("%s: %v; skipped", path, err)
			continue
		case err != nil:
			t.Errorf("%s: %v", path, err)
			continue
		}
		asked++
		holder, _ := mi.mountContaining(path)
		at, mounted := mi.mountAt(path)
		if mounted && at != holder {
			t.Errorf("%s: mountinfo's mount at it %q differs from its holder %q", path, at.line, holder.line)
		}
		// What the rules rely on: statfs says "not tmpfs or ramfs" and "not overlay" truly.
		if !st.maybeTransient() && transientFS[holder.fstype] {
			t.Errorf("%s: magic %#x, but mountinfo says %s", path, st.magic, holder.fstype)
		}
		if st.magic != overlayMagic && holder.fstype == "overlay" {
			t.Errorf("%s: magic %#x, but mountinfo says overlay", path, st.magic)
		}
		if want, ok := realMagic[holder.fstype]; ok && st.magic != want {
			t.Errorf("%s: magic %#x, want %#x for %s", path, st.magic, want, holder.fstype)
		}
		if st.mountRootKnown && st.mountRoot != mounted {
			t.Errorf("%s: statx says mount root %v, mountinfo %v", path, st.mountRoot, mounted)
		}
		t.Logf("%s: %s (magic %#x), mount root %v (known %v)", path, holder.fstype, st.magic, st.mountRoot, st.mountRootKnown)
	}
	if asked < 3 {
		t.Skipf("only %d paths could be asked about", asked)
	}
}

// TestLiveRulesEqualMountinfo runs the rules over this machine twice, asking the kernel and
// reading mountinfo alone: the answers and the evidence are the same. Where the kernel's
// answers settle every mount rule (see mountinfoNeeded), mountinfo is not read at all.
func TestLiveRulesEqualMountinfo(t *testing.T) {
	t.Parallel()
	if _, err := statLive("/"); err != nil {
		t.Skipf("the kernel cannot be asked here: %v", err)
	}
	root := os.DirFS("/")
	p := newProbe(root, os.LookupEnv)
	want, wantEv, _ := runLinux(p, fileIDContent(p, "app"), false)
	q := newProbe(root, os.LookupEnv)
	q.stat = statLive
	got, ev, _ := runLinux(q, fileIDContent(q, "app"), false)
	if got != want {
		t.Fatalf("asking the kernel: %+v\nmountinfo alone: %+v", got, want)
	}
	if ev.VM != wantEv.VM || ev.Container != wantEv.Container || !reflect.DeepEqual(ev.IDs, wantEv.IDs) {
		t.Fatalf("asking the kernel: %+v\nmountinfo alone: %+v", ev, wantEv)
	}
	settled := !mountinfoNeeded(wantEv, func(path string) bool { _, err := os.Lstat(path); return err == nil })
	for _, src := range linuxIDSources[:2] { // an id path through a symbolic link is left to mountinfo
		if _, err := statLive(src.mount); err != nil && !errors.Is(err, fs.ErrNotExist) {
			settled = false
		}
	}
	readMI := slices.Contains(ev.Files, "proc/self/mountinfo")
	if settled && readMI {
		t.Errorf("mountinfo read where the kernel's answers settle every rule: %v", ev.Files)
	}
	t.Logf("settled by the kernel: %v; files: %v", settled, ev.Files)
}
