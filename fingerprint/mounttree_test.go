package fingerprint

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// The class behind TestSymlinkedMachineIDOnTmpfsRefused and
// TestExplainAgreesWithCollectUnderAHiddenMount: the mount rules must judge the file the id is
// actually read from, where the kernel finds it. These inputs are our own: link chains and loops
// (relative links: a snapshot's fs.FS cannot follow an absolute one, the live machine's can),
// mountinfo listing a mount before the one it sits on (as Docker's does), mounts stacked at one
// point, and a mount over /etc hiding a tmpfs at /etc/machine-id.

const (
	rootExt4 = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	runTmpfs = "30 27 0:25 / /run rw,nosuid,nodev - tmpfs tmpfs rw,mode=755\n"
	durable  = "0123456789abcdef0123456789abcdef\n"
)

func mountSnapshot(files fstest.MapFS, mountinfo string) Snapshot {
	files["proc/self/mountinfo"] = &fstest.MapFile{Data: []byte(mountinfo)}
	return Snapshot{FS: files, Env: map[string]string{}, Hostname: "h", UserName: "u",
		InstallID: "fedcba9876543210fedcba9876543210"}
}

func link(target string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink}
}

func TestMountRulesJudgeTheFileRead(t *testing.T) {
	t.Parallel()
	id := func() *fstest.MapFile { return &fstest.MapFile{Data: []byte(durable)} }
	for name, c := range map[string]struct {
		files     fstest.MapFS
		mountinfo string
		want      Source
		why       string // a part of the machine-id's verdict
	}{
		"a chain of two links into a tmpfs": {
			fstest.MapFS{"etc/machine-id": link("../var/lib/machine-id"), "var/lib/machine-id": link("../../run/id"), "run/id": id()},
			rootExt4 + runTmpfs, SourceInstallID, "a link to /run/id) is on a tmpfs"},
		"a link to a durable file": {
			fstest.MapFS{"etc/machine-id": link("../var/lib/machine-id"), "var/lib/machine-id": id()},
			rootExt4 + runTmpfs, SourceMachineID, "used"},
		"a link loop": {
			fstest.MapFS{"etc/machine-id": link("/etc/machine-id2"), "etc/machine-id2": link("machine-id")},
			rootExt4, SourceInstallID, ""},
		"the root listed after a mount on it (Docker's order)": {
			fstest.MapFS{"etc/machine-id": id()},
			"22 27 0:21 / /proc rw - proc proc rw\n" + "25 27 0:23 / /etc/machine-id ro - tmpfs tmpfs rw\n" + rootExt4,
			SourceInstallID, "is a tmpfs mount"},
		"a durable mount stacked on a tmpfs one at the same point": {
			fstest.MapFS{"etc/machine-id": id()},
			rootExt4 + "40 27 0:25 /machine-id /etc/machine-id ro - tmpfs tmpfs rw\n" +
				"41 40 254:0 /host/machine-id /etc/machine-id ro - ext4 /dev/vda rw\n",
			SourceMachineID, "used"},
		"a tmpfs at /etc/machine-id hidden by a mount over /etc": {
			fstest.MapFS{"etc/machine-id": id()},
			rootExt4 + "40 27 0:25 /machine-id /etc/machine-id ro - tmpfs tmpfs rw\n" +
				"41 27 254:1 /etc /etc rw - ext4 /dev/vdb rw\n",
			SourceMachineID, "used"},
		"a tmpfs over /etc on a durable mount at /etc/machine-id": {
			fstest.MapFS{"etc/machine-id": id()},
			rootExt4 + "40 27 254:0 /id /etc/machine-id ro - ext4 /dev/vda rw\n" +
				"41 27 0:26 / /etc rw - tmpfs tmpfs rw\n",
			SourceInstallID, "on a tmpfs mounted at /etc"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, ev, err := ExplainFrom(context.Background(), "app-1", mountSnapshot(c.files, c.mountinfo))
			if err != nil {
				t.Fatal(err)
			}
			if m.Source != c.want || !strings.Contains(ev.IDs[0].Why, c.why) {
				t.Errorf("source %s (want %s); machine-id: %q (want it to say %q)", m.Source, c.want, ev.IDs[0].Why, c.why)
			}
			if cm, err := CollectFrom(context.Background(), "app-1", mountSnapshot(c.files, c.mountinfo)); err != nil || cm != m {
				t.Errorf("CollectFrom %+v, %v; ExplainFrom %+v", cm, err, m)
			}
		})
	}
}
