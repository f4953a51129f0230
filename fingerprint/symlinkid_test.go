package fingerprint

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
)

// TestSymlinkedMachineIDOnTmpfsRefused: /etc/machine-id may be a symbolic link (embedded
// read-only roots link it into /var; NixOS's etc overlay links it to /var/lib/nixos/machine-id,
// over which systemd bind-mounts /run/machine-id while the id is uncommitted). The id read
// through the link is then on a tmpfs, made up at this boot, yet the mount rules judge the link
// itself (mountAt and mountContaining of "/etc/machine-id"; statLive opens it O_NOFOLLOW), find
// it on the durable root and use it: a fingerprint that changes at every boot. Found on the live
// machine too (a chroot whose /etc/machine-id links to a file on a tmpfs /run: Collect,
// CollectFingerprint and Explain all answer Source machine-id).
func TestSymlinkedMachineIDOnTmpfsRefused(t *testing.T) {
	t.Parallel()
	const id = "0123456789abcdef0123456789abcdef\n"
	for name, c := range map[string]struct {
		target, targetFile, mountinfo string
	}{
		"link into a tmpfs /run": {"../run/machine-id", "run/machine-id",
			"22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n" +
				"23 22 0:25 / /run rw,nosuid,nodev - tmpfs tmpfs rw,mode=755\n"},
		"link to a file systemd covered with a tmpfs": {"../var/lib/nixos/machine-id", "var/lib/nixos/machine-id",
			"22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n" +
				"23 22 0:25 / /run rw,nosuid,nodev - tmpfs tmpfs rw,mode=755\n" +
				"40 22 0:25 /machine-id /var/lib/nixos/machine-id ro,relatime - tmpfs tmpfs rw,mode=755\n"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := Snapshot{
				FS: fstest.MapFS{
					"etc/machine-id":      {Data: []byte(c.target), Mode: fs.ModeSymlink},
					c.targetFile:          {Data: []byte(id)},
					"proc/self/mountinfo": {Data: []byte(c.mountinfo)},
				},
				Env: map[string]string{}, Hostname: "h", UserName: "u",
				InstallID: "fedcba9876543210fedcba9876543210",
			}
			m, ev, err := ExplainFrom(context.Background(), "app-1", s)
			if err != nil {
				t.Fatal(err)
			}
			if m.Source != SourceInstallID {
				t.Errorf("an id on a tmpfs, read through a symbolic link, was used: source %s (%+v)", m.Source, ev.IDs)
			}
		})
	}
}
