package fingerprint

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxOSVersion is the longest osVersion the API takes (the reference page's limit), in code
// points: a longer name read from the machine is cut, not sent to fail validation.
const maxOSVersion = 256

// osReleaseValue returns the value of key in an os-release file (a list of KEY=value lines,
// shell-quoted), unquoted and unescaped as os-release(5) says; "" when absent. The last
// assignment wins, as in a shell.
func osReleaseValue(content, key string) string {
	v := ""
	for _, line := range strings.Split(content, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			v = unquoteOSRelease(strings.TrimSpace(rest))
		}
	}
	return v
}

// unquoteOSRelease undoes os-release's shell quoting: single quotes are literal; inside double
// quotes a backslash escapes ", \, $ and `; unquoted, it escapes any character.
func unquoteOSRelease(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1]
	}
	escapable := func(byte) bool { return true }
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
		escapable = func(c byte) bool { return strings.IndexByte("\"\\$`", c) >= 0 }
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && escapable(v[i+1]) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// osReleaseVersion returns what the vendor's client sends as osVersion from an os-release file:
// the distribution's pretty name (PRETTY_NAME, "Debian GNU/Linux 12 (bookworm)"), else
// VERSION_ID; "" when the file has neither.
func osReleaseVersion(content string) string {
	if v := osReleaseValue(content, "PRETTY_NAME"); v != "" {
		return v
	}
	return osReleaseValue(content, "VERSION_ID")
}

// osVersion is the pretty name (else VERSION_ID) of /etc/os-release, then of
// /usr/lib/os-release, then the kernel release: valid UTF-8, trimmed, at most maxOSVersion
// code points.
func (p *probe) osVersion() string {
	v := osReleaseVersion(p.read("etc/os-release"))
	if v == "" {
		v = osReleaseVersion(p.read("usr/lib/os-release"))
	}
	if v == "" {
		v = p.kernel()
	}
	return boundOSVersion(v)
}

// boundOSVersion makes a machine's text an acceptable osVersion: invalid UTF-8 and control
// characters dropped, spaces trimmed, cut to maxOSVersion code points.
func boundOSVersion(v string) string {
	v = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(v, ""))
	v = strings.TrimSpace(v)
	if utf8.RuneCountInString(v) > maxOSVersion {
		v = strings.TrimSpace(string([]rune(v)[:maxOSVersion]))
	}
	return v
}

// WSL's markers: the variables WSL sets in every process it starts, and the binfmt_misc
// entry through which it runs Windows programs (named WSLInterop, or WSLInterop-late when
// systemd registered its own binfmt entries first).
var (
	wslVars    = []string{"WSL_DISTRO_NAME", "WSL_INTEROP"}
	wslInterop = []string{"proc/sys/fs/binfmt_misc/WSLInterop", "proc/sys/fs/binfmt_misc/WSLInterop-late"}
)

func (p *probe) wslInterop() (string, bool) {
	for _, name := range wslInterop {
		if p.exists(name) {
			return "/" + name, true
		}
	}
	return "", false
}

// wsl decides whether this is WSL and which version, before anything that would read a WSL 2
// machine as an unknown Hyper-V guest. WSL 1 translates Linux calls on the Windows kernel: no
// virtual machine at all, and its kernel release is a fixed "4.4.0-<build>-Microsoft". WSL 2 is
// a real kernel in a Hyper-V utility VM; Microsoft's kernels say "microsoft" in their release,
// custom ones need not, so the variables and the interop entry count as much as the release.
func (p *probe) wsl() (isWSL bool, version int, why string) {
	kernel := p.kernel()
	var envWhy string
	for _, v := range wslVars {
		if _, ok := p.lookup(v); ok {
			envWhy = "$" + v + " is set"
			break
		}
	}
	switch {
	case strings.Contains(strings.ToLower(kernel), "microsoft"):
		why = "the kernel release " + quote(kernel) + " is Microsoft's"
	case envWhy != "":
		entry, ok := p.wslInterop()
		if !ok {
			return false, 0, ""
		}
		why = envWhy + " and " + entry + " exists (a custom WSL kernel)"
	default:
		return false, 0, ""
	}
	if strings.HasSuffix(kernel, "-Microsoft") {
		return true, 1, "WSL 1 (" + why + "): Linux calls run on the Windows kernel, no VM"
	}
	if fs := rootFSTypeOf(p); fs == "lxfs" || fs == "wslfs" {
		return true, 1, "WSL 1 (root file system " + fs + "): no VM"
	}
	return true, 2, "WSL 2: " + why
}

func rootFSTypeOf(p *probe) string {
	m, _ := p.mountAt("/")
	return m.fstype
}

// vm names the hypervisor this machine is a guest of, in the order systemd-detect-virt
// decides, with the reason. Being a host (of KVM, Xen, Hyper-V) is not being a guest.
func (p *probe) vm() (string, string) {
	// 1. WSL, before the CPU flag could call WSL 2 an unknown hypervisor.
	if ok, version, why := p.wsl(); ok {
		if version == 1 {
			return "", why
		}
		return VMWSL2, why
	}
	// 2. Firmware strings. On x86 the CPU flag tells whether a hypervisor lies below; without
	// it, only a hypervisor's own firmware names count.
	flag := p.cpuHypervisor()
	fw := classifyFirmwareWith(p.dmiString, flag == flagClear)
	switch {
	case fw.vm != "" && !fw.cloud:
		return fw.vm, fw.why
	case fw.vm != "":
		if guest, why := p.cloudGuest(fw.vm, flag); !guest {
			return "", fw.why + ", but " + why + ": the cloud's bare metal"
		} else {
			return fw.vm, fw.why + " and " + why
		}
	}
	// 2b. Names that physical machines carry too, with proof of a hypervisor.
	if flag != flagClear {
		for _, n := range proofNames {
			for _, k := range n.fields {
				if v := p.dmiString(k); startsWithName(v, n.prefix) {
					why := dmiFiles[k] + " is " + quote(v)
					if flag == flagSet {
						return n.vm, why + " and the CPU's hypervisor flag is set"
					}
					if p.smbiosVMBit() == flagSet {
						return n.vm, why + " and the SMBIOS virtual-machine bit is set"
					}
				}
			}
		}
	}
	// 2c. User Mode Linux runs as a process of another kernel, which may itself be a guest.
	// (systemd matches the line as the kernel writes it.)
	if strings.Contains(p.read("proc/cpuinfo"), "\nvendor_id\t: User Mode Linux") {
		return VMUML, "/proc/cpuinfo's vendor_id is User Mode Linux"
	}
	// 3. Xen, whose paravirtualised guests may show no CPU flag, and whose dom0 is the host.
	if strings.TrimSpace(p.read("sys/hypervisor/type")) == "xen" {
		if p.xenDom0() {
			return "", "Xen dom0 (/proc/xen/capabilities has control_d): the host, not a guest"
		}
		return VMXen, "/sys/hypervisor/type is xen"
	}
	// 3b. The device tree, off x86 (arm64, ppc64, riscv), where there is no CPU flag.
	if flag == flagUnknown {
		if vm, why := p.deviceTreeVM(); why != "" {
			return vm, why
		}
	}
	// 4. The CPU flag alone: a guest of some hypervisor, unless this is a host running under
	// its own hypervisor, or a container (see below).
	if flag == flagSet {
		if entry, ok := p.wslInterop(); ok {
			return VMWSL2, "WSL 2: " + entry + " exists (a custom WSL kernel)"
		}
		if p.exists("dev/mshv") {
			return "", "the Hyper-V root partition (/dev/mshv): the host, not a guest"
		}
		// A container on a cloud VM sees the flag but no firmware: the vendor's own client sends
		// "" there, and a license that refuses VMs must not refuse our users' customers where it
		// admits the vendor client's. Machine.Container says what the process runs in. Only the
		// file system's proof counts: a variable must not turn a VM into no VM.
		if _, _, byFiles := p.containerEvidence(); byFiles {
			return "", "the CPU's hypervisor flag is set, but this is a container and nothing it can see names a hypervisor: \"\", as the vendor's client sends"
		}
		return VMUnknownGuest, "the CPU's hypervisor flag is set and nothing names the hypervisor"
	}
	if flag == flagClear {
		// The cloud strings were not needed, but say so when the two strings read show them.
		if v := p.dmi[fwSysVendor]; startsWithName(v, "Amazon EC2") {
			return "", "sys_vendor is " + quote(v) + ", but the CPU reports no hypervisor: the cloud's bare metal"
		}
		if v := p.dmi[fwProductName]; startsWithName(v, "Google Compute Engine") {
			return "", "product_name is " + quote(v) + ", but the CPU reports no hypervisor: the cloud's bare metal"
		}
		return "", "the CPU reports no hypervisor and no hypervisor's firmware name"
	}
	return "", "no hypervisor's firmware name, hypervisor file or CPU flag"
}

// dmiString reads one DMI string from /sys/class/dmi/id.
func (p *probe) dmiString(k fwField) string {
	if v, ok := p.dmi[k]; ok {
		return v
	}
	v := strings.TrimSpace(p.read("sys/class/dmi/id/" + dmiFiles[k]))
	p.dmi[k] = v
	return v
}

// xenDom0 reports whether this is Xen's control domain: its capabilities say control_d.
func (p *probe) xenDom0() bool {
	return strings.Contains(p.read("proc/xen/capabilities"), "control_d")
}

// cloudGuest decides whether a machine that carries a cloud's firmware strings is its guest.
// Clouds sell bare metal under the same strings (AWS *.metal*, Google's *-metal machine types),
// so the strings name the cloud, not a hypervisor. The proof, in order: the x86 CPU flag; the
// SMBIOS "virtual machine" bit (arm64, where there is no flag); then the machine type's name.
func (p *probe) cloudGuest(cloud string, flag cpuFlag) (bool, string) {
	switch flag {
	case flagSet:
		return true, "the CPU's hypervisor flag is set"
	case flagClear:
		return false, "the CPU reports no hypervisor"
	}
	switch p.smbiosVMBit() {
	case flagSet:
		return true, "the SMBIOS virtual-machine bit is set"
	case flagClear:
		if cloud == VMAWS { // as systemd-detect-virt: AWS sets the bit on every guest
			return false, "the SMBIOS virtual-machine bit is clear"
		}
	}
	name := strings.ToLower(p.dmiString(fwProductName))
	switch {
	case cloud == VMAWS && strings.Contains(name, ".metal"):
		return false, "product_name " + quote(name) + " is a metal instance type"
	case cloud == VMGCE && strings.HasSuffix(name, "-metal"):
		return false, "product_name " + quote(name) + " is a metal machine type"
	}
	return true, "nothing says bare metal"
}

// smbiosVMBit reads the SMBIOS BIOS Information structure (type 0; readable by root only):
// bit 4 of BIOS Characteristics Extension Byte 2, at offset 0x13, marks a virtual machine.
func (p *probe) smbiosVMBit() cpuFlag {
	raw, err := p.readLimit("sys/firmware/dmi/entries/0-0/raw", 4096)
	if err != nil || len(raw) < 20 || raw[1] < 20 {
		return flagUnknown
	}
	if raw[0x13]&(1<<4) != 0 {
		return flagSet
	}
	return flagClear
}

// deviceTreeVM reads the device tree as systemd-detect-virt does off x86: the hypervisor node's
// compatible ("linux,kvm", "xen...", "vmware..."; any other names an unknown hypervisor), then
// a PowerVM partition (ibm,partition-name and hmc-managed? without QEMU's graphic-width), a
// QEMU fw-cfg node, and the machine's compatible "qemu,pseries" (a QEMU pSeries guest,
// systemd#26629). why is "" when the device tree names no hypervisor.
func (p *probe) deviceTreeVM() (vm, why string) {
	const dt = "proc/device-tree/"
	if hv, err := p.readLimit(dt+"hypervisor/compatible", 4096); err == nil {
		first, _, _ := strings.Cut(hv, "\x00")
		first = strings.TrimSpace(first)
		why = "/proc/device-tree/hypervisor/compatible is " + quote(first)
		switch {
		case first == "linux,kvm":
			return VMKVM, why
		case strings.Contains(first, "xen"):
			return VMXen, why
		case strings.Contains(first, "vmware"):
			return VMVMware, why
		}
		return VMUnknownGuest, why
	}
	if p.exists(dt+"ibm,partition-name") && p.exists(dt+"hmc-managed?") && !p.exists(dt+"chosen/qemu,graphic-width") {
		return VMPowerVM, "/proc/device-tree has ibm,partition-name and hmc-managed? (a PowerVM partition)"
	}
	for _, name := range listDir(p.fsys, "proc/device-tree") {
		if strings.Contains(name, "fw-cfg") {
			return VMKVM, "/proc/device-tree/" + name + " is QEMU's fw-cfg"
		}
	}
	if c, err := p.readLimit(dt+"compatible", 4096); err == nil {
		if first, _, _ := strings.Cut(c, "\x00"); strings.TrimSpace(first) == "qemu,pseries" {
			return VMKVM, "/proc/device-tree/compatible is \"qemu,pseries\" (a QEMU pSeries guest)"
		}
	}
	return "", ""
}
