package fingerprint

import (
	"strconv"
	"strings"
)

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
	VMBhyve        = "bhyve"                 // VMBhyve is a guest of FreeBSD's bhyve.
	VMPowerVM      = "PowerVM"               // VMPowerVM is an IBM PowerVM logical partition.
	VMUML          = "User Mode Linux"       // VMUML is a User Mode Linux kernel, run as a process of another.
	VMUnknownGuest = "Unknown hypervisor"    // VMUnknownGuest is a guest whose hypervisor is not recognised.
)

// azureAssetTag is the chassis asset tag Azure sets on every VM.
const azureAssetTag = "7783-7084-3265-9085-8269-3286-77"

// firmware holds the identification strings that firmware exposes: DMI on Linux, the
// HARDWARE\DESCRIPTION\System\BIOS registry key on Windows.
type firmware struct {
	SysVendor, ProductName, ProductVersion, BIOSVendor, BIOSVersion, BoardVendor, ChassisAssetTag string
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

// fwField names one firmware identification string.
type fwField int

const (
	fwSysVendor fwField = iota
	fwProductName
	fwProductVersion
	fwBIOSVendor
	fwBIOSVersion
	fwBoardVendor
	fwChassisAssetTag
)

// dmiFiles are the files under /sys/class/dmi/id that hold each string on Linux.
var dmiFiles = [...]string{
	fwSysVendor: "sys_vendor", fwProductName: "product_name", fwProductVersion: "product_version",
	fwBIOSVendor: "bios_vendor", fwBIOSVersion: "bios_version", fwBoardVendor: "board_vendor",
	fwChassisAssetTag: "chassis_asset_tag",
}

func (f firmware) get(k fwField) string {
	switch k {
	case fwSysVendor:
		return f.SysVendor
	case fwProductName:
		return f.ProductName
	case fwProductVersion:
		return f.ProductVersion
	case fwBIOSVendor:
		return f.BIOSVendor
	case fwBIOSVersion:
		return f.BIOSVersion
	case fwBoardVendor:
		return f.BoardVendor
	case fwChassisAssetTag:
		return f.ChassisAssetTag
	}
	return ""
}

// fwName is one firmware rule: a hypervisor's (or cloud's) name at the start of a field.
type fwName struct {
	prefix string
	fields []fwField
	vm     string
}

// vendorFields are the fields where hypervisors put their names.
var vendorFields = []fwField{fwSysVendor, fwProductName, fwBIOSVendor, fwBoardVendor}

// hypervisorNames are names that only a hypervisor's virtual firmware carries, in the order
// systemd-detect-virt's DMI table tries them. They count without the CPU's hypervisor flag:
// a guest that hides the flag (to fool software like this) still shows its firmware.
var hypervisorNames = []fwName{
	{"VMware", vendorFields, VMVMware},
	{"VMW", []fwField{fwProductName}, VMVMware},
	{"innotek GmbH", vendorFields, VMVirtualBox},
	{"VirtualBox", vendorFields, VMVirtualBox},
	{"Parallels", vendorFields, VMParallels},
	{"Hyper-V", []fwField{fwProductName, fwBIOSVersion}, VMHyperV},
	{"Xen", vendorFields, VMXen},
	{"HVM domU", []fwField{fwProductName}, VMXen},
	{"QEMU", vendorFields, VMKVM},
	{"KVM", vendorFields, VMKVM},
	{"OpenStack", vendorFields, VMKVM},
	{"KubeVirt", vendorFields, VMKVM},
	{"Bochs", vendorFields, VMKVM},
	{"SeaBIOS", []fwField{fwBIOSVendor}, VMKVM},
	{"Apple Virtualization", []fwField{fwProductName}, VMAppleVirt},
	{"VirtualMac", []fwField{fwProductName}, VMAppleVirt},
	{"BHYVE", vendorFields, VMBhyve},
	{"Hyper-V", []fwField{fwProductVersion}, VMHyperV},
}

// proofNames are names of systemd's DMI table that physical machines carry too, so that they
// count only with proof of a hypervisor below (the x86 CPU flag, or the SMBIOS virtual-machine
// bit): Oracle makes servers whose board_vendor is "Oracle Corporation", which VirtualBox also
// writes there when it passes the host's other strings through (systemd#13429).
var proofNames = []fwName{
	{"Oracle Corporation", []fwField{fwBoardVendor, fwSysVendor}, VMVirtualBox},
}

// startsWithName reports whether v starts with name, ignoring case, and name ends there as a
// word: "Xen" matches "Xen" and "Xen HVM" but not "Xenon Systems", a maker of physical servers.
func startsWithName(v, name string) bool {
	v = strings.TrimSpace(v)
	if len(v) < len(name) || !strings.EqualFold(v[:len(name)], name) {
		return false
	}
	if len(v) == len(name) {
		return true
	}
	c := v[len(name)]
	return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z')
}

// firmwareVerdict is what the firmware strings say.
type firmwareVerdict struct {
	vm    string
	cloud bool   // a cloud's strings, which its bare-metal machines carry too
	why   string // the string that decided
}

// classifyFirmwareWith names the hypervisor or cloud that the firmware strings reveal. get
// reads one string; fields that no rule needs are never read. With onlyHypervisors (an x86 CPU
// that reports no hypervisor), cloud strings are not even read: they would prove nothing.
func classifyFirmwareWith(get func(fwField) string, onlyHypervisors bool) firmwareVerdict {
	if !onlyHypervisors {
		// Clouds come first: they run on KVM or Xen but name themselves.
		for _, k := range []fwField{fwSysVendor, fwBIOSVendor} {
			if v := get(k); startsWithName(v, "Amazon EC2") {
				return firmwareVerdict{VMAWS, true, dmiFiles[k] + " is " + quote(v)}
			}
		}
		if v := get(fwBIOSVersion); strings.Contains(strings.ToLower(v), ".amazon") {
			return firmwareVerdict{VMAWS, true, "bios_version is " + quote(v)}
		}
		if v := get(fwProductName); startsWithName(v, "Google Compute Engine") {
			return firmwareVerdict{VMGCE, true, "product_name is " + quote(v)}
		}
		if startsWithName(get(fwSysVendor), "Google") && startsWithName(get(fwBIOSVendor), "Google") {
			return firmwareVerdict{VMGCE, true, "sys_vendor and bios_vendor are Google"}
		}
		if strings.TrimSpace(get(fwChassisAssetTag)) == azureAssetTag {
			return firmwareVerdict{VMAzure, false, "chassis_asset_tag is Azure's"}
		}
	}
	for _, n := range hypervisorNames {
		for _, k := range n.fields {
			if onlyHypervisors && k != fwSysVendor && k != fwProductName {
				continue
			}
			if v := get(k); startsWithName(v, n.prefix) {
				return firmwareVerdict{n.vm, false, dmiFiles[k] + " is " + quote(v)}
			}
		}
	}
	if startsWithName(get(fwSysVendor), "Microsoft Corporation") && startsWithName(get(fwProductName), "Virtual Machine") {
		return firmwareVerdict{VMHyperV, false, `sys_vendor is "Microsoft Corporation" and product_name "Virtual Machine"`}
	}
	return firmwareVerdict{}
}

// classifyFirmware names the hypervisor that firmware strings reveal, or "" when they describe
// physical hardware (or nothing). Cloud names are returned as they are: the caller decides
// whether the machine is the cloud's guest or its bare metal (see [classifyLinux]).
func classifyFirmware(f firmware) string {
	v := classifyFirmwareWith(f.get, false)
	if v.vm == VMAWS && strings.Contains(strings.ToLower(f.ProductName), ".metal") {
		return "" // AWS bare metal: i3.metal, m7i.metal-24xl, ...
	}
	return v.vm
}

// quote renders an outside string for evidence: trimmed, cut at 64 bytes, and Go-quoted, so
// that no control character from a file reaches a terminal.
func quote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "..."
	}
	return strconv.Quote(s)
}
