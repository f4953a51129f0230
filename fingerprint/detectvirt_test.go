package fingerprint

import "testing"

// The classes below bring detection on a par with systemd-detect-virt (src/basic/virt.c). Each
// has the input a field report gave (given) and trees of our own.

// Class: container markers that systemd-detect-virt reads beyond runtimes' files: OpenVZ
// (/proc/vz without /proc/bc), proot (the tracer's name), the container manager's file, PID 1's
// environment, and a private cgroup namespace.
func TestClassSystemdContainerMarkers(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "openvz-container", given: true, container: true, source: SourceInstallID, evidence: "OpenVZ"},
		{tree: "openvz-host", container: false, source: SourceMachineID, evidence: "no container marker"},
		{tree: "proot", container: true, source: SourceInstallID, evidence: `traced by "proot"`},
		{tree: "traced-by-debugger", container: false, source: SourceMachineID, evidence: "no container marker"},
		{tree: "nspawn-manager-file", container: true, source: SourceInstallID, evidence: "container-manager says"},
		{tree: "pid1-environ-container", container: true, source: SourceInstallID, evidence: `container="lxc-libvirt"`},
		{tree: "cgroupns-v2", container: true, source: SourceInstallID, evidence: "private cgroup namespace"},
		{tree: "cgroupns-v1", container: true, source: SourceInstallID, evidence: "no release_agent"},
		{tree: "cgroup-v2-host", container: false, source: SourceMachineID, evidence: "no container marker"},
	})
}

// Class: off x86 there is no CPU flag and often no DMI; the device tree names the hypervisor.
func TestClassDeviceTree(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "ppc64le-qemu-pseries", given: true, vm: VMKVM, source: SourceMachineID, evidence: `"qemu,pseries"`},
		{tree: "arm64-kvm-devicetree", vm: VMKVM, source: SourceMachineID, evidence: `hypervisor/compatible is "linux,kvm"`},
		{tree: "powervm-lpar", vm: VMPowerVM, source: SourceMachineID, evidence: "PowerVM"},
		{tree: "raspberry-pi", vm: "", source: SourceMachineID, evidence: "no hypervisor"},
	})
}

// Class: names of systemd's DMI vendor table that ours lacked. "Oracle Corporation" is on
// Oracle's own servers too, so it needs proof of a hypervisor, as cloud names do.
func TestClassDMIVendorTable(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "virtualbox-dmi-passthrough", given: true, vm: VMVirtualBox, source: SourceMachineID, evidence: `board_vendor is "Oracle Corporation" and the CPU's hypervisor flag`},
		{tree: "oracle-server-metal", vm: "", source: SourceMachineID, evidence: "no hypervisor"},
		{tree: "bhyve-guest", vm: VMBhyve, source: SourceMachineID, evidence: `"BHYVE"`},
		{tree: "hyperv-product-version", vm: VMHyperV, source: SourceMachineID, evidence: "product_version"},
	})
}

// Class: a container on a VM whose hypervisor it cannot see (no DMI; the CPU flag set) sends
// vmName "", as the vendor's client does; Container says what it runs in. A VM (no container)
// in the same position is still an unknown hypervisor's guest, even when a variable claims a
// container: only the file system proves one.
func TestClassContainerOnCloudVM(t *testing.T) {
	t.Parallel()
	runClass(t, []classCase{
		{tree: "docker-on-cloud-vm", given: true, vm: "", container: true, source: SourceInstallID, evidence: "as the vendor's client sends"},
		{tree: "k8s-pod-on-cloud-vm", vm: "", container: true, source: SourceInstallID, evidence: "as the vendor's client sends"},
		{tree: "cloud-vm-no-dmi", vm: VMUnknownGuest, container: false, source: SourceMachineID, evidence: "nothing names the hypervisor"},
		{tree: "vm-with-container-env", vm: VMUnknownGuest, container: true, source: SourceMachineID, evidence: "nothing names the hypervisor"},
	})
}
