package licensing

// IsReleaseVersion reports whether s is a release version the API accepts: two to four runs of
// ASCII digits separated by dots ("1.4", "1.4.2.7"), and nothing else (no "v", no "-rc1").
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
