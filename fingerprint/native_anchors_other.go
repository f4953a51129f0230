//go:build !windows && !darwin

package fingerprint

// readNativeAnchors is Windows' and macOS's; Linux reads its anchors from sysfs (hardware.go).
func readNativeAnchors() []rawAnchor { return nil }
