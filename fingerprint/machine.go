package fingerprint

import "fmt"

// Machine is what the activation API is told about this machine.
//
// Every field is sent on each activation update: the signals are facts about the machine, so an
// empty VMName ("not a guest") and a false Container must reach the server as they are.
// OSVersion is sent when it is not empty.
type Machine struct {
	OS          string // exactly one of: windows, linux, macos, android, ios
	OSVersion   string
	Hostname    string
	Fingerprint string // >= 64 characters, stable across reboots and re-installs
	UserHash    string // keyed hash of the OS user name, never the name itself
	VMName      string // hypervisor name ("KVM", "VMware", ...); "" when not in a VM
	Container   bool

	// Source says where the id behind Fingerprint came from; see [Source]. It is not sent.
	Source Source

	// bound is what Reconcile needs, "" for a Machine the caller built or a replayed capture:
	// the anchor key (64 hex digits), the fingerprint of the id alone (64), then the anchors
	// Fingerprint is bound to, as AnchorStrings joined by ",". One string, so that Machine stays
	// comparable and small to copy; it is never sent or printed.
	bound string
}

// Source names the machine id that a fingerprint was derived from. The id itself is never
// exposed: only its keyed hash is.
type Source string

// The sources [Collect] tries, in order, per operating system.
const (
	SourceMachineID     Source = "machine-id"          // SourceMachineID is Linux's /etc/machine-id.
	SourceDBusMachineID Source = "dbus-machine-id"     // SourceDBusMachineID is Linux's /var/lib/dbus/machine-id.
	SourceProductUUID   Source = "dmi-product-uuid"    // SourceProductUUID is Linux's /sys/class/dmi/id/product_uuid.
	SourceMachineGUID   Source = "windows-machineguid" // SourceMachineGUID is Windows' HKLM\SOFTWARE\Microsoft\Cryptography MachineGuid.
	SourcePlatformUUID  Source = "macos-platform-uuid" // SourcePlatformUUID is macOS's IOPlatformUUID, from /usr/sbin/ioreg.
	SourceInstallID     Source = "install-id"          // SourceInstallID is a random id generated once and persisted.
	SourceCustom        Source = ""                    // SourceCustom is a Machine the caller built.
)

// The operating-system names the activation API accepts in Machine.OS.
const (
	OSWindows = "windows" // OSWindows is Windows.
	OSLinux   = "linux"   // OSLinux is Linux, WSL included.
	OSMacOS   = "macos"   // OSMacOS is macOS.
	OSAndroid = "android" // OSAndroid is Android.
	OSIOS     = "ios"     // OSIOS is iOS.
)

// Format prints m's exported fields only, as they were before Machine held anything else: the
// anchor key it keeps (see [Reconcile]) is derived from the machine id and never printed, by
// fmt or by log/slog, which prints through fmt.
func (m Machine) Format(f fmt.State, verb rune) {
	type Machine struct {
		OS, OSVersion, Hostname, Fingerprint, UserHash, VMName string
		Container                                              bool
		Source                                                 Source
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), Machine{m.OS, m.OSVersion, m.Hostname, m.Fingerprint, m.UserHash, m.VMName, m.Container, m.Source})
}
