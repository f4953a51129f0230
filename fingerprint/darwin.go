package fingerprint

import "strings"

// parseIOPlatformUUID returns the value of "IOPlatformUUID" = "..." in ioreg's output.
func parseIOPlatformUUID(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, `"IOPlatformUUID"`) {
			continue
		}
		_, v, ok := strings.Cut(line, "=")
		if !ok {
			return ""
		}
		return strings.Trim(strings.TrimSpace(v), `"`)
	}
	return ""
}
