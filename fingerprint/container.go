package fingerprint

import (
	"strings"
)

// container decides whether this process runs in a container, with the reason. A container is
// what a container runtime (Docker, Podman, containerd, CRI-O, LXC, systemd-nspawn) made: its
// files, its cgroup names and its storage have shapes those runtimes create. Words in a unit
// name (a "docker-desktop" app on the host), an overlay root of a live or image-based system,
// and app sandboxes on the user's own machine (Flatpak; WSL, which systemd calls a container)
// are not containers.
func (p *probe) container() (bool, string) {
	if p.exists(".dockerenv") {
		return true, "/.dockerenv exists (Docker)"
	}
	if p.exists("run/.containerenv") {
		return true, "/run/.containerenv exists (Podman)"
	}
	if v, ok := p.lookup("container"); ok && v != "" {
		if !notContainer[strings.ToLower(strings.TrimSpace(v))] {
			return true, "$container is " + quote(v)
		}
	}
	// systemd writes what it detected here, "wsl" included.
	if v := strings.TrimSpace(p.read("run/systemd/container")); v != "" && !notContainer[strings.ToLower(v)] {
		return true, "/run/systemd/container says " + quote(v)
	}
	if _, ok := p.lookup("KUBERNETES_SERVICE_HOST"); ok {
		return true, "$KUBERNETES_SERVICE_HOST is set (a Kubernetes pod)"
	}
	if c := containerCgroup(p.read("proc/self/cgroup")); c != "" {
		return true, "/proc/self/cgroup has a container runtime's cgroup " + quote(c)
	}
	if !p.rootMayBeOverlay() {
		return false, noContainer
	}
	root, _ := p.mountAt("/")
	if root.fstype == "overlay" {
		if path := runtimeOverlay(root.superOpts); path != "" {
			return true, "the root is an overlay of a container runtime's layers (" + quote(path) + ")"
		}
		return false, "no container marker; the root is an overlay, but not of container layers (a live or image-based system)"
	}
	return false, noContainer
}

const noContainer = "no container marker, cgroup or layered root"

// notContainer are values of $container and /run/systemd/container that name no container:
// WSL (systemd calls it one) and Flatpak, an app sandbox on the user's own machine.
var notContainer = map[string]bool{"wsl": true, "flatpak": true}

// containerRuntimes prefix the systemd scopes that runtimes create per container:
// docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope, libpod-<id>.scope,
// nerdctl-<id>.scope.
var containerRuntimes = []string{"docker-", "cri-containerd-", "crio-", "libpod-", "nerdctl-"}

// containerCgroup returns the first path component in a /proc/<pid>/cgroup listing that a
// container runtime creates, or "":
//
//   - a bare container id (64 hex digits) below another directory: /docker/<id>,
//     /kubepods/besteffort/pod<uid>/<id>, /actions_job/<id>, /ecs/<task>/<id>;
//   - a runtime's scope: /system.slice/docker-<id>.scope, .../cri-containerd-<id>.scope, and
//     the same names without ".scope" under cgroupfs drivers (/libpod_parent/libpod-<id>);
//   - Kubernetes' pod slices: /kubepods..., LXC's /lxc/<name> and /lxc.payload.<name>, and
//     Cloud Foundry Garden's /garden/<handle>.
//
// A host's own units ("app-docker\x2ddesktop.scope", "docker.service", "containerd.service")
// have none of these shapes.
func containerCgroup(content string) string {
	for _, line := range strings.Split(content, "\n") {
		// "hierarchy:controllers:path"; the path may itself hold colons.
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		comps := strings.Split(parts[2], "/")
		for i, c := range comps {
			switch {
			case i > 1 && isContainerID(c):
				return c
			case strings.HasPrefix(c, "kubepods"):
				return c
			case (c == "lxc" || c == "garden") && i == 1 && i+1 < len(comps) && comps[i+1] != "":
				return c + "/" + comps[i+1]
			case strings.HasPrefix(c, "lxc.payload"):
				return c
			}
			id := strings.TrimSuffix(c, ".scope") // cgroupfs drivers leave the suffix out
			for _, r := range containerRuntimes {
				if rest, ok := strings.CutPrefix(id, r); ok && isContainerID(rest) {
					return c
				}
			}
		}
	}
	return ""
}

// isContainerID reports whether s is a container id as runtimes write it: 64 hex digits.
func isContainerID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// runtimeOverlay returns a layer directory of a container runtime among an overlay mount's
// lowerdir, upperdir and workdir, or "". Runtimes keep layers in shapes of their own:
// Docker's overlay2 and containers/storage's overlay drivers use <root>/overlay2|overlay/l/<link>
// and <root>/overlay2|overlay/<id>/diff|work; containerd uses
// <root>/io.containerd.snapshotter.v1.<name>/snapshots/<n>/fs (overlayfs, fuse-overlayfs,
// stargz, ...). Data roots may be anywhere, so
// the shape is matched, not the prefix. A live system's overlay (lowerdir under /run/live,
// /lib/live or /cdrom, upper on tmpfs), overlayroot's, or an image-based host's composefs root
// has none of these shapes.
func runtimeOverlay(superOpts string) string {
	for _, opt := range strings.Split(superOpts, ",") {
		key, val, ok := strings.Cut(opt, "=")
		if !ok || (key != "lowerdir" && key != "upperdir" && key != "workdir") {
			continue
		}
		for _, path := range strings.Split(val, ":") {
			comps := strings.Split(path, "/")
			for i, c := range comps {
				switch {
				case (c == "overlay2" || c == "overlay") && i+1 < len(comps) && comps[i+1] == "l":
					return path
				case (c == "overlay2" || c == "overlay") && i+2 < len(comps) && isLayerDir(comps[i+1], comps[i+2]):
					return path
				case strings.HasPrefix(c, "io.containerd.snapshotter.") && i+1 < len(comps) && comps[i+1] == "snapshots":
					return path
				}
			}
		}
	}
	return ""
}

func isLayerDir(id, sub string) bool {
	id = strings.TrimSuffix(id, "-init")
	return isContainerID(id) && (sub == "diff" || sub == "work" || sub == "merged")
}
