//go:build darwin

package fingerprint

import (
	"net"
	"strings"
)

// readNativeAnchors reads macOS's hardware anchors without starting a process: the addresses of
// the built-in and PCI network interfaces (en*), through the routing sysctl net.Interfaces
// uses. Only universal addresses count: the OS does not say which addresses the hardware gave,
// and its private Wi-Fi addresses are locally administered. iOS shows no address at all.
func readNativeAnchors() []rawAnchor {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	addrs := map[string][]byte{}
	for _, ifc := range ifaces {
		if strings.HasPrefix(ifc.Name, "en") && len(addrs) < maxAnchorDir {
			addrs["interface "+ifc.Name] = ifc.HardwareAddr
		}
	}
	return macAnchors(addrs, true)
}
