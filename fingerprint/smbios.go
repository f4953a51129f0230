package fingerprint

import (
	"encoding/hex"
	"strings"
)

// smbiosUUID returns the system UUID of an SMBIOS structure table (the System Information
// structure, type 1, bytes 8 to 23) as 32 lowercase hex digits, or "" when the table has none
// or it is unset (all zeros or all ones). The table is walked structure by structure: a
// formatted area of the length its header gives, then strings ending in two NULs; a structure
// that runs past the end stops the walk.
func smbiosUUID(table []byte) string {
	for i := 0; i+4 <= len(table); {
		typ, length := table[i], int(table[i+1])
		if length < 4 || i+length > len(table) {
			return ""
		}
		if typ == 1 && length >= 24 {
			id := hex.EncodeToString(table[i+8 : i+24])
			if strings.Trim(id, "0") == "" || strings.Trim(id, "f") == "" {
				return ""
			}
			return id
		}
		if typ == 127 { // end of table
			return ""
		}
		// Skip the strings: they end at the first double NUL after the formatted area.
		j := i + length
		for j+1 < len(table) && (table[j] != 0 || table[j+1] != 0) {
			j++
		}
		i = j + 2
	}
	return ""
}

// macAnchors returns the NIC anchors among hardware addresses: each well formed (see
// permanentMAC) and, with universalOnly, not locally administered, where the OS cannot say
// whether the hardware gave the address (macOS's private Wi-Fi addresses are locally
// administered).
func macAnchors(addrs map[string][]byte, universalOnly bool) []rawAnchor {
	var out []rawAnchor
	for name, a := range addrs {
		if len(a) < 6 || universalOnly && a[0]&2 != 0 {
			continue
		}
		parts := make([]string, len(a))
		for i, b := range a {
			parts[i] = hex.EncodeToString([]byte{b})
		}
		if mac := permanentMAC(strings.Join(parts, ":")); mac != "" {
			out = append(out, rawAnchor{AnchorNIC, mac, name})
		}
	}
	return out
}
