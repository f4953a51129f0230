package releaseversion

import (
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
)

func TestOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"v1.4.2-rc.1+abc", "1.4.2"},
		{"1.4.2", "1.4.2"},
		{"1.4.2+build.7", "1.4.2"},
		{"v2.0.0-beta", "2.0.0"},
		{"1.4", "1.4.0"},
		{"1", "1.0.0"},
		{"01.02.03", "1.2.3"},
		{"1.4.2.7", "1.4.2.7"},
	} {
		got, err := Of(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Of(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if err == nil && !licensing.IsReleaseVersion(got) {
			t.Errorf("Of(%q) = %q, which the API refuses", tc.in, got)
		}
	}
	for _, bad := range []string{"", "latest", "1.2.3.4.5", "v1.x", "1.2.3-01", "1.2.3-", "1.2.3+", "vv1", "V1",
		"1.2.3-a..b", "18446744073709551616.0.0", " 1.2.3"} {
		if got, err := Of(bad); err == nil {
			t.Errorf("Of(%q) = %q, want error", bad, got)
		}
	}
}
