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

// FuzzOfMatchesLicensing: licensing.ReleaseVersionOf, kept for existing callers without linking
// Masterminds/semver, gives what Of gives (the same version, or an error for both) for every
// input.
func FuzzOfMatchesLicensing(f *testing.F) {
	for _, s := range []string{"v1.4.2-rc.1+abc", "1.4", "1", "01.2.3", "1.2.3-01", "1.2.3-0a", "1.2.3+0-1.x",
		"1.2.3.4", "1.2.3.4.5", "v", "", "1.-1", "1.2.3-a-b.c", "99999999999999999999.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := Of(s)
		//lint:ignore SA1019 comparing the deprecated function with its replacement is the point
		got, gerr := licensing.ReleaseVersionOf(s)
		if (werr == nil) != (gerr == nil) || got != want {
			t.Fatalf("%q: licensing.ReleaseVersionOf = %q, %v; Of = %q, %v", s, got, gerr, want, werr)
		}
	})
}
