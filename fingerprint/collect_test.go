package fingerprint

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fixture returns the captured tree testdata/<name> as a Snapshot of a Linux machine. A file
// named ENV in the tree holds the environment, one NAME=value a line.
func fixture(t testing.TB, name string) Snapshot {
	t.Helper()
	root := filepath.Join("testdata", name)
	if _, err := os.Stat(root); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	if f, err := os.Open(filepath.Join(root, "ENV")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				env[k] = v
			}
		}
		f.Close()
	}
	return Snapshot{FS: os.DirFS(root), Env: env, Hostname: "fixture-host", UserName: "alice",
		InstallID: "0123456789abcdef0123456789abcdef"}
}

// fixtureCollector runs Collect's own path (install-id persistence included) over a fixture.
func fixtureCollector(t testing.TB, name string) *collector {
	t.Helper()
	s := fixture(t, name)
	return &collector{
		goos: "linux",
		fsys: s.FS,
		lookupEnv: func(k string) (string, bool) {
			v, ok := s.Env[k]
			return v, ok
		},
		hostname:  func() (string, error) { return s.Hostname, nil },
		userName:  func() (string, error) { return s.UserName, nil },
		installID: func(context.Context) (string, error) { return s.InstallID, nil },
		native:    readNative,
	}
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestFixtures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tree      string
		osVersion string
		vm        string
		container bool
		source    Source
	}{
		{"docker-cgroup-v1", "Debian GNU/Linux 12 (bookworm)", "", true, SourceProductUUID},
		{"docker-cgroup-v2", "3.20.1", "", true, SourceInstallID},
		// Podman's own /etc/machine-id is a tmpfs file made for this container: not durable.
		{"podman", "40", "", true, SourceInstallID},
		{"k8s-containerd", "Debian GNU/Linux 12 (bookworm)", VMGCE, true, SourceInstallID},
		{"lxc", "Ubuntu 22.04.4 LTS", "", true, SourceInstallID},
		{"kvm-guest", "Ubuntu 22.04.4 LTS", VMKVM, false, SourceMachineID},
		{"vmware-guest", "9.4", VMVMware, false, SourceMachineID},
		{"baremetal-kvm-host", "Debian GNU/Linux 12 (bookworm)", "", false, SourceMachineID},
		{"wsl2", "Ubuntu 22.04.4 LTS", VMWSL2, false, SourceMachineID},
		{"empty-machine-id", "Debian GNU/Linux 12 (bookworm)", "", false, SourceInstallID},
		{"shared-image-machine-id", "11", VMVirtualBox, false, SourceProductUUID},
		{"zero-machine-id", "6.6.32-android15", "", false, SourceDBusMachineID},
		{"aws-nitro", "2023", VMAWS, false, SourceMachineID},
		{"xen-guest", "Debian GNU/Linux 12 (bookworm)", VMXen, false, SourceMachineID},
	}
	for _, tc := range cases {
		t.Run(tc.tree, func(t *testing.T) {
			t.Parallel()
			m, err := CollectFrom(context.Background(), "app-1", fixture(t, tc.tree))
			if err != nil {
				t.Fatal(err)
			}
			if m.OS != "linux" || m.Hostname != "fixture-host" {
				t.Errorf("OS %q hostname %q", m.OS, m.Hostname)
			}
			if m.OSVersion != tc.osVersion {
				t.Errorf("OSVersion = %q, want %q", m.OSVersion, tc.osVersion)
			}
			if m.VMName != tc.vm {
				t.Errorf("VMName = %q, want %q", m.VMName, tc.vm)
			}
			if m.Container != tc.container {
				t.Errorf("Container = %v, want %v", m.Container, tc.container)
			}
			if m.Source != tc.source {
				t.Errorf("Source = %q, want %q", m.Source, tc.source)
			}
			if !hex64.MatchString(m.Fingerprint) || !hex64.MatchString(m.UserHash) {
				t.Errorf("fingerprint %q / user hash %q not 64 hex digits", m.Fingerprint, m.UserHash)
			}
			other, err := CollectFrom(context.Background(), "app-2", fixture(t, tc.tree))
			if err != nil {
				t.Fatal(err)
			}
			if other.Fingerprint == m.Fingerprint || other.UserHash == m.UserHash {
				t.Error("another app id gives the same fingerprint or user hash")
			}
		})
	}
}

// TestSharedIDsDoNotCollide: two machines built from one image (same shipped machine-id) but
// with different hardware must not share a fingerprint.
func TestSharedIDsDoNotCollide(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, host := range []string{"a", "b"} {
		for _, f := range []struct{ path, content string }{
			{"etc/machine-id", "88544b92092430bc5d3fbbffc12a2f04\n"},
			{"sys/class/dmi/id/product_uuid", map[string]string{"a": "11111111-2222-4333-8444-555555555555", "b": "66666666-7777-4888-9999-aaaaaaaaaaaa"}[host]},
		} {
			p := filepath.Join(dir, host, f.path)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(f.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	fp := map[string]string{}
	for _, host := range []string{"a", "b"} {
		s := fixture(t, "kvm-guest")
		s.FS = os.DirFS(filepath.Join(dir, host))
		m, err := CollectFrom(context.Background(), "app", s)
		if err != nil {
			t.Fatal(err)
		}
		if m.Source != SourceProductUUID {
			t.Fatalf("source %q, want the product UUID", m.Source)
		}
		fp[host] = m.Fingerprint
	}
	if fp["a"] == fp["b"] {
		t.Fatal("two machines from one image share a fingerprint")
	}
}

func TestNoUsableIDFails(t *testing.T) {
	t.Parallel()
	c := fixtureCollector(t, "empty-machine-id")
	c.installID = func(context.Context) (string, error) { return "", errNoInstallID }
	_, _, err := c.collect(context.Background(), "app", false)
	if !errors.Is(err, errNoInstallID) || !errors.Is(err, ErrNoMachineID) {
		t.Fatalf("want errNoInstallID and ErrNoMachineID, got %v", err)
	}
	// CollectFrom writes nothing: with no install id in the snapshot it stops.
	s := fixture(t, "empty-machine-id")
	s.InstallID = ""
	if _, err := CollectFrom(context.Background(), "app", s); !errors.Is(err, ErrNoMachineID) {
		t.Fatalf("CollectFrom without an install id: %v", err)
	}
	s.InstallID = "0000"
	if _, err := CollectFrom(context.Background(), "app", s); !errors.Is(err, ErrNoMachineID) {
		t.Fatalf("CollectFrom with an unusable install id: %v", err)
	}
}

func TestUnsupportedOSAndBadInput(t *testing.T) {
	t.Parallel()
	c := fixtureCollector(t, "kvm-guest")
	c.goos = "plan9"
	if _, _, err := c.collect(context.Background(), "app", false); !errors.Is(err, ErrUnsupportedOS) {
		t.Errorf("plan9: %v", err)
	}
	c.goos = "linux"
	if _, _, err := c.collect(context.Background(), "", false); err == nil {
		t.Error("empty app id accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.collect(ctx, "app", false); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: %v", err)
	}
}

func TestOSNames(t *testing.T) {
	t.Parallel()
	for goos, want := range map[string]string{"darwin": "macos", "windows": "windows", "linux": "linux", "android": "android", "ios": "ios"} {
		if got, ok := osName(goos); !ok || got != want {
			t.Errorf("osName(%q) = %q, %v", goos, got, ok)
		}
	}
	if _, ok := osName("freebsd"); ok {
		t.Error("freebsd accepted")
	}
}
