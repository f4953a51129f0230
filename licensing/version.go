package licensing

import (
	"fmt"
	"strings"
)

// IsReleaseVersion reports whether s is a release version the API accepts: two, three or four
// runs of ASCII digits separated by dots ("1.4", "1.4.2", "1.4.2.7"). Nothing else is accepted:
// no "v" prefix, no pre-release or build suffix, no spaces, no non-ASCII digits.
func IsReleaseVersion(s string) bool {
	parts, digits := 1, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '.' && digits > 0:
			parts++
			digits = 0
		default:
			return false
		}
	}
	return digits > 0 && parts >= 2 && parts <= 4
}

// CompareReleaseVersions compares two release versions part by part, numerically, and returns
// -1, 0 or +1. Missing parts count as 0, so "1.4" equals "1.4.0" and "1.4.0.0", and "1.4.0.1" is
// newer than "1.4". Parts of any length compare correctly; leading zeros are ignored.
func CompareReleaseVersions(a, b string) (int, error) {
	if !IsReleaseVersion(a) {
		return 0, fmt.Errorf("licensing: %q is not a release version", a)
	}
	if !IsReleaseVersion(b) {
		return 0, fmt.Errorf("licensing: %q is not a release version", b)
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < 4; i++ {
		if c := compareDigits(part(pa, i), part(pb, i)); c != 0 {
			return c, nil
		}
	}
	return 0, nil
}

func part(p []string, i int) string {
	if i < len(p) {
		return p[i]
	}
	return "0"
}

// compareDigits compares two runs of ASCII digits as unbounded numbers.
func compareDigits(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
