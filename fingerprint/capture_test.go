package fingerprint

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestCaptureReplaysEveryFixture: a capture of each fixture, through JSON, replays through
// CollectFrom to the machine's own answer and evidence, and holds none of its raw ids.
func TestCaptureReplaysEveryFixture(t *testing.T) {
	t.Parallel()
	trees, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tree := range trees {
		if !tree.IsDir() {
			continue
		}
		t.Run(tree.Name(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := fixtureCollector(t, tree.Name())
			capt, err := c.capture(ctx, "app-1", testTime)
			if err != nil {
				t.Fatal(err)
			}
			want, wantEv, err := c.collect(ctx, "app-1", true)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(capt)
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range rawIDs(t, tree.Name()) {
				if strings.Contains(strings.ToLower(string(b)), raw) {
					t.Errorf("the capture holds the raw id %s", raw)
				}
			}
			var back Capture
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if err := back.Check(); err != nil {
				t.Fatal(err)
			}
			got, err := CollectFrom(ctx, "app-1", back.Snapshot())
			if err != nil {
				t.Fatal(err)
			}
			if visible(got) != visible(want) || AnswerOf(got) != back.Answer {
				t.Errorf("replay %+v\nmachine %+v", got, want)
			}
			_, ev, err := ExplainFrom(ctx, "app-1", back.Snapshot())
			if err != nil {
				t.Fatal(err)
			}
			if ev.VM != wantEv.VM || ev.Container != wantEv.Container || !reflect.DeepEqual(ev.IDs, wantEv.IDs) {
				t.Errorf("replayed evidence %+v\nmachine's %+v", ev, wantEv)
			}
			if _, err := CollectFrom(ctx, "app-2", back.Snapshot()); err == nil || !strings.Contains(err.Error(), "app-1") {
				t.Errorf("a replay for another app id: %v", err)
			}
		})
	}
}

// rawIDs returns the ids in a fixture tree, lowercase, with and without dashes.
func rawIDs(t *testing.T, tree string) []string {
	t.Helper()
	out := []string{"0123456789abcdef0123456789abcdef"} // the fixtures' install id
	for _, src := range linuxIDSources {
		b, err := os.ReadFile(filepath.Join("testdata", tree, src.path))
		if err != nil {
			continue
		}
		raw := strings.ToLower(strings.TrimSpace(string(b)))
		if len(raw) < 16 || strings.Count(raw, raw[:1]) == len(raw) {
			continue // empty or one digit repeated: nothing to leak
		}
		out = append(out, raw, strings.ReplaceAll(raw, "-", ""))
	}
	return out
}

func TestCaptureCheck(t *testing.T) {
	t.Parallel()
	for _, c := range []Capture{
		{},
		{Format: "other", AppID: "a", Hostname: "h"},
		{Format: CaptureFormat, Hostname: "h"},
		{Format: CaptureFormat, AppID: "a"},
		{Format: CaptureFormat, AppID: "a", Hostname: "h", IDs: []IDCheck{{Source: SourceMachineID, Fingerprint: "xyz"}}},
	} {
		if c.Check() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// TestReadsOnlyWhatItNeeds counts the files the rules look at. Before, collection read the
// same 20 files (21 with the user database) on every machine. max is CollectFrom's (mountinfo
// answers the mount questions, as over any snapshot); live is Collect's on such a machine, whose
// kernel answers them (statfs, statx) so that mountinfo is read only when they cannot settle a
// rule; fp is CollectFingerprint's there, which skips the OS version, the VM rules and the user.
// Issue 24 added systemd-detect-virt's container markers (OpenVZ, proot, the container manager's
// file, PID 1's environment, the cgroup namespace: 7 files on a host) and the user namespace's
// uid_map; the hardware anchors' sysfs files are read apart and not counted here.
func TestReadsOnlyWhatItNeeds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tree          string
		max, live, fp int
	}{
		{"baremetal-kvm-host", 19, 18, 12}, // x86 bare metal: two DMI strings, no cloud or id fallbacks
		{"kvm-guest", 22, 21, 12},          // a guest: every DMI string a name may be in
		{"docker-cgroup-v1", 12, 12, 6},    // OpenVZ and proot first, then /.dockerenv ends the container checks; no machine-id, so mountinfo
		{"wsl2", 15, 15, 12},               // WSL: no DMI, no CPU flag; its rule reads the root's type in mountinfo
		{"tmpfs-machine-id", 21, 21, 15},   // a tmpfs machine-id: mountinfo names the mount
		{"live-boot", 19, 19, 13},          // an overlay root: mountinfo lists its layers
	} {
		fsys := fixture(t, tc.tree).FS
		noEnv := func(string) (string, bool) { return "", false }
		p := newProbe(fsys, noEnv)
		m, ev, _ := runLinux(p, fileIDContent(p, "app"), false)
		q := newProbe(fsys, noEnv)
		q.stat = fixtureKernel(t, fsys, true)
		_, live, _ := runLinux(q, fileIDContent(q, "app"), false)
		c := fixtureCollector(t, tc.tree)
		c.statPath = fixtureKernel(t, c.fsys, true)
		var fp *probe
		c.probeHook = func(p *probe) { fp = p }
		if _, err := c.collectFingerprint(context.Background(), "app"); err != nil || fp == nil {
			t.Fatalf("%s: %v", tc.tree, err)
		}
		for _, got := range []struct {
			what  string
			files []string
			max   int
		}{{"CollectFrom", ev.Files, tc.max}, {"Collect, kernel asked", live.Files, tc.live}, {"CollectFingerprint", fp.order, tc.fp}} {
			if len(got.files) > got.max {
				t.Errorf("%s, %s: %d files looked at, want at most %d: %v", tc.tree, got.what, len(got.files), got.max, got.files)
			}
		}
		t.Logf("%s (%s, container %v): %d files: %v; kernel asked: %v; fingerprint only: %v", tc.tree, m.VMName, m.Container,
			len(ev.Files), ev.Files, live.Files, fp.order)
	}
}

func TestRelevantMounts(t *testing.T) {
	t.Parallel()
	mi := "1 0 0:1 / / rw - tmpfs none rw\n2 1 0:2 / /home/alice/secret-project rw - ext4 /dev/sda2 rw\n" +
		"3 1 0:3 / /var/lib rw - ext4 /dev/sda3 rw\n4 1 0:4 /machine-id /etc/machine-id ro - tmpfs tmpfs rw\n5 1 0:5 / /etc/machine-id.d rw - ext4 x rw\n"
	got := relevantMounts(mi)
	for _, want := range []string{" / / ", " /var/lib ", " /etc/machine-id ro"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"secret-project", "machine-id.d"} {
		if strings.Contains(got, not) {
			t.Errorf("keeps %q:\n%s", not, got)
		}
	}
}
