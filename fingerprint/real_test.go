package fingerprint

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/denisbrodbeck/machineid"
)

// TestCollectThisMachine runs the real readers. A child process collects again, to show the
// fingerprint survives a restart.
func TestCollectThisMachine(t *testing.T) {
	if os.Getenv("TOLLGATE_FP_CHILD") == "1" {
		m, err := Collect(context.Background(), "app-1")
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.WriteString("FP=" + m.Fingerprint + "\n")
		return
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg) // keep a fallback install id out of the real config
	m, err := Collect(context.Background(), "app-1")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := osName(runtime.GOOS)
	host, _ := os.Hostname()
	if m.OS != want || m.Hostname != host {
		t.Errorf("OS %q hostname %q, want %q %q", m.OS, m.Hostname, want, host)
	}
	if !hex64.MatchString(m.Fingerprint) || !hex64.MatchString(m.UserHash) {
		t.Errorf("fingerprint %q user hash %q", m.Fingerprint, m.UserHash)
	}
	if runtime.GOOS == "linux" {
		_, err := os.Stat("/.dockerenv")
		if inDocker := err == nil; inDocker && !m.Container {
			t.Error("/.dockerenv exists but Container is false")
		}
	}
	t.Logf("this machine: OS %s %q, VM %q, container %v, source %s", m.OS, m.OSVersion, m.VMName, m.Container, m.Source)

	other, err := Collect(context.Background(), "app-2")
	if err != nil {
		t.Fatal(err)
	}
	if other.Fingerprint == m.Fingerprint {
		t.Error("another app id gives the same fingerprint")
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestCollectThisMachine$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TOLLGATE_FP_CHILD=1", "XDG_CONFIG_HOME="+cfg)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "FP="+m.Fingerprint+"\n") {
		t.Fatalf("a fresh process saw another fingerprint:\n%s", out)
	}
}

// TestProtectMatchesMachineID: a fingerprint from a machine id is what machineid.ProtectedID
// gives for it.
func TestProtectMatchesMachineID(t *testing.T) {
	id, err := machineid.ID()
	if err != nil {
		t.Skipf("machineid cannot read an id here: %v", err)
	}
	want, err := machineid.ProtectedID("app-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := protect("app-1", id); got != want {
		t.Fatalf("protect = %s, machineid.ProtectedID = %s", got, want)
	}
}

func TestInstallIDPersists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id, err := fileInstallID(context.Background(), dir)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		}(i)
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] || normalizeID(id) == "" {
			t.Fatalf("concurrent first runs disagree: %q", ids)
		}
	}
	path := filepath.Join(dir, "tollgate", "install-id")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	again, err := fileInstallID(context.Background(), dir)
	if err != nil || again != ids[0] {
		t.Fatalf("second read %q, %v; want %q", again, err, ids[0])
	}
	// A corrupt file is replaced, not trusted.
	if err := os.WriteFile(path, []byte("0000000000000000000000000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh, err := fileInstallID(context.Background(), dir)
	if err != nil || fresh == ids[0] || normalizeID(fresh) == "" {
		t.Fatalf("after corruption: %q, %v", fresh, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// linuxFiles are the files Collect looks at on this machine (plus the user database that
// os/user reads), for the floor benchmark. Like Collect, it asks the kernel the mount questions
// it can answer rather than read mountinfo.
func linuxFiles() []string {
	p := newProbe(os.DirFS("/"), os.LookupEnv)
	p.stat = statLive
	runLinux(p, fileIDContent(p, "bench-app"), false)
	files := []string{"/etc/passwd"}
	for _, name := range p.order {
		files = append(files, "/"+name)
	}
	return files
}

// BenchmarkCollect and BenchmarkCollectFloor run side by side: the floor only reads the files
// that Collect reads, so the difference is what Collect adds. BenchmarkCollectFrom runs the
// rules over a fixture of a bare-metal host and reports how many files they looked at.
func BenchmarkCollect(b *testing.B) {
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Collect(ctx, "bench-app"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCollectFloor(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("the file list is Linux's")
	}
	files := linuxFiles()
	b.ReportMetric(float64(len(files)), "files")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			_, _ = os.ReadFile(f)
		}
		_, _ = os.Hostname()
	}
}

func BenchmarkCollectFrom(b *testing.B) {
	s := fixture(b, "baremetal-kvm-host")
	ctx := context.Background()
	p := newProbe(s.FS, func(string) (string, bool) { return "", false })
	runLinux(p, fileIDContent(p, "bench-app"), false)
	b.ReportMetric(float64(len(p.order)), "files")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := CollectFrom(ctx, "bench-app", s); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCaptureThisMachine: on Linux, a capture of this machine replays to what Collect answers.
func TestCaptureThisMachine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	capt, err := CaptureThisMachine(context.Background(), "app-1")
	if runtime.GOOS != "linux" && runtime.GOOS != "android" {
		if !errors.Is(err, ErrUnsupportedOS) {
			t.Fatalf("capture on %s: %v", runtime.GOOS, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	m, err := Collect(context.Background(), "app-1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := CollectFrom(context.Background(), "app-1", capt.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if visible(got) != visible(m) {
		t.Fatalf("replay %+v, Collect %+v", got, m)
	}
}
