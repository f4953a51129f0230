package fingerprint

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// notForFingerprint are the files only the other signals need: the OS version, the VM rules and
// the user database.
func notForFingerprint(name string) bool {
	for _, prefix := range []string{"etc/os-release", "usr/lib/os-release", "proc/sys/kernel/osrelease", "proc/cpuinfo",
		"sys/class/dmi/id/sys_", "sys/class/dmi/id/product_name", "sys/class/dmi/id/product_version", "sys/class/dmi/id/bios_",
		"sys/class/dmi/id/board_", "sys/class/dmi/id/chassis_", "sys/hypervisor", "sys/firmware", "proc/xen",
		"proc/sys/fs/binfmt_misc", "dev/mshv", "etc/passwd", "etc/group"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// TestCollectFingerprintAgreesOnEveryFixture: on every fixture tree, through Collect's own path
// (install id included), CollectFingerprint gives Collect's fingerprint, source and container
// verdict, fails where Collect fails for want of an id, and reads none of the files that only
// the other signals need, nor the host name or the user, whether the mount questions go to
// mountinfo or to a kernel.
func TestCollectFingerprintAgreesOnEveryFixture(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tree := range fixtureTrees(t) {
		t.Run(tree, func(t *testing.T) {
			t.Parallel()
			// The evidence of the rules reading mountinfo alone says where a kernel settles them.
			_, miEv, err := fixtureCollector(t, tree).collect(ctx, "app-1", false)
			if err != nil {
				t.Fatal(err)
			}
			fsys := fixture(t, tree).FS
			exists := func(path string) bool { _, err := fs.Stat(fsys, strings.TrimPrefix(path, "/")); return err == nil }
			for _, kernel := range []bool{false, true} {
				c := fixtureCollector(t, tree)
				if kernel {
					c.statPath = fixtureKernel(t, c.fsys, true)
				}
				want, _, err := c.collect(ctx, "app-1", false)
				if err != nil {
					t.Fatal(err)
				}
				var p *probe
				c.probeHook = func(pr *probe) { p = pr }
				hostname, userName := c.hostname, c.userName
				c.hostname = func() (string, error) { t.Error("the host name was read"); return "h", nil }
				c.userName = func() (string, error) { t.Error("the user name was read"); return "u", nil }
				got, err := c.collectFingerprint(ctx, "app-1")
				if err != nil {
					t.Fatal(err)
				}
				c.hostname, c.userName = hostname, userName
				if visible(got) != (Machine{OS: want.OS, Fingerprint: want.Fingerprint, Source: want.Source, Container: want.Container}) {
					t.Errorf("kernel %v: %+v; Collect %+v", kernel, got, want)
				}
				if p == nil {
					t.Fatal("no probe")
				}
				for _, name := range p.order {
					if notForFingerprint(name) {
						t.Errorf("kernel %v: read %s: %v", kernel, name, p.order)
					}
				}
				if kernel && slices.Contains(p.order, "proc/self/mountinfo") && !mountinfoNeeded(miEv, exists) {
					t.Errorf("read mountinfo where a kernel settles the rules: %v", p.order)
				}

				// No usable id and no install id: both fail alike.
				c.installID = func(context.Context) (string, error) { return "", errNoInstallID }
				_, _, errFull := c.collect(ctx, "app-1", false)
				_, errFP := c.collectFingerprint(ctx, "app-1")
				if (errFull == nil) != (errFP == nil) || errFP != nil && !errors.Is(errFP, ErrNoMachineID) {
					t.Errorf("without an install id: Collect %v, CollectFingerprint %v", errFull, errFP)
				}
			}
		})
	}
}

// TestCollectFingerprintNative: on Windows and macOS CollectFingerprint reads the ids alone
// (not the version, firmware or container values) and agrees with Collect, the install-id
// fallback included.
func TestCollectFingerprintNative(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		goos string
		ids  []idCandidate
	}{
		{"windows", []idCandidate{{SourceMachineGUID, "{6F1A7C2D-3B4E-4F50-8A9B-0C1D2E3F4A5B}"}}},
		{"darwin", []idCandidate{{SourcePlatformUUID, "00000000-0000-0000-0000-000000000000"}}},
		{"darwin", []idCandidate{{SourcePlatformUUID, "2B7E9C41-5D3A-4F86-B1C0-9E8D7F6A5B4C"}}},
		{"ios", nil},
	} {
		idReads := 0
		c := fixtureCollector(t, "kvm-guest")
		c.goos = tc.goos
		c.native = func(ctx context.Context) (nativeInfo, error) {
			return nativeInfo{osVersion: "10.0", vm: VMVMware, ids: tc.ids}, nil
		}
		c.nativeIDs = func(context.Context) ([]idCandidate, error) { idReads++; return tc.ids, nil }
		want, _, err := c.collect(ctx, "app-1", false)
		if err != nil {
			t.Fatal(err)
		}
		c.native = func(context.Context) (nativeInfo, error) {
			t.Errorf("%s: the full native reader ran", tc.goos)
			return nativeInfo{}, nil
		}
		got, err := c.collectFingerprint(ctx, "app-1")
		if err != nil {
			t.Fatal(err)
		}
		if visible(got) != (Machine{OS: want.OS, Fingerprint: want.Fingerprint, Source: want.Source}) || idReads != 1 {
			t.Errorf("%s: %+v after %d reads; Collect %+v", tc.goos, got, idReads, want)
		}
	}
}

// recordingFS records every name opened or stat'ed.
type recordingFS struct {
	fsys  fs.FS
	mu    sync.Mutex
	names []string
}

func (r *recordingFS) note(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names = append(r.names, name)
}

func (r *recordingFS) Open(name string) (fs.File, error) {
	r.note(name)
	return r.fsys.Open(name)
}

func (r *recordingFS) Stat(name string) (fs.FileInfo, error) {
	r.note(name)
	return fs.Stat(r.fsys, name)
}

// TestCollectFingerprintThisMachine: on this machine CollectFingerprint gives Collect's
// fingerprint and source. On Linux it reads none of /proc/cpuinfo, the DMI strings, the
// os-release files, the kernel release or the user database (os/user's, which the user-name
// reader stands for), nor the host name. Where the kernel settles every mount rule it does not
// read /proc/self/mountinfo either.
func TestCollectFingerprintThisMachine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // keep a fallback install id out of the real config
	ctx := context.Background()
	want, err := Collect(ctx, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	fp, err := CollectFingerprint(ctx, "app-1")
	if err != nil || fp.Fingerprint != want.Fingerprint || fp.Source != want.Source || fp.OS != want.OS {
		t.Fatalf("%+v, %v; Collect %+v", fp, err, want)
	}
	if runtime.GOOS != "linux" {
		return // the rest is about the Linux rules' files
	}
	c := defaultCollector()
	rec := &recordingFS{fsys: c.fsys}
	c.fsys = rec
	c.hostname = func() (string, error) { t.Error("the host name was read"); return "h", nil }
	c.userName = func() (string, error) { t.Error("the user name (and so /etc/passwd) was read"); return "u", nil }
	got, err := c.collectFingerprint(ctx, "app-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint != want.Fingerprint || got.Source != want.Source || got.OS != want.OS || got.Container != want.Container {
		t.Fatalf("%+v; Collect %+v", got, want)
	}
	if got.OSVersion != "" || got.VMName != "" || got.Hostname != "" || got.UserHash != "" {
		t.Errorf("signals beyond the fingerprint: %+v", got)
	}
	for _, name := range rec.names {
		if notForFingerprint(name) {
			t.Errorf("read %s: %v", name, rec.names)
		}
	}
	// The rules again, reading mountinfo alone, say whether the kernel could settle them here.
	p := newProbe(os.DirFS("/"), os.LookupEnv)
	_, ev, _ := runLinux(p, fileIDContent(p, "app-1"), false)
	settled := !mountinfoNeeded(ev, func(path string) bool { _, err := os.Lstat(path); return err == nil })
	for _, path := range []string{"/", "/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if _, err := statLive(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			settled = false
		}
	}
	if settled && slices.Contains(rec.names, "proc/self/mountinfo") {
		t.Errorf("read mountinfo where the kernel settles every rule: %v", rec.names)
	}
	t.Logf("files: %v (kernel settles the mount rules: %v)", rec.names, settled)
}
