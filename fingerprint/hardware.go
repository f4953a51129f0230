package fingerprint

import (
	"io/fs"
	"strings"
)

// readAnchors reads a Linux machine's hardware anchors from sysfs, as any user can (the SMBIOS
// UUID only as root): the permanent MAC address of each physical network interface, the serial
// of each fixed disk (NVMe, SCSI/ATA), and the SMBIOS UUID. Their files are read past the probe's record, so that
// no capture holds their values; a listing looks at no more than maxAnchorDir entries.
func (p *probe) readAnchors() []rawAnchor {
	var out []rawAnchor
	// Network interfaces: physical ones have a device behind them (veth, bridges, tunnels and
	// the loopback have none), and only an address the hardware gave (addr_assign_type 0,
	// NET_ADDR_PERM) counts: one set by software or randomised for privacy is not the machine's.
	for _, name := range listDir(p.fsys, "sys/class/net") {
		dir := "sys/class/net/" + name
		if _, err := fs.Stat(p.fsys, dir+"/device"); err == nil && p.readSys(dir+"/addr_assign_type") == "0" {
			if mac := permanentMAC(p.readSys(dir + "/address")); mac != "" {
				out = append(out, rawAnchor{AnchorNIC, mac, dir})
			}
		}
	}
	// Disks: NVMe controllers' serials, and SCSI and ATA disks' world-wide ids, which hold the
	// model and serial; both are kept by the kernel. virtio's /sys/block/vd*/serial is not read:
	// each read is a request to the device (1.7 ms measured on a KVM guest), and a guest's NIC
	// tells it apart anyway. Removable media (USB sticks, card readers) are not the machine.
	for _, d := range [...]struct{ dir, file, tag string }{
		{"sys/class/nvme", "/serial", "nvme:"}, {"sys/block", "/device/wwid", "block:"},
	} {
		for _, name := range listDir(p.fsys, d.dir) {
			dir := d.dir + "/" + name
			if d.tag == "block:" && (!strings.HasPrefix(name, "sd") && !strings.HasPrefix(name, "hd") || p.readSys(dir+"/removable") == "1") {
				continue
			}
			if serial := p.readSys(dir + d.file); usableSerial(serial) {
				out = append(out, rawAnchor{AnchorDisk, d.tag + serial, dir})
			}
		}
	}
	// The SMBIOS system UUID, readable by root only; an unset or shared one is no anchor.
	if id := normalizeID(p.readSys("sys/class/dmi/id/product_uuid")); id != "" {
		out = append(out, rawAnchor{AnchorBoard, id, "sys/class/dmi/id/product_uuid"})
	}
	return out
}

// readSys returns a small sysfs file's content, trimmed, "" when it cannot be read, without
// noting it in the probe's record.
func (p *probe) readSys(name string) string {
	s, err := readFile(p.fsys, name, 4096)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// listDir returns up to maxAnchorDir names in dir, nil when it cannot be read.
func listDir(fsys fs.FS, dir string) []string {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if len(names) == maxAnchorDir {
			break
		}
		names = append(names, e.Name())
	}
	return names
}

// permanentMAC returns a hardware address as lowercase "xx:xx:..." when it is well formed: at
// least six octets, not all zeros; "" otherwise. A locally administered address counts: QEMU
// gives its guests 52:54:00:..., which the kernel reports as permanent (addr_assign_type 0),
// while addresses software makes up are reported as random or set (1, 3).
func permanentMAC(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	parts := strings.Split(s, ":")
	if len(parts) < 6 || len(parts) > 20 {
		return ""
	}
	zero := true
	for _, o := range parts {
		if len(o) != 2 || strings.Trim(o, "0123456789abcdef") != "" {
			return ""
		}
		zero = zero && o == "00"
	}
	if zero {
		return ""
	}
	return s
}

// usableSerial reports whether a disk serial says something: not empty, not one character
// repeated (zeros, spaces, dashes), and of a sane length.
func usableSerial(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 4 || len(s) > 256 {
		return false
	}
	return strings.Count(s, s[:1]) != len(s)
}
