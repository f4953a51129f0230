package fingerprint

import (
	"errors"
	pathpkg "path"
	"strings"
)

// The mount questions of the rules (is the root an overlay, is an id file on a tmpfs or a mount
// of its own) are answered from /proc/self/mountinfo, which the kernel formats in full, mount
// by mount, at every read: on a host with many mounts the most expensive file the rules read.
// On the live machine, [Collect] asks the kernel about the one path instead (statfs for the file
// system type, statx for "is a mount root"), and reads mountinfo only when those answers do not
// settle the rule: the root is an overlay (whose layers only mountinfo lists), an id file is on
// a tmpfs or ramfs (the refusal names the mount point, and devtmpfs or rootfs share those
// magic numbers under other names), an id mounted into a container is used (the evidence names
// its file system), the process is in a user namespace (the mount that holds an id file is
// named, and a mount made there is refused), or a syscall failed (a missing file, a symbolic link in the directories
// above it) or is not supported. Snapshots, captures and Explain always read mountinfo.

// pathStat is what the kernel says about one path, without resolving any symbolic link in it.
type pathStat struct {
	magic          uint32 // statfs f_type of the file system that holds the path
	mountRoot      bool   // the path is the root of a mount (statx STATX_ATTR_MOUNT_ROOT)
	mountRootKnown bool   // the kernel reports STATX_ATTR_MOUNT_ROOT (Linux 5.8 and later)
}

// The statfs magic numbers the rules need (linux/magic.h). A file system that mountinfo calls
// "tmpfs" or "ramfs" always has the first two, and "overlay" the third; the converse does not
// hold (devtmpfs and rootfs report the first two), so a match is checked against mountinfo.
const (
	tmpfsMagic   uint32 = 0x01021994
	ramfsMagic   uint32 = 0x858458f6
	overlayMagic uint32 = 0x794c7630
)

// maybeTransient reports whether the path may be on a tmpfs or ramfs: see transientFS.
func (st pathStat) maybeTransient() bool {
	return st.magic == tmpfsMagic || st.magic == ramfsMagic
}

// errNoStat is statPath's answer when the probe reads a snapshot, not the live machine.
var errNoStat = errors.New("fingerprint: no live statfs on a snapshot")

// statPath asks the kernel about the absolute path, when the probe reads the live machine and
// may: an error means mountinfo must answer.
func (p *probe) statPath(path string) (pathStat, error) {
	if p.stat == nil {
		return pathStat{}, errNoStat
	}
	return p.stat(path)
}

// rootMayBeOverlay reports whether the root may be an overlay: false only when the kernel says
// it is not one, without mountinfo.
func (p *probe) rootMayBeOverlay() bool {
	st, err := p.statPath("/")
	return err != nil || st.magic == overlayMagic
}

// imageID is why an id file inside a container that is not mounted in is refused.
const imageID = "inside a container this file comes with the image, shared by every container made from it"

// idMountRule applies the mount rules to the id file at path (absolute): an id on a tmpfs or
// ramfs is refused as transient, and inside a container an id file that is not a mount of its
// own is refused as the image's. When path is a symbolic link, the rules judge the file it leads
// to, which is where the id is read from: /etc/machine-id linked to a file on a tmpfs (/run, or a
// file systemd covers with a tmpfs while the id is uncommitted) holds an id made up at this boot.
// hostFS names the file system mounted at the file, for the evidence of an id mounted into a
// container from the host; it reads mountinfo if nothing did yet.
func (p *probe) idMountRule(path string, container bool) (refused string, transient bool, hostFS func() string) {
	file, shown := path, path
	if target := p.resolveLink(path); target != path {
		file, shown = target, path+" (a link to "+target+")"
	}
	hostFS = func() string { m, _ := p.mountAt(file); return m.fstype }
	if p.userNamespace() {
		// Whoever owns a user namespace can mount anything over /etc in a mount namespace of
		// their own (unshare -Urm): such a mount says nothing about the host. What it cannot
		// make is a durable file system's own file at the same path: a sandbox that binds the
		// host's /etc/machine-id to /etc/machine-id (Flatpak) shows that root; a bind of another
		// file, a FUSE or overlay mount does not.
		if holder, _ := p.mountContaining(file); holder.point != "/" && !sameFileBind(holder) {
			return shown + " is on a mount at " + holder.point + " (of " + quote(holder.root) + ", " + holder.fstype +
				") inside a user namespace, which its owner can make: not the host's", false, hostFS
		}
	}
	if st, err := p.statPath(file); err == nil && !st.maybeTransient() {
		// Neither the file system holding the file nor (so) a mount at it is transient: only the
		// container rule is left, and it needs to know whether the file is a mount root.
		switch {
		case !container:
			return "", false, hostFS
		case st.mountRootKnown && !st.mountRoot:
			return imageID, false, hostFS
		case st.mountRootKnown:
			return "", false, hostFS
		}
	}
	holder, _ := p.mountContaining(file)
	mounted := holder.point == file
	switch {
	case mounted && transientFS[holder.fstype]:
		return shown + " is a " + holder.fstype + " mount: made up at this boot (read-only /etc, first boot) or for this container, gone at the next", true, hostFS
	case transientFS[holder.fstype]:
		return shown + " is on a " + holder.fstype + " mounted at " + holder.point + ": gone at the next boot", true, hostFS
	case container && !mounted:
		return imageID, false, hostFS
	}
	return "", false, hostFS
}

// maxLinks bounds the symbolic links resolveLink follows, as the kernel's own limit does.
const maxLinks = 40

// resolveLink returns the file that path (absolute) leads to while it is a symbolic link: path
// itself when it is none, or when a link cannot be read or leads on for more than maxLinks links
// (the id is then unreadable anyway). Links are read through the snapshot's file system when it
// can (os.DirFS and fstest.MapFS can, from Go 1.25); links in the directories above path are not
// followed: the kernel's answer (statPath) refuses them, and mountinfo is then asked about the
// path as written.
func (p *probe) resolveLink(path string) string {
	rl, ok := p.fsys.(interface {
		ReadLink(name string) (string, error)
	})
	if !ok {
		return path
	}
	file := path
	for range maxLinks {
		target, err := rl.ReadLink(strings.TrimPrefix(file, "/"))
		if err != nil {
			return file
		}
		p.note(strings.TrimPrefix(file, "/"))
		if !strings.HasPrefix(target, "/") {
			target = pathpkg.Join(pathpkg.Dir(file), target)
		}
		file = pathpkg.Clean(target)
	}
	return path
}

// userNamespace reports whether this process runs in a user namespace other than the initial
// one, as systemd decides: /proc/self/uid_map is not the identity mapping of every uid (an empty
// map is a namespace not yet set up). Without the file, no user namespaces exist.
func (p *probe) userNamespace() bool {
	content, err := p.readLimit("proc/self/uid_map", 4096)
	if err != nil {
		return false
	}
	return strings.Join(strings.Fields(content), " ") != "0 0 4294967295"
}

// sameFileBind reports whether a mount shows, at its mount point, the same path of a durable
// file system that is not a user's own (FUSE) or a union of others (overlay): what a sandbox's
// bind of the host's own file looks like, and what an unprivileged user cannot forge.
func sameFileBind(m mountEntry) bool {
	return m.root == m.point && !transientFS[m.fstype] && m.fstype != "overlay" && !strings.HasPrefix(m.fstype, "fuse")
}
