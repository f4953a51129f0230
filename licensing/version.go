package licensing

import (
	"fmt"
	"strconv"
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

// ReleaseVersionOf turns an application's semantic version into the release version the API
// accepts: "v1.4.2", "1.4.2+abc" and "1.4.2-rc.1" all become "1.4.2"; "1.4" becomes "1.4.0".
// A string that is already a four-part release version is returned unchanged.
//
// The pre-release and build metadata are dropped, because the API has no place for them: a
// pre-release maps to the same release version as the release it leads up to. Send the
// pre-release in [Update.ReleaseChannel] ("beta", "rc") if the server must tell them apart.
//
// Deprecated: use [releaseversion.Of], which reads the version with Masterminds/semver. This
// function stays for existing callers and gives the same answer for every input (a fuzz test
// compares them), without linking Masterminds/semver and its package-init regular expressions
// into every program that imports licensing.
//
// [releaseversion.Of]: https://pkg.go.dev/github.com/tollgate-dev/tollgate/releaseversion#Of
func ReleaseVersionOf(version string) (string, error) {
	if IsReleaseVersion(version) && strings.Count(version, ".") == 3 {
		return version, nil
	}
	major, minor, patch, ok := semverCore(version)
	if !ok {
		return "", fmt.Errorf("licensing: %q is not a semantic version", version)
	}
	return strconv.FormatUint(major, 10) + "." + strconv.FormatUint(minor, 10) + "." +
		strconv.FormatUint(patch, 10), nil
}

// semverCore reads a version as Masterminds/semver's NewVersion does by default (up to 256
// bytes; an optional "v"; one to three runs of digits, each fitting a uint64, leading zeros
// allowed; then an optional pre-release and build metadata of dot-separated identifiers of
// [0-9A-Za-z-], none empty, a numeric pre-release identifier without leading zeros).
func semverCore(v string) (major, minor, patch uint64, ok bool) {
	if len(v) > 256 {
		return 0, 0, 0, false
	}
	s := strings.TrimPrefix(v, "v")
	core, rest := s, ""
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		core, rest = s[:i], s[i:]
	}
	parts := strings.Split(core, ".")
	if len(parts) > 3 {
		return 0, 0, 0, false
	}
	var nums [3]uint64
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return 0, 0, 0, false
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return 0, 0, 0, false
		}
		nums[i] = n
	}
	pre, build, hasBuild := "", rest, false
	if strings.HasPrefix(rest, "-") {
		pre, build, hasBuild = strings.Cut(rest[1:], "+")
		if !identifiers(pre, true) {
			return 0, 0, 0, false
		}
	} else if rest != "" {
		build, hasBuild = rest[1:], true
	}
	if hasBuild && !identifiers(build, false) {
		return 0, 0, 0, false
	}
	return nums[0], nums[1], nums[2], true
}

// identifiers reports whether s is dot-separated semver identifiers, none empty; numeric
// pre-release identifiers may not have leading zeros.
func identifiers(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
			return false
		}
		if pre && len(id) > 1 && id[0] == '0' && strings.Trim(id, "0123456789") == "" {
			return false
		}
	}
	return true
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
