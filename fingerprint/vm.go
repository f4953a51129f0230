package fingerprint

import "strings"

// Hypervisor names reported in Machine.VMName.
const (
	VMKVM          = "KVM"                   // VMKVM is KVM and QEMU guests, which show the same firmware strings.
	VMVMware       = "VMware"                // VMVMware is a VMware guest.
	VMVirtualBox   = "VirtualBox"            // VMVirtualBox is a VirtualBox guest.
	VMHyperV       = "Hyper-V"               // VMHyperV is a Hyper-V guest.
	VMXen          = "Xen"                   // VMXen is a Xen guest.
	VMParallels    = "Parallels"             // VMParallels is a Parallels guest.
	VMAWS          = "AWS"                   // VMAWS is an Amazon EC2 instance.
	VMGCE          = "Google Compute Engine" // VMGCE is a Google Compute Engine instance.
	VMAzure        = "Azure"                 // VMAzure is an Azure virtual machine.
	VMWSL2         = "WSL2"                  // VMWSL2 is Windows Subsystem for Linux 2.
	VMAppleVirt    = "Apple Virtualization"  // VMAppleVirt is a guest of Apple's Virtualization framework.
	VMUnknownGuest = "Unknown hypervisor"    // VMUnknownGuest is a guest whose hypervisor is not recognised.
)

// azureAssetTag is the chassis asset tag Azure sets on every VM.
const azureAssetTag = "7783-7084-3265-9085-8269-3286-77"

// firmware holds the identification strings that firmware exposes: DMI on Linux, the
// HARDWARE\DESCRIPTION\System\BIOS registry key on Windows.
type firmware struct {
	SysVendor, ProductName, ProductVersion, BIOSVendor, BIOSVersion, BoardVendor, ChassisAssetTag string
}

// classifyFirmware names the hypervisor that the firmware strings reveal, or "" when they
// describe physical hardware (or nothing). Clouds come before the hypervisor they run on.
func classifyFirmware(f firmware) string {
	has := func(sub string, fields ...string) bool {
		for _, v := range fields {
			if strings.Contains(strings.ToLower(v), sub) {
				return true
			}
		}
		return false
	}
	all := []string{f.SysVendor, f.ProductName, f.BIOSVendor, f.BIOSVersion, f.BoardVendor}
	switch {
	case strings.HasSuffix(strings.ToLower(strings.TrimSpace(f.ProductName)), ".metal"):
		return "" // AWS bare-metal instances carry Amazon's strings but are not guests
	case has("amazon", f.SysVendor, f.BIOSVendor, f.BIOSVersion, f.BoardVendor):
		return VMAWS
	case has("google", f.SysVendor, f.ProductName, f.BIOSVendor, f.BoardVendor):
		return VMGCE
	case strings.TrimSpace(f.ChassisAssetTag) == azureAssetTag:
		return VMAzure
	case has("vmware", all...):
		return VMVMware
	case has("virtualbox", all...) || has("innotek", all...):
		return VMVirtualBox
	case has("parallels", all...):
		return VMParallels
	case has("microsoft", f.SysVendor, f.BoardVendor) && has("virtual", f.ProductName):
		return VMHyperV
	case has("xen", all...):
		return VMXen
	case has("kvm", all...) || has("qemu", all...) || has("openstack", all...) ||
		has("seabios", f.BIOSVendor) || has("bochs", all...):
		return VMKVM
	case has("apple", f.SysVendor) && has("virtual", f.ProductName):
		return VMAppleVirt
	}
	return ""
}

// classifyMac names the hypervisor from macOS's kern.hv_vmm_present and hw.model.
func classifyMac(vmmPresent bool, model string) string {
	m := strings.ToLower(model)
	switch {
	case strings.HasPrefix(m, "vmware"):
		return VMVMware
	case strings.Contains(m, "parallels"):
		return VMParallels
	case strings.Contains(m, "virtualbox"):
		return VMVirtualBox
	case strings.HasPrefix(m, "virtualmac") || strings.Contains(m, "apple virtual"):
		return VMAppleVirt
	case vmmPresent:
		return VMUnknownGuest
	}
	return ""
}

// classifyLinux names the hypervisor of a Linux guest. The kvm module being loaded on the
// host says nothing about being a guest, so it is not consulted: only the firmware strings,
// /sys/hypervisor/type, the kernel release (WSL2) and the CPU's hypervisor flag are.
func classifyLinux(f firmware, hypervisorType, kernelRelease string, cpuHypervisorFlag bool) string {
	k := strings.ToLower(kernelRelease)
	if strings.Contains(k, "microsoft") && (strings.Contains(k, "wsl2") || strings.Contains(k, "microsoft-standard")) {
		return VMWSL2
	}
	if name := classifyFirmware(f); name != "" {
		return name
	}
	if strings.TrimSpace(hypervisorType) == "xen" {
		return VMXen
	}
	if cpuHypervisorFlag {
		return VMUnknownGuest
	}
	return ""
}
