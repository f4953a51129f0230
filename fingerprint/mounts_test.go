package fingerprint

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fixtureMagic is the statfs magic a kernel reports for each mountinfo file-system type of the
// fixtures: devtmpfs and rootfs share tmpfs's and ramfs's, as they do on Linux.
var fixtureMagic = map[string]uint32{
	"tmpfs": tmpfsMagic, "devtmpfs": tmpfsMagic, "ramfs": ramfsMagic, "rootfs": ramfsMagic,
	"overlay": overlayMagic, "ext4": 0xef53, "xfs": 0x58465342, "btrfs": 0x9123683e, "proc": 0x9fa0,
	"lxfs": 0x1, // not a real magic: WSL 1's is not a Linux one
}

// fixtureKernel answers statPath for a fixture tree as a kernel would on that machine: from
// its mountinfo, the file system holding each path and whether a mount is at it. A path the
// tree lacks fails as on Linux. mountRootKnown false stands for a kernel before 5.8. The
// mountinfo it reads is its own, not the probe's, so the probe's file list stays the rules'.
func fixtureKernel(t testing.TB, fsys fs.FS, mountRootKnown bool) func(string) (pathStat, error) {
	t.Helper()
	mi := newProbe(fsys, func(string) (string, bool) { return "", false })
	return func(path string) (pathStat, error) {
		name := strings.TrimPrefix(path, "/")
		if name == "" {
			name = "."
		}
		if _, err := fs.Stat(fsys, name); err != nil {
			return pathStat{}, err
		}
		holder, ok := mi.mountContaining(path)
		if !ok {
			return pathStat{}, errors.New("no mountinfo in the fixture")
		}
		magic, ok := fixtureMagic[holder.fstype]
		if !ok {
			t.Fatalf("fixtureMagic lacks %q", holder.fstype)
		}
		_, mounted := mi.mountAt(path)
		return pathStat{magic: magic, mountRoot: mounted && mountRootKnown, mountRootKnown: mountRootKnown}, nil
	}
}

func fixtureTrees(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var trees []string
	for _, e := range entries {
		if e.IsDir() {
			trees = append(trees, e.Name())
		}
	}
	if len(trees) < 40 {
		t.Fatalf("only %d fixture trees", len(trees))
	}
	return trees
}

// TestKernelAnswersEqualMountinfo: on every fixture tree, the rules that ask a kernel (statfs,
// statx) before mountinfo answer exactly as the rules that read mountinfo alone, with the same
// evidence, old kernels (no STATX_ATTR_MOUNT_ROOT) included; and mountinfo is read only where
// the kernel's answers cannot settle a rule (see mountinfoNeeded).
func TestKernelAnswersEqualMountinfo(t *testing.T) {
	t.Parallel()
	for _, tree := range fixtureTrees(t) {
		t.Run(tree, func(t *testing.T) {
			t.Parallel()
			fsys := fixture(t, tree).FS
			env := fixture(t, tree).Env
			lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
			p := newProbe(fsys, lookup)
			want, wantEv, _ := runLinux(p, fileIDContent(p, "app"), false)
			for _, known := range []bool{true, false} {
				q := newProbe(fsys, lookup)
				q.stat = fixtureKernel(t, fsys, known)
				got, ev, _ := runLinux(q, fileIDContent(q, "app"), false)
				if got != want {
					t.Errorf("mount root known %v: %+v, mountinfo alone %+v", known, got, want)
				}
				if ev.VM != wantEv.VM || ev.Container != wantEv.Container || !reflect.DeepEqual(ev.IDs, wantEv.IDs) {
					t.Errorf("mount root known %v: evidence %+v\nmountinfo alone %+v", known, ev, wantEv)
				}
				readMI := slices.Contains(ev.Files, "proc/self/mountinfo")
				needMI := mountinfoNeeded(wantEv, func(path string) bool {
					_, err := fs.Stat(fsys, strings.TrimPrefix(path, "/"))
					return err == nil
				})
				if known && readMI != needMI {
					t.Errorf("mountinfo read %v, want %v: %v", readMI, needMI, ev.Files)
				}
			}
		})
	}
}

// mountinfoNeeded says whether the rules must read mountinfo even when the kernel answers,
// from the evidence of the rules reading it alone: the VM rules read it themselves, before the
// container rules (WSL's root type: lxfs or wslfs is WSL 1); the root is an overlay (its layers
// decide); an id is on a tmpfs or ramfs (the refusal names the mount point); an id file is
// missing (statfs cannot ask about it); or an id mounted into a container is used (the evidence
// names its file system).
func mountinfoNeeded(ev Evidence, exists func(path string) bool) bool {
	mi, dockerenv := slices.Index(ev.Files, "proc/self/mountinfo"), slices.Index(ev.Files, ".dockerenv")
	// The fixtures carry a uid_map only for user namespaces, where the id file's mount is named.
	userns := slices.Contains(ev.Files, "proc/self/uid_map") && exists("/proc/self/uid_map")
	if mi >= 0 && mi < dockerenv || strings.Contains(ev.Container, "overlay") || transientID(ev) || missingIDFile(ev, exists) || userns {
		return true
	}
	for _, id := range ev.IDs {
		if strings.HasPrefix(id.Why, "used: mounted into the container") {
			return true
		}
	}
	return false
}

// transientID reports whether an id source consulted was refused for a transient mount.
func transientID(ev Evidence) bool {
	for _, id := range ev.IDs {
		if strings.Contains(id.Why, "tmpfs") || strings.Contains(id.Why, "ramfs") {
			return true
		}
	}
	return false
}

// missingIDFile reports whether an id file that a mount may cover was consulted and is missing.
func missingIDFile(ev Evidence, exists func(path string) bool) bool {
	for i, id := range ev.IDs {
		if i < len(linuxIDSources) && linuxIDSources[i].mount != "" && !strings.HasPrefix(id.Why, "not consulted") &&
			!exists(linuxIDSources[i].mount) {
			return true
		}
	}
	return false
}

// TestMagicNeedsMountinfo: a tmpfs magic number is not proof of a tmpfs (devtmpfs and rootfs
// report one too), so the rules confirm it in mountinfo rather than refuse a durable id.
func TestMagicNeedsMountinfo(t *testing.T) {
	t.Parallel()
	fsys := memFS{
		"etc/machine-id":      "5b1e7c9d3f2a4e6b8c0d1e2f3a4b5c6d\n",
		"proc/self/mountinfo": "1 0 0:1 / / rw - rootfs rootfs rw\n",
	}
	p := newProbe(fsys, func(string) (string, bool) { return "", false })
	p.stat = func(string) (pathStat, error) {
		return pathStat{magic: ramfsMagic, mountRootKnown: true, mountRoot: true}, nil
	}
	m, ev, _ := runLinux(p, fileIDContent(p, "app"), false)
	if m.Source != SourceMachineID || !slices.Contains(ev.Files, "proc/self/mountinfo") {
		t.Fatalf("source %q, files %v", m.Source, ev.Files)
	}
}

// TestExplainReadsMountinfo: Explain, and so a capture, reads mountinfo even where Collect
// asks the kernel: a capture must carry the mount lines to replay, and the evidence names
// mount points. Collect, on the same live machine, does not read it.
func TestExplainReadsMountinfo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := fixtureCollector(t, "kvm-guest")
	c.statPath = fixtureKernel(t, c.fsys, true)
	_, ev, err := c.collect(ctx, "app", true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ev.Files, "proc/self/mountinfo") {
		t.Errorf("Explain did not read mountinfo: %v", ev.Files)
	}
	var p *probe
	c.probeHook = func(pr *probe) { p = pr }
	if _, _, err := c.collect(ctx, "app", false); err != nil {
		t.Fatal(err)
	}
	if p == nil || len(p.order) == 0 || slices.Contains(p.order, "proc/self/mountinfo") {
		t.Errorf("Collect read %v", p)
	}
}
