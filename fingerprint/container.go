package fingerprint

import (
	"strings"
)

// containerEvidence decides whether this process runs in a container, with the reason, and
// whether the file system proves it (byFiles). A container is what a container runtime (Docker,
// Podman, containerd, CRI-O, LXC, systemd-nspawn, OpenVZ, proot) made: its files, its cgroup
// names and its storage have shapes those runtimes create. Words in a unit name (a
// "docker-desktop" app on the host), an overlay root of a live or image-based system, and app
// sandboxes on the user's own machine (Flatpak; WSL, which systemd calls a container) are not
// containers. The process's own environment ($container, Kubernetes' variables) counts as
// evidence for Machine.Container, but never moves the id rules or VMName: anyone can set a
// variable, so a variable alone must not make the machine's id refused as an image's (see
// pickID).
func (p *probe) containerEvidence() (container bool, why string, byFiles bool) {
	if c, why := p.containerFiles(); c {
		return true, why, true
	} else if v, ok := p.lookup("container"); ok && v != "" && !notContainer[strings.ToLower(strings.TrimSpace(v))] {
		return true, "$container is " + quote(v) + " (the environment alone: it does not choose the id source)", false
	} else if _, ok := p.lookup("KUBERNETES_SERVICE_HOST"); ok {
		return true, "$KUBERNETES_SERVICE_HOST is set (a Kubernetes pod; the environment alone: it does not choose the id source)", false
	} else {
		return false, why, false
	}
}

// containerFiles applies the container rules that read files, in systemd-detect-virt's order
// where it has one.
func (p *probe) containerFiles() (bool, string) {
	// OpenVZ: /proc/vz exists inside and outside its containers, /proc/bc only outside.
	if p.exists("proc/vz") && !p.exists("proc/bc") {
		return true, "/proc/vz exists without /proc/bc (an OpenVZ container)"
	}
	if tracer, ok := p.tracerComm(); ok && strings.HasPrefix(tracer, "proot") {
		return true, "this process is traced by " + quote(tracer) + " (proot)"
	}
	if p.exists(".dockerenv") {
		return true, "/.dockerenv exists (Docker)"
	}
	if p.exists("run/.containerenv") {
		return true, "/run/.containerenv exists (Podman)"
	}
	// Container managers write their name here, and systemd (as PID 1) what it detected, "wsl"
	// included.
	for _, name := range []string{"run/host/container-manager", "run/systemd/container"} {
		if v := strings.TrimSpace(p.read(name)); v != "" && !notContainer[strings.ToLower(v)] {
			return true, "/" + name + " says " + quote(v)
		}
	}
	// PID 1's environment: what a container manager gave the container's init (readable by
	// root, or by the user the container runs as).
	if v, ok := environValue(p.read("proc/1/environ"), "container"); ok && v != "" && !notContainer[strings.ToLower(v)] {
		return true, "PID 1's environment has container=" + quote(v)
	}
	if c := containerCgroup(p.read("proc/self/cgroup")); c != "" {
		return true, "/proc/self/cgroup has a container runtime's cgroup " + quote(c)
	}
	if why := p.cgroupNamespace(); why != "" {
		return true, why
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

// tracerComm returns the command name of the process tracing this one (TracerPid in
// /proc/self/status), if any: proot runs its guest under ptrace, without namespaces.
func (p *probe) tracerComm() (string, bool) {
	for _, line := range strings.Split(p.read("proc/self/status"), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			pid := strings.TrimSpace(v)
			if pid == "" || pid == "0" || strings.Trim(pid, "0123456789") != "" || len(pid) > 10 {
				return "", false
			}
			comm := strings.TrimSpace(p.read("proc/" + pid + "/comm"))
			return comm, comm != ""
		}
	}
	return "", false
}

// environValue returns the value of name in a NUL-separated environment block.
func environValue(block, name string) (string, bool) {
	_, v, ok := strings.Cut("\x00"+block, "\x00"+name+"=")
	v, _, _ = strings.Cut(v, "\x00")
	return strings.TrimSpace(v), ok
}

// cgroupNamespace is systemd's check for a private cgroup namespace, which container managers
// create and hosts do not: the cgroup file system mounted at /sys/fs/cgroup is then a nested
// cgroup seen as a root. With cgroup v2, a nested cgroup has cgroup.events and cgroup.type, the
// real root neither (kernels without /sys/kernel/cgroup/features lack cgroup.type: there
// cgroup.events alone tells); with v1, the systemd hierarchy's root alone has release_agent.
func (p *probe) cgroupNamespace() string {
	const v2 = "sys/fs/cgroup/"
	if p.exists(v2 + "cgroup.events") {
		if p.exists(v2+"cgroup.type") || !p.exists("sys/kernel/cgroup/features") {
			return "/sys/fs/cgroup is a nested cgroup seen as the root (a private cgroup namespace)"
		}
		return ""
	}
	if p.exists(v2+"systemd") && !p.exists(v2+"systemd/release_agent") {
		return "/sys/fs/cgroup/systemd has no release_agent (a private cgroup namespace)"
	}
	return ""
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
