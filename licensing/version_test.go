package licensing

import "testing"

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
