package fingerprint

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestClassifyFirmware(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		f    firmware
		want string
	}{
		{"kvm libvirt", firmware{SysVendor: "QEMU", ProductName: "Standard PC (i440FX + PIIX, 1996)", BIOSVendor: "SeaBIOS"}, VMKVM},
		{"kvm product", firmware{SysVendor: "Red Hat", ProductName: "KVM"}, VMKVM},
		{"openstack", firmware{SysVendor: "OpenStack Foundation", ProductName: "OpenStack Nova"}, VMKVM},
		{"vmware", firmware{SysVendor: "VMware, Inc.", ProductName: "VMware7,1"}, VMVMware},
		{"virtualbox", firmware{SysVendor: "innotek GmbH", ProductName: "VirtualBox"}, VMVirtualBox},
		{"virtualbox oracle", firmware{SysVendor: "Oracle Corporation", ProductName: "VirtualBox"}, VMVirtualBox},
		{"hyper-v", firmware{SysVendor: "Microsoft Corporation", ProductName: "Virtual Machine", BIOSVendor: "Microsoft Corporation"}, VMHyperV},
		{"surface is not a vm", firmware{SysVendor: "Microsoft Corporation", ProductName: "Surface Laptop 5"}, ""},
		{"azure", firmware{SysVendor: "Microsoft Corporation", ProductName: "Virtual Machine", ChassisAssetTag: "7783-7084-3265-9085-8269-3286-77"}, VMAzure},
		{"xen hvm", firmware{SysVendor: "Xen", ProductName: "HVM domU"}, VMXen},
		{"aws xen", firmware{SysVendor: "Xen", ProductName: "HVM domU", BIOSVersion: "4.11.amazon"}, VMAWS},
		{"aws nitro", firmware{SysVendor: "Amazon EC2", ProductName: "c6g.large", BIOSVendor: "Amazon EC2"}, VMAWS},
		{"aws metal", firmware{SysVendor: "Amazon EC2", ProductName: "i3.metal", BIOSVendor: "Amazon EC2"}, ""},
		{"aws metal-24xl", firmware{SysVendor: "Amazon EC2", ProductName: "m7i.metal-24xl", BIOSVendor: "Amazon EC2"}, ""},
		{"xenon is a server maker", firmware{SysVendor: "Xenon Systems", ProductName: "NITRO TX1"}, ""},
		{"hyper-v uefi", firmware{SysVendor: "Microsoft Corporation", ProductName: "Virtual Machine", BIOSVersion: "Hyper-V UEFI Release v4.1"}, VMHyperV},
		{"chromebook", firmware{SysVendor: "Google", ProductName: "Eve", BIOSVendor: "coreboot"}, ""},
		{"gce", firmware{SysVendor: "Google", ProductName: "Google Compute Engine"}, VMGCE},
		{"parallels", firmware{SysVendor: "Parallels Software International Inc.", ProductName: "Parallels Virtual Platform"}, VMParallels},
		{"parallels arm", firmware{SysVendor: "Parallels International GmbH.", ProductName: "Parallels ARM Virtual Machine"}, VMParallels},
		{"apple virtualization", firmware{SysVendor: "Apple Inc.", ProductName: "Apple Virtualization Generic Platform"}, VMAppleVirt},
		{"dell", firmware{SysVendor: "Dell Inc.", ProductName: "XPS 13 9310", BIOSVendor: "Dell Inc."}, ""},
		{"lenovo", firmware{SysVendor: "LENOVO", ProductName: "20XW0026GE"}, ""},
		{"empty", firmware{}, ""},
	} {
		if got := classifyFirmware(tc.f); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestClassifyMac(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		vmm   bool
		model string
		want  string
	}{
		{false, "MacBookPro18,3", ""},
		{false, "Mac14,2", ""},
		{true, "VMware7,1", VMVMware},
		{true, "Parallels-ARM", VMParallels},
		{false, "Parallels20,1", VMParallels},
		{true, "VirtualMac2,1", VMAppleVirt},
		{true, "iMacPro1,1", VMUnknownGuest},
	} {
		if got := classifyMac(tc.vmm, tc.model); got != tc.want {
			t.Errorf("classifyMac(%v, %q) = %q, want %q", tc.vmm, tc.model, got, tc.want)
		}
	}
}

func TestWindowsVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		major, minor  uint64
		legacy, build string
		ubr           uint64
		display, want string
	}{
		{10, 0, "6.3", "22631", 4460, "23H2", "10.0.22631.4460 (23H2)"},
		{10, 0, "6.3", "19045", 0, "", "10.0.19045"},
		{0, 0, "6.1", "7601", 0, "", "6.1.7601"},
		{0, 0, "", "", 0, "", ""},
	} {
		if got := windowsVersion(tc.major, tc.minor, tc.legacy, tc.build, tc.ubr, tc.display); got != tc.want {
			t.Errorf("windowsVersion = %q, want %q", got, tc.want)
		}
	}
}

func TestParseIOPlatformUUID(t *testing.T) {
	t.Parallel()
	out := `+-o J314sAP  <class IOPlatformExpertDevice, id 0x100000220, registered, matched, active, busy 0 (126 ms), retain 37>
    {
      "IOPlatformSerialNumber" = "C02XXXXXXX"
      "IOPlatformUUID" = "8A3E1F5C-2B4D-4E6F-9A8B-7C6D5E4F3A2B"
      "model" = <"MacBookPro18,3">
    }`
	if got := parseIOPlatformUUID(out); got != "8A3E1F5C-2B4D-4E6F-9A8B-7C6D5E4F3A2B" {
		t.Errorf("got %q", got)
	}
	if got := parseIOPlatformUUID("garbage"); got != "" {
		t.Errorf("garbage: %q", got)
	}
	if got := normalizeID(parseIOPlatformUUID(out)); got != "8a3e1f5c2b4d4e6f9a8b7c6d5e4f3a2b" {
		t.Errorf("normalised: %q", got)
	}
}

func TestNormalizeID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"3d1219c7c4c5404aaa1f6d2a48adfda4\n":     "3d1219c7c4c5404aaa1f6d2a48adfda4",
		"{4C4C4544-0042-3510-8052-B4C04F4E4D32}": "4c4c4544004235108052b4c04f4e4d32",
		"":                                       "",
		"   \n":                                  "",
		"uninitialized\n":                        "",
		"00000000000000000000000000000000":       "",
		"00000000-0000-0000-0000-000000000000":   "",
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF":   "",
		"88544b92092430bc5d3fbbffc12a2f04":       "",
		"03000200-0400-0500-0006-000700080009":   "",
		"not hex at all, not at all":             "",
		"abc":                                    "",
	} {
		if got := normalizeID(in); got != want {
			t.Errorf("normalizeID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUserHash(t *testing.T) {
	t.Parallel()
	if UserHash("app", "windows", `CORP\Alice`) != UserHash("app", "windows", `corp\alice`) {
		t.Error("Windows names must be case-insensitive")
	}
	if UserHash("app", "windows", `CORP\alice`) == UserHash("app", "windows", `OTHER\alice`) {
		t.Error("the domain is part of the name")
	}
	if UserHash("app", "linux", "Alice") == UserHash("app", "linux", "alice") {
		t.Error("Unix names are case-sensitive")
	}
	if UserHash("app", "linux", " alice\n") != UserHash("app", "linux", "alice") {
		t.Error("white space must be trimmed")
	}
	if UserHash("app-1", "linux", "alice") == UserHash("app-2", "linux", "alice") {
		t.Error("the app id must key the hash")
	}
	// Never the bare SHA-256 a dictionary reverses.
	if h := UserHash("app", "linux", "alice"); h == "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90" || !hex64.MatchString(h) {
		t.Errorf("user hash %q", h)
	}
}

func TestMountinfo(t *testing.T) {
	t.Parallel()
	mi := "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:5 / / rw shared:3 - overlay overlay rw\n3 2 0:6 /etc/machine-id /etc/machine-id ro - tmpfs tmpfs rw\n"
	if got := rootFSType(mi); got != "overlay" {
		t.Errorf("rootFSType = %q", got)
	}
	if !isMountPoint(mi, "/etc/machine-id") || isMountPoint(mi, "/var/lib/dbus/machine-id") {
		t.Error("isMountPoint")
	}
	if rootFSType("garbage\n\n- - -") != "" {
		t.Error("garbage mountinfo")
	}
}

// osVersion is what the vendor's client sends: the distribution's pretty name, unquoted as
// os-release(5) says; VERSION_ID only where there is none.
func TestOSReleaseVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n": "Debian GNU/Linux 12 (bookworm)",
		"NAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nPRETTY_NAME=\"Ubuntu 24.04.1 LTS\"":                      "Ubuntu 24.04.1 LTS",
		"PRETTY_NAME='Alpine Linux v3.20'\nVERSION_ID=3.20.1":                                            "Alpine Linux v3.20",
		"PRETTY_NAME=Fedora\\ Linux\nVERSION_ID=40":                                                      "Fedora Linux",
		"PRETTY_NAME=\"Acme \\\"Edge\\\" \\$HOME \\\\ OS\"":                                              "Acme \"Edge\" $HOME \\ OS",
		"  PRETTY_NAME=\"indented\"  \r\n":                                                               "indented",
		"PRETTY_NAME=\"first\"\nPRETTY_NAME=\"last wins\"":                                               "last wins",
		"PRETTY_NAME=\"\"\nVERSION_ID=\"12.11\"":                                                         "12.11",
		"NAME=x\nVERSION_ID=\"12.11\"\n":                                                                 "12.11",
		"VERSION_ID='3.20'":                                                                              "3.20",
		"VERSION_ID=40":                                                                                  "40",
		"NAME=arch":                                                                                      "",
		"# PRETTY_NAME=\"a comment\"\nVERSION_ID=1":                                                      "1",
		"XPRETTY_NAME=\"not it\"\nVERSION_ID=2":                                                          "2",
	} {
		if got := osReleaseVersion(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// Whatever a machine's os-release holds, osVersion is something the API takes (at most 256
// code points of valid UTF-8), so that no machine fails every request on it.
func TestOSVersionBounded(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		strings.Repeat("é", 300):           strings.Repeat("é", 256),
		"Ubuntu\x00 24.04\x1b[31m LTS\xff": "Ubuntu 24.04[31m LTS",
		"  spaced  ":                       "spaced",
		strings.Repeat("a", 255) + " b":    strings.Repeat("a", 255),
	} {
		if got := boundOSVersion(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestWindowsContainer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value   uint64
		present bool
		want    bool
		why     string
	}{
		{0, false, false, "no ContainerType"},
		{0, true, false, "is 0"},
		{1, true, true, "ContainerType is 1"},
		{2, true, true, "ContainerType is 2"},
	} {
		got, why := windowsContainer(tc.value, tc.present)
		if got != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("windowsContainer(%d, %v) = %v, %q; want %v, %q", tc.value, tc.present, got, why, tc.want, tc.why)
		}
	}
}

// FuzzOSVersion: whatever an os-release file holds, the osVersion sent is valid UTF-8 of at
// most 256 code points without control characters, and reading it never panics.
func FuzzOSVersion(f *testing.F) {
	f.Add("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\n")
	f.Add("PRETTY_NAME='x\\'\nVERSION_ID=\\")
	f.Add("PRETTY_NAME=\"" + strings.Repeat("\\\"é", 300) + "\"")
	f.Add("PRETTY_NAME=\xff\xfe\x00")
	f.Fuzz(func(t *testing.T, content string) {
		v := boundOSVersion(osReleaseVersion(content))
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxOSVersion || strings.TrimSpace(v) != v {
			t.Fatalf("%q", v)
		}
		for _, r := range v {
			if unicode.IsControl(r) {
				t.Fatalf("control character in %q", v)
			}
		}
	})
}
