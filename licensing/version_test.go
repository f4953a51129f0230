package licensing

import "testing"

func TestReleaseVersionOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"v1.4.2-rc.1+abc", "1.4.2"},
		{"1.4.2", "1.4.2"},
		{"1.4.2+build.7", "1.4.2"},
		{"v2.0.0-beta", "2.0.0"},
		{"1.4", "1.4.0"},
		{"1.4.2.7", "1.4.2.7"},
	} {
		got, err := ReleaseVersionOf(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ReleaseVersionOf(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if err == nil && !IsReleaseVersion(got) {
			t.Errorf("ReleaseVersionOf(%q) = %q, which the API refuses", tc.in, got)
		}
	}
	for _, bad := range []string{"", "latest", "1.2.3.4.5", "v1.x"} {
		if got, err := ReleaseVersionOf(bad); err == nil {
			t.Errorf("ReleaseVersionOf(%q) = %q, want error", bad, got)
		}
	}
}

func TestCompareReleaseVersions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.4", "1.4.0", 0},
		{"1.4", "1.4.0.0", 0},
		{"1.4.0.1", "1.4", 1},
		{"1.4.2", "1.10.0", -1},
		{"1.4.2.7", "1.4.2.10", -1},
		{"01.2", "1.2", 0},
		{"99999999999999999999999.1", "99999999999999999999998.9", 1},
		{"2.0", "1.99.99.99", 1},
	} {
		got, err := CompareReleaseVersions(tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, %v; want %d", tc.a, tc.b, got, err, tc.want)
		}
		back, _ := CompareReleaseVersions(tc.b, tc.a)
		if back != -tc.want {
			t.Errorf("Compare(%q, %q) = %d, not antisymmetric", tc.b, tc.a, back)
		}
	}
	if _, err := CompareReleaseVersions("v1.2", "1.2"); err == nil {
		t.Error("want error for v1.2")
	}
	if _, err := CompareReleaseVersions("1.2", "1.2-rc"); err == nil {
		t.Error("want error for 1.2-rc")
	}
}
