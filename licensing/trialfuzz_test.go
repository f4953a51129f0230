package licensing

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensingtest"
)

// FuzzParseRelease feeds arbitrary answers to the release reader. It must never panic, and a
// release it accepts must have what a caller relies on: a release version and files with an
// absolute http(s) URL and a size that is not negative.
func FuzzParseRelease(f *testing.F) {
	f.Add([]byte(`{"version":"2.0.1","name":"n","publishedAt":"2026-10-30T12:00:00Z","platforms":["linux"],"files":[{"name":"a","url":"https://x/a","size":10,"checksum":"sha256:00"}]}`))
	f.Add([]byte(`{"version":"2.0","published":"2026-10-30T12:00:00Z","platform":"linux"}`))
	f.Add([]byte(`{"version":"2.0","published":true,"files":[{"url":"http://x","size":"12"}]}`))
	f.Add([]byte(`{"version":"1.2.3.4","files":[{"url":"https://h/p","size":1e3}],"notes":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseRelease(body)
		if err != nil {
			if r != nil {
				t.Fatal("a release with an error")
			}
			return
		}
		if !IsReleaseVersion(r.Version) {
			t.Fatalf("accepted version %q", r.Version)
		}
		for _, f := range r.Files {
			u, err := url.Parse(f.URL)
			if f.Size < 0 || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("accepted file %+v", f)
			}
		}
	})
}

// FuzzParseChecksum: any checksum either parses to a digest of its algorithm's size, or is
// refused; never a panic.
func FuzzParseChecksum(f *testing.F) {
	for _, s := range []string{"", "sha256:" + strings.Repeat("ab", 32), strings.Repeat("0", 128), "sha512-" + strings.Repeat("A", 86) + "==", "md5:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		alg, d, ok := parseChecksum(s)
		if ok && len(d) != digestSize(alg) {
			t.Fatalf("%q: %s digest of %d bytes", s, alg, len(d))
		}
	})
}

// FuzzTrialRequest: a trial request the validator accepts encodes to a body that licensingtest's
// independent checker accepts and that decodes back to the caller's values.
func FuzzTrialRequest(f *testing.F) {
	f.Add("acct", "1.2.3", "beta", "linux", int64(1700000000), "k", "v")
	f.Add("", "", "", "", int64(0), "é", "\u2028<>&")
	f.Add("\xff", "v1", "", "", int64(-62135596800), "", "")
	f.Fuzz(func(t *testing.T, account, version, channel, platform string, published int64, mdKey, mdValue string) {
		r := TrialRequest{AccountID: account, ReleaseVersion: version, ReleaseChannel: channel, ReleasePlatform: platform,
			Metadata: []Metadata{{Key: mdKey, Value: mdValue}}}
		if published != 0 {
			r.ReleasePublishedAt = time.Unix(published, 0)
		}
		body, err := EncodeTrialRequest(testProduct, testMachine(), r)
		if err != nil {
			return
		}
		if p := licensingtest.CheckTrialBody(body); len(p) > 0 {
			t.Fatalf("accepted %+v, but the body breaks the page: %v", r, p)
		}
		var back struct {
			AccountID, ReleaseVersion, ReleaseChannel, ReleasePlatform string
			Metadata                                                   []Metadata
		}
		if err := json.Unmarshal(body, &back); err != nil || back.AccountID != account || back.ReleaseVersion != version ||
			back.ReleaseChannel != channel || back.ReleasePlatform != platform || len(back.Metadata) != 1 ||
			back.Metadata[0] != (Metadata{mdKey, mdValue}) {
			t.Fatalf("%+v came back as %+v (%v)", r, back, err)
		}
	})
}
