//go:build windows

package fingerprint

import (
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// netClassKey is the device class of network adapters; each subkey is one adapter.
const netClassKey = `SYSTEM\CurrentControlSet\Control\Class\{4d36e972-e325-11ce-bfc1-08002be10318}`

// ncfPhysical is the NCF_PHYSICAL bit of an adapter's Characteristics: a physical adapter.
const ncfPhysical = 0x4

// readNativeAnchors reads Windows' hardware anchors without starting a process: the addresses
// of physical network adapters (NCF_PHYSICAL in their class key, matched to
// GetAdaptersAddresses by GUID) and the SMBIOS system UUID from the table Windows keeps in the
// registry (mssmbios). Disk serials, which need a device handle, are not read.
func readNativeAnchors() []rawAnchor {
	var out []rawAnchor
	physical := map[string]bool{}
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, netClassKey, registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY); err == nil {
		names, _ := k.ReadSubKeyNames(maxAnchorDir)
		k.Close()
		for _, n := range names {
			sk, err := registry.OpenKey(registry.LOCAL_MACHINE, netClassKey+`\`+n, registry.QUERY_VALUE|registry.WOW64_64KEY)
			if err != nil {
				continue
			}
			chars, _, err1 := sk.GetIntegerValue("Characteristics")
			guid, _, err2 := sk.GetStringValue("NetCfgInstanceId")
			sk.Close()
			if err1 == nil && err2 == nil && chars&ncfPhysical != 0 {
				physical[strings.ToLower(guid)] = true
			}
		}
	}
	addrs := map[string][]byte{}
	for a := adapters(); a != nil; a = a.Next {
		name := strings.ToLower(windows.BytePtrToString(a.AdapterName))
		if physical[name] && a.PhysicalAddressLength >= 6 && a.PhysicalAddressLength <= uint32(len(a.PhysicalAddress)) {
			addrs["adapter "+name] = append([]byte(nil), a.PhysicalAddress[:a.PhysicalAddressLength]...)
		}
	}
	out = append(out, macAnchors(addrs, false)...)
	if k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Services\mssmbios\Data`, registry.QUERY_VALUE|registry.WOW64_64KEY); err == nil {
		raw, _, err := k.GetBinaryValue("SMBiosData")
		k.Close()
		// RawSMBIOSData: an 8-byte header, then the table.
		if err == nil && len(raw) > 8 {
			if id := normalizeID(smbiosUUID(raw[8:])); id != "" {
				out = append(out, rawAnchor{AnchorBoard, id, `HKLM\SYSTEM\CurrentControlSet\Services\mssmbios\Data`})
			}
		}
	}
	return out
}

// adapters returns the adapters' list from GetAdaptersAddresses, nil on failure; the buffer is
// grown as the call asks, a few times at most.
func adapters() *windows.IpAdapterAddresses {
	size := uint32(15 << 10)
	for range 4 {
		buf := make([]byte, size)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_SKIP_UNICAST|windows.GAA_FLAG_SKIP_ANYCAST|
			windows.GAA_FLAG_SKIP_MULTICAST|windows.GAA_FLAG_SKIP_DNS_SERVER, 0, first, &size)
		if err == nil {
			return first
		}
		if err != windows.ERROR_BUFFER_OVERFLOW || size > 1<<20 {
			return nil
		}
	}
	return nil
}
