package licensing

import "testing"

func TestIsReleaseVersion(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"1.4", "1.4.2", "1.4.2.7", "01.2", "99999999999999999999999.1"} {
		if !IsReleaseVersion(s) {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range []string{"", "1", "1.2.3.4.5", "1..2", ".1", "1.", "v1.2", "1.2-rc", "1.2+b", " 1.2", "１.２"} {
		if IsReleaseVersion(s) {
			t.Errorf("%q accepted", s)
		}
	}
}
