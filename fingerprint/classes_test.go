package fingerprint

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

// classCase is one machine of one class of field reports, as a fixture tree, and what
// CollectFrom must answer for it.
type classCase struct {
	tree      string
	given     bool // the input the issue reported; the others are ours
	vm        string
	container bool
	source    Source
	evidence  string // a phrase the evidence must contain
}

func runClass(t *testing.T, cases []classCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.tree
		if tc.given {
			name += "(reported)"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := fixture(t, tc.tree)
			m, err := CollectFrom(context.Background(), "app-1", s)
			if err != nil {
				t.Fatal(err)
			}
			if m.VMName != tc.vm || m.Container != tc.container || m.Source != tc.source {
				t.Errorf("VMName %q container %v source %q; want %q %v %q", m.VMName, m.Container, m.Source, tc.vm, tc.container, tc.source)
			}
			m2, ev, err := ExplainFrom(context.Background(), "app-1", s)
			if err != nil {
				t.Fatal(err)
			}
			if m2 != m {
				t.Errorf("ExplainFrom answered %+v, CollectFrom %+v", m2, m)
			}
			all := ev.VM + "\n" + ev.Container
			for _, id := range ev.IDs {
				all += "\n" + string(id.Source) + ": " + id.Why
			}
			if !strings.Contains(all, tc.evidence) {
				t.Errorf("evidence lacks %q:\n%s", tc.evidence, all)
			}
		})
	}
}

// Class 1: running or hosting a hypervisor is not being its guest.
func TestClassHostIsNotGuest(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "baremetal-kvm-host", vm: "", source: SourceMachineID, evidence: "no hypervisor"},
		{tree: "xen-dom0", vm: "", source: SourceMachineID, evidence: "dom0"},
		{tree: "hyperv-root", vm: "", source: SourceMachineID, evidence: "root partition"},
		{tree: "xenon-server", vm: "", source: SourceMachineID, evidence: "no hypervisor"},
		{tree: "xen-guest", vm: VMXen, source: SourceMachineID, evidence: "/sys/hypervisor/type is xen"},
	})
}

// Class 2: a cloud's firmware strings name the cloud, not a hypervisor; its bare metal carries
// them too.
func TestClassCloudStringsNeedAHypervisor(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "gce-metal", given: true, vm: "", source: SourceMachineID, evidence: "the cloud's bare metal"},
		{tree: "aws-metal-24xl", vm: "", source: SourceMachineID, evidence: `"Amazon EC2", but the CPU reports no hypervisor`},
		{tree: "aws-graviton-metal", vm: "", source: SourceMachineID, evidence: "metal instance type"},
		{tree: "aws-graviton-vm", vm: VMAWS, source: SourceMachineID, evidence: "nothing says bare metal"},
		{tree: "aws-nitro", vm: VMAWS, source: SourceMachineID, evidence: "hypervisor flag is set"},
		{tree: "k8s-containerd", vm: VMGCE, container: true, source: SourceInstallID, evidence: "Google Compute Engine"},
		{tree: "chromebook", vm: "", source: SourceMachineID, evidence: "no hypervisor and no hypervisor's firmware name"},
		// Hiding the CPU flag does not hide a hypervisor's own firmware.
		{tree: "kvm-hidden-flag", vm: VMKVM, source: SourceMachineID, evidence: `"QEMU"`},
	})
}

// Class 3: an overlay root is a container only when it is a container runtime's layers.
func TestClassOverlayRootIsNotAContainer(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "live-boot", given: true, container: false, source: SourceMachineID, evidence: "not of container layers"},
		{tree: "ubuntu-live-casper", container: false, source: SourceMachineID, evidence: "not of container layers"},
		{tree: "composefs-host", container: false, source: SourceMachineID, evidence: "not of container layers"},
		{tree: "docker-cgroup-v2", container: true, source: SourceInstallID, evidence: "/var/lib/docker/overlay2/l/A"},
		{tree: "rootless-podman-overlay", container: true, source: SourceInstallID, evidence: "containers/storage/overlay"},
		{tree: "containerd-overlay", vm: "", container: true, source: SourceInstallID, evidence: "snapshotter.v1.overlayfs"},
	})
}

// Class 4: a machine id on tmpfs is made up at every boot; the next durable source is used.
func TestClassTransientMachineID(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "tmpfs-machine-id", given: true, source: SourceProductUUID, evidence: "is a tmpfs mount"},
		{tree: "tmpfs-machine-id-dbus-link", source: SourceInstallID, evidence: "the same id as a source refused above"},
		{tree: "tmpfs-machine-id-dbus-own", source: SourceDBusMachineID, evidence: "is a tmpfs mount"},
		{tree: "podman", container: true, source: SourceInstallID, evidence: "is a tmpfs mount"},
		// A tmpfs root (NixOS's "impermanence") loses /etc/machine-id at every boot too.
		{tree: "tmpfs-root", source: SourceProductUUID, evidence: "is on a tmpfs mounted at /"},
		// The host's durable id mounted into a container is still the host's.
		{tree: "docker-host-machine-id", container: true, source: SourceMachineID, evidence: "mounted into the container from the host (ext4)"},
	})
}

// Class 5: WSL is decided first; WSL 2 on any kernel is WSL2, WSL 1 is no VM.
func TestClassWSL(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "wsl2-custom-kernel", given: true, vm: VMWSL2, source: SourceMachineID, evidence: "custom WSL kernel"},
		{tree: "wsl2", vm: VMWSL2, source: SourceMachineID, evidence: "Microsoft's"},
		{tree: "wsl1", vm: "", source: SourceMachineID, evidence: "WSL 1"},
		{tree: "wsl2-systemd-service", vm: VMWSL2, container: false, source: SourceMachineID, evidence: "WSL 2"},
		{tree: "wsl2-service-custom-kernel", vm: VMWSL2, source: SourceMachineID, evidence: "WSLInterop-late exists"},
	})
}

// Class 6: containers are recognised by the cgroup shapes runtimes create, not by words.
func TestClassCgroupShapes(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "docker-desktop-app", given: true, container: false, source: SourceMachineID, evidence: "no container marker"},
		{tree: "host-docker-service", container: false, source: SourceMachineID, evidence: "no container marker"},
		{tree: "flatpak-app", container: false, source: SourceMachineID, evidence: "no container marker"},
		{tree: "docker-systemd-cgroup", vm: "", container: true, source: SourceInstallID, evidence: "docker-"},
		{tree: "rootless-podman-cgroup", vm: "", container: true, source: SourceInstallID, evidence: "libpod-"},
		{tree: "lxc-payload", vm: "", container: true, source: SourceInstallID, evidence: "lxc.payload.web01"},
		{tree: "crio-pod", vm: "", container: true, source: SourceInstallID, evidence: "kubepods"},
		{tree: "lxc", container: true, source: SourceInstallID, evidence: "lxc"},
	})
}

func TestContainerCgroup(t *testing.T) {
	t.Parallel()
	id := strings.Repeat("ab12", 16)
	for in, want := range map[string]string{
		"12:pids:/docker/" + id + "\n":                                              id,
		"0::/system.slice/docker-" + id + ".scope\n":                                "docker-" + id + ".scope",
		"0::/system.slice/crio-" + id + ".scope\n":                                  "crio-" + id + ".scope",
		"0::/system.slice/nerdctl-" + id + ".scope\n":                               "nerdctl-" + id + ".scope",
		"0::/kubepods/besteffort/pod1234/" + id + "\n":                              "kubepods",
		"0::/actions_job/" + id + "\n":                                              id,
		"0::/lxc/web01\n":                                                           "lxc/web01",
		"0::/lxc.payload.web01\n":                                                   "lxc.payload.web01",
		"0::/garden/7c3a-5e1f\n":                                                    "garden/7c3a-5e1f",
		"0::/libpod_parent/libpod-" + id + "\n":                                     "libpod-" + id,
		"0::/system.slice/lxc-net.service\n":                                        "",
		"0::/user.slice/user-1000.slice/user@1000.service/app.slice/garden.scope\n": "",
		"0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-docker\\x2ddesktop.scope\n": "",
		"0::/system.slice/docker.service\n":                  "",
		"0::/system.slice/containerd.service\n":              "",
		"0::/machine.slice/libpod-conmon-" + id + ".scope\n": "",
		"0::/user.slice/user-1000.slice/session-2.scope\n":   "",
		"0::/system.slice/docker-" + id[:12] + ".scope\n":    "",
		"0::/" + id + "\n":                                   "",
		"0::/\n":                                             "",
		"1:name=systemd:/init.scope\n":                       "",
		"garbage":                                            "",
		"":                                                   "",
	} {
		if got := containerCgroup(in); got != want {
			t.Errorf("containerCgroup(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCloudArm64SMBIOS: on arm64 there is no CPU flag; the SMBIOS virtual-machine bit decides
// before the instance type's name.
func TestCloudArm64SMBIOS(t *testing.T) {
	t.Parallel()
	raw := make([]byte, 24)
	raw[1] = 24
	for _, tc := range []struct {
		product string
		bit     bool
		want    string
	}{
		{"c7g.large", true, VMAWS},
		{"c7g.large", false, ""}, // AWS clears the bit on metal, as systemd-detect-virt trusts
		{"c7g.metal", true, VMAWS},
	} {
		r := append([]byte(nil), raw...)
		if tc.bit {
			r[0x13] = 1 << 4
		}
		fsys := fstest.MapFS{
			"proc/cpuinfo":                     {Data: []byte("processor\t: 0\nFeatures\t: fp asimd\n")},
			"sys/class/dmi/id/sys_vendor":      {Data: []byte("Amazon EC2\n")},
			"sys/class/dmi/id/product_name":    {Data: []byte(tc.product + "\n")},
			"sys/firmware/dmi/entries/0-0/raw": {Data: r},
			"etc/machine-id":                   {Data: []byte("5b1e7c9d3f2a4e6b8c0d1e2f3a4b5c6d\n")},
			"proc/self/mountinfo":              {Data: []byte("22 1 259:2 / / rw - ext4 /dev/nvme0n1p1 rw\n")},
			"proc/sys/kernel/osrelease":        {Data: []byte("6.1.0\n")},
		}
		m, err := CollectFrom(context.Background(), "app", Snapshot{FS: fsys, Hostname: "h", UserName: "u"})
		if err != nil {
			t.Fatal(err)
		}
		if m.VMName != tc.want {
			t.Errorf("%s, VM bit %v: %q, want %q", tc.product, tc.bit, m.VMName, tc.want)
		}
	}
}

func TestRuntimeOverlay(t *testing.T) {
	t.Parallel()
	id := strings.Repeat("0f", 32)
	for opts, match := range map[string]bool{
		"rw,lowerdir=/data/docker/overlay2/l/ABC:/data/docker/overlay2/l/DEF,upperdir=/data/docker/overlay2/" + id + "/diff": true,
		"rw,upperdir=/var/lib/docker/overlay2/" + id + "-init/diff":                                                          true,
		"rw,lowerdir=/run/live/rootfs/filesystem.squashfs/,upperdir=/run/live/overlay/rw,workdir=/run/live/overlay/work":     false,
		"rw,lowerdir=/media/root-ro,upperdir=/media/root-rw/overlay,workdir=/media/root-rw/overlay-workdir/_":                false,
		"ro,lowerdir+=/run/ostree/.private/cfsroot-lower,datadir+=/sysroot/ostree/repo/objects,metacopy=on":                  false,
		"rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.stargz/snapshots/9/fs":                                 true,
		"rw,lowerdir=/var/lib/rancher/k3s/agent/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/3/fs":            true,
		"rw,lowerdir=/overlay/lower,upperdir=/overlay/upper":                                                                 false,
		"": false,
	} {
		if got := runtimeOverlay(opts) != ""; got != match {
			t.Errorf("runtimeOverlay(%q) matched %v, want %v", opts, got, match)
		}
	}
}
