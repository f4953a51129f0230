package licensing_test

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

var published = time.Date(2026, 10, 30, 12, 0, 0, 0, time.UTC)

func offerReleases(srv *licensingtest.Server, oldShape bool) {
	files := []licensingtest.ReleaseFile{{Name: "app-1.2.3.4.tar.gz", URL: "https://downloads.example.com/app-1.2.3.4.tar.gz",
		Size: 1234, Checksum: strings.Repeat("ab", 32)}}
	srv.AddRelease(licensingtest.Release{Version: "1.2.3.4", Name: "Spring", Platforms: []string{"linux"}, Notes: "Faster.",
		PublishedAt: published, Files: files, OldShape: oldShape})
	srv.AddRelease(licensingtest.Release{Version: "1.1.0", Platforms: []string{"linux"}, PublishedAt: published, OldShape: oldShape})
	srv.AddRelease(licensingtest.Release{Version: "2.0", Channel: "beta", Platforms: []string{"linux", "windows"}, PublishedAt: published, OldShape: oldShape})
	srv.AddRelease(licensingtest.Release{Version: "9.0", Platforms: []string{"windows"}, PublishedAt: published, OldShape: oldShape})
}

func TestCheckReleaseUpdateBothShapes(t *testing.T) {
	t.Parallel()
	for _, old := range []bool{false, true} {
		e := setup(t, licensingtest.License{})
		offerReleases(e.srv, old)
		licensed(t, e)
		r, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.2.3.3"})
		if err != nil {
			t.Fatalf("old shape %v: %v", old, err)
		}
		want := &licensing.Release{ID: "rel-1.2.3.4", Version: "1.2.3.4", Name: "Spring", Channel: "stable", Notes: "Faster.", PublishedAt: published,
			Platforms: []string{"linux"}, Files: []licensing.ReleaseFile{{Name: "app-1.2.3.4.tar.gz",
				URL: "https://downloads.example.com/app-1.2.3.4.tar.gz", Size: 1234, Checksum: strings.Repeat("ab", 32)}}}
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("old shape %v:\n got %+v\nwant %+v", old, r, want)
		}
	}
}

func TestCheckReleaseUpdateVersionParts(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	offerReleases(e.srv, false)
	licensed(t, e)
	for _, tc := range []struct {
		version, channel, platform string
		want                       string // "" = no update
	}{
		{"1.2.3", "", "linux", ""},   // documented: the missing fourth part is ignored
		{"1.2", "", "linux", ""},     // and the third
		{"1.2.3.4", "", "linux", ""}, // the latest itself
		{"1.2.3.3", "", "linux", "1.2.3.4"},
		{"1.1", "", "linux", "1.2.3.4"},
		{"01.001.0", "", "linux", "1.2.3.4"}, // leading zeros are numbers, not text
		{"1.10", "", "linux", ""},            // 10 > 2, numerically
		{"1.2", "beta", "linux", "2.0"},
		{"1.2", "stable", "windows", "9.0"},
		{"1.2", "", "macos", ""},
	} {
		r, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: tc.platform, Channel: tc.channel, Version: tc.version})
		switch {
		case err != nil:
			t.Errorf("%+v: %v", tc, err)
		case tc.want == "" && r != nil:
			t.Errorf("%+v: want no update (204), got %s", tc, r.Version)
		case tc.want != "" && (r == nil || r.Version != tc.want):
			t.Errorf("%+v: want %s, got %+v", tc, tc.want, r)
		}
	}
}

func TestCheckReleaseUpdateQuery(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	offerReleases(e.srv, false)
	query := func() url.Values {
		t.Helper()
		req := lastRequest(t, e.srv, http.MethodGet, "/v3/releases/update")
		if len(req.Body) != 0 || req.Header.Get("Content-Type") != "" {
			t.Fatalf("a GET with a body: %q", req.Body)
		}
		q, err := url.ParseQuery(req.Query)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	// Nothing cached: no key is sent (and no release is installable); "" channel is stable; ""
	// account is not sent.
	if _, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"}); !errors.Is(err, licensing.ErrReleaseNotAllowed) {
		t.Fatal(err)
	}
	if got, want := query(), (url.Values{"productId": {e.srv.ProductID}, "platform": {"linux"}, "channel": {"stable"}, "version": {"1.0"}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("query %v, want %v", got, want)
	}
	// With a license cached, its key is sent: the caller never passes it.
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux x64/ü", Channel: "beta", Version: "1.0.0.1", AccountID: "acct&1"}); err != nil {
		t.Fatal(err)
	}
	if got, want := query(), (url.Values{"productId": {e.srv.ProductID}, "platform": {"linux x64/ü"}, "channel": {"beta"},
		"version": {"1.0.0.1"}, "key": {e.key}, "accountId": {"acct&1"}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("query %v, want %v", got, want)
	}
	// A token from another machine in the cache lends no key.
	other := e.newClient(t, machine("77"), e.st)
	if _, err := other.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"}); !errors.Is(err, licensing.ErrReleaseNotAllowed) {
		t.Fatal(err)
	}
	if q := query(); q.Has("key") {
		t.Fatal("a key from a token that does not verify here was sent")
	}
}

func TestCheckReleaseUpdateChecksTheQuery(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	before := e.srv.RequestCount()
	_, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Channel: strings.Repeat("ß", 257), Version: "v1.2",
		AccountID: strings.Repeat("a", 257)})
	var invalid *licensing.ValidationError
	if !errors.As(err, &invalid) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	var fields []string
	for _, f := range invalid.Fields {
		fields = append(fields, f.Field)
	}
	if want := []string{"platform", "channel", "version", "accountId"}; !reflect.DeepEqual(fields, want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	for _, v := range []string{"", "1", "1.2.3.4.5", "1.2-beta", "1.2+build", " 1.2", "1.٢"} {
		if _, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: v}); !errors.Is(err, licensing.ErrInvalidRequest) {
			t.Errorf("version %q: %v", v, err)
		}
	}
	if e.srv.RequestCount() != before {
		t.Fatal("a request was sent")
	}
}

func TestCheckReleaseUpdateReadsAnswersTolerantly(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	file := `{"name":"a.zip","url":"https://x.example/a.zip","size":10,"checksum":"sha256:00"}`
	for _, tc := range []struct {
		name, body string
		want       *licensing.Release
	}{
		{"newer shape", `{"version":"2.0.1","name":"n","channel":"stable","notes":"","publishedAt":"2026-10-30T12:00:00Z","platforms":["linux","windows"],"files":[` + file + `],"id":"r1","future":{"x":[1]}}`,
			&licensing.Release{ID: "r1", Version: "2.0.1", Name: "n", Channel: "stable", PublishedAt: published, Platforms: []string{"linux", "windows"},
				Files: []licensing.ReleaseFile{{Name: "a.zip", URL: "https://x.example/a.zip", Size: 10, Checksum: "sha256:00"}}}},
		{"older shape", `{"id":"r1","version":"2.0.1","published":"2026-10-30T12:00:00Z","platform":"linux","files":[]}`,
			&licensing.Release{ID: "r1", Version: "2.0.1", PublishedAt: published, Platforms: []string{"linux"}}},
		{"published as a flag", `{"id":"r1","version":"2.0","published":true,"platform":"linux"}`,
			&licensing.Release{ID: "r1", Version: "2.0", Platforms: []string{"linux"}}},
		{"both dates", `{"id":"r1","version":"2.0","publishedAt":"2026-10-30T12:00:00Z","published":"2020-01-01T00:00:00Z"}`,
			&licensing.Release{ID: "r1", Version: "2.0", PublishedAt: published}},
		{"nulls", `{"id":"r1","version":"2.0","name":null,"notes":null,"publishedAt":null,"platforms":null,"files":null}`,
			&licensing.Release{ID: "r1", Version: "2.0"}},
		{"size as a string, as a float", `{"id":"r1","version":"2.0","files":[{"name":"a","url":"http://x/a","size":"12","checksum":""},{"name":"b","url":"https://x/b","size":1.2e3}]}`,
			&licensing.Release{ID: "r1", Version: "2.0", Files: []licensing.ReleaseFile{{Name: "a", URL: "http://x/a", Size: 12}, {Name: "b", URL: "https://x/b", Size: 1200}}}},
	} {
		// The release, then the allowed check's yes.
		e.srv.Inject(licensingtest.Fault{Body: []byte(tc.body)})
		e.srv.Inject(licensingtest.Fault{Body: []byte(`{"allowed":true}`)})
		r, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
		if err != nil || !reflect.DeepEqual(r, tc.want) {
			t.Errorf("%s:\n got %+v %v\nwant %+v", tc.name, r, err, tc.want)
		}
	}
	for name, body := range map[string]string{
		"not JSON":         `<html>`,
		"an array":         `[]`,
		"no version":       `{"name":"x"}`,
		"bad version":      `{"version":"v2"}`,
		"version a number": `{"version":2.0}`,
		"name a number":    `{"version":"2.0","name":5}`,
		"bad date":         `{"version":"2.0","publishedAt":"yesterday"}`,
		"date a number":    `{"version":"2.0","publishedAt":1700000000}`,
		"platforms mixed":  `{"version":"2.0","platforms":["a",1]}`,
		"file URL":         `{"version":"2.0","files":[{"name":"a","url":"file:///etc/passwd"}]}`,
		"relative URL":     `{"version":"2.0","files":[{"name":"a","url":"/a.zip"}]}`,
		"negative size":    `{"version":"2.0","files":[{"name":"a","url":"https://x/a","size":-1}]}`,
		"fractional size":  `{"version":"2.0","files":[{"name":"a","url":"https://x/a","size":1.5}]}`,
		"huge size":        `{"version":"2.0","files":[{"name":"a","url":"https://x/a","size":1e300}]}`,
		"files an object":  `{"version":"2.0","files":{}}`,
		"empty 200":        ``,
		"no id":            `{"version":"2.0"}`,
		"id a number":      `{"id":7,"version":"2.0"}`,
	} {
		e.srv.Inject(licensingtest.Fault{Body: []byte(body), EmptyBody: body == ""})
		if r, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"}); r != nil || !errors.Is(err, licensing.ErrBadResponse) {
			t.Errorf("%s: want ErrBadResponse, got %+v %v", name, r, err)
		}
	}
}

func TestCheckReleaseUpdateKeepsTheKeySecret(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Key: "SECRET-KEY-0123456789"})
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	e.srv.Inject(licensingtest.Fault{Status: 400, Code: "INVALID_LICENSE_KEY", Message: "no such key " + e.key})
	_, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
	if !errors.Is(err, licensing.ErrInvalidLicenseKey) || strings.Contains(err.Error(), e.key) {
		t.Fatalf("echoed key: %v", err)
	}
	e.srv.Close() // the network error names the URL, which holds the key
	_, err = e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
	if err == nil || strings.Contains(err.Error(), e.key) || strings.Contains(err.Error(), url.QueryEscape(e.key)) {
		t.Fatalf("network error: %v", err)
	}
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.Error(), e.key) {
		t.Fatalf("the *url.Error still holds the key: %v", ue)
	}
}

func TestCheckReleaseUpdateFromATrial(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{})
	offerReleases(e.srv, false)
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	// A trial has no key: the release is found, but no license may install it.
	r, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
	var na *licensing.ReleaseNotAllowedError
	if r != nil || !errors.As(err, &na) || na.Release.Version != "1.2.3.4" {
		t.Fatalf("%+v %v", r, err)
	}
	if q := lastRequest(t, e.srv, http.MethodGet, "/v3/releases/update").Query; strings.Contains(q, "key=") {
		t.Fatalf("a trial has no key to send: %s", q)
	}
}

// licensed caches e's license, so that its key goes with the release checks.
func licensed(t *testing.T, e *env) {
	t.Helper()
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
}
