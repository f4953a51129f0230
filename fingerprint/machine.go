package fingerprint

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
}

// The operating-system names the activation API accepts in Machine.OS.
const (
	OSWindows = "windows"
	OSLinux   = "linux"
	OSMacOS   = "macos"
	OSAndroid = "android"
	OSIOS     = "ios"
)
