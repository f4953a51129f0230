package fingerprint

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"strings"
)

// readSmall reads a small file from the seam: at most 64 KiB, "" when it cannot be read.
func readSmall(fsys fs.FS, name string) string {
	f, err := fsys.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return ""
	}
	return string(b)
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}

// linuxInfo is what Collect reads on Linux (and Android).
type linuxInfo struct {
	osVersion string
	vm        string
	container bool
	ids       []idCandidate
}

type idCandidate struct {
	source Source
	raw    string
}

// readLinux reads every Linux signal through fsys (rooted at "/") and env.
func readLinux(fsys fs.FS, env func(string) (string, bool)) linuxInfo {
	var info linuxInfo
	kernel := strings.TrimSpace(readSmall(fsys, "proc/sys/kernel/osrelease"))
	info.osVersion = osReleaseVersion(readSmall(fsys, "etc/os-release"))
	if info.osVersion == "" {
		info.osVersion = osReleaseVersion(readSmall(fsys, "usr/lib/os-release"))
	}
	if info.osVersion == "" {
		info.osVersion = kernel
	}

	dmi := func(n string) string { return strings.TrimSpace(readSmall(fsys, "sys/class/dmi/id/"+n)) }
	fw := firmware{
		SysVendor: dmi("sys_vendor"), ProductName: dmi("product_name"), ProductVersion: dmi("product_version"),
		BIOSVendor: dmi("bios_vendor"), BIOSVersion: dmi("bios_version"), BoardVendor: dmi("board_vendor"),
		ChassisAssetTag: dmi("chassis_asset_tag"),
	}
	info.vm = classifyLinux(fw, readSmall(fsys, "sys/hypervisor/type"), kernel, cpuHasHypervisorFlag(fsys))
	if info.vm == "" {
		if _, ok := env("WSL_DISTRO_NAME"); ok && strings.Contains(strings.ToLower(kernel), "microsoft") {
			info.vm = VMWSL2
		}
	}

	mountinfo := readSmall(fsys, "proc/self/mountinfo")
	info.container = linuxContainer(fsys, env, mountinfo)

	// In a container, /etc/machine-id comes from the image and so is shared by every container
	// made from it, unless the host's was mounted in.
	if !info.container || isMountPoint(mountinfo, "/etc/machine-id") {
		info.ids = append(info.ids, idCandidate{SourceMachineID, readSmall(fsys, "etc/machine-id")})
	}
	if !info.container || isMountPoint(mountinfo, "/var/lib/dbus/machine-id") {
		info.ids = append(info.ids, idCandidate{SourceDBusMachineID, readSmall(fsys, "var/lib/dbus/machine-id")})
	}
	info.ids = append(info.ids, idCandidate{SourceProductUUID, dmi("product_uuid")})
	return info
}

// osReleaseVersion returns VERSION_ID from an os-release file, unquoted.
func osReleaseVersion(content string) string {
	for _, line := range strings.Split(content, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "VERSION_ID="); ok {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return ""
}

// cpuHasHypervisorFlag reports whether the first "flags" line of /proc/cpuinfo has the
// hypervisor flag. Only the first processor's block is read.
func cpuHasHypervisorFlag(fsys fs.FS) bool {
	f, err := fsys.Open("proc/cpuinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("flags")) || bytes.HasPrefix(line, []byte("Features")) {
			_, flags, _ := bytes.Cut(line, []byte(":"))
			for _, fl := range bytes.Fields(flags) {
				if string(fl) == "hypervisor" {
					return true
				}
			}
			return false
		}
	}
	return false
}

// cgroupMarkers name container runtimes as they appear in /proc/*/cgroup paths.
var cgroupMarkers = []string{"docker", "kubepods", "containerd", "lxc", "libpod", "podman", "crio", "garden"}

// linuxContainer reports whether this process runs in a container.
func linuxContainer(fsys fs.FS, env func(string) (string, bool), mountinfo string) bool {
	if exists(fsys, ".dockerenv") || exists(fsys, "run/.containerenv") {
		return true
	}
	if _, ok := env("KUBERNETES_SERVICE_HOST"); ok {
		return true
	}
	if v, ok := env("container"); ok && v != "" {
		return true
	}
	if strings.TrimSpace(readSmall(fsys, "run/systemd/container")) != "" {
		return true
	}
	for _, name := range []string{"proc/1/cgroup", "proc/self/cgroup"} {
		cg := strings.ToLower(readSmall(fsys, name))
		for _, m := range cgroupMarkers {
			if strings.Contains(cg, m) {
				return true
			}
		}
	}
	return rootFSType(mountinfo) == "overlay"
}

// rootFSType returns the file-system type of the mount at "/" in a mountinfo listing.
// Each line reads: id parent major:minor root mountpoint options [optional...] - fstype source opts.
func rootFSType(mountinfo string) string {
	fstype := ""
	for _, line := range strings.Split(mountinfo, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 5 || fields[4] != "/" {
			continue
		}
		for i := 5; i < len(fields)-1; i++ {
			if fields[i] == "-" {
				fstype = fields[i+1] // the last mount at "/" is the one in effect
				break
			}
		}
	}
	return fstype
}

// isMountPoint reports whether path is itself a mount point in a mountinfo listing.
func isMountPoint(mountinfo, path string) bool {
	for _, line := range strings.Split(mountinfo, "\n") {
		if fields := strings.Fields(line); len(fields) >= 5 && fields[4] == path {
			return true
		}
	}
	return false
}
