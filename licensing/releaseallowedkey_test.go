package licensing_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// TestReleaseAllowedAfterLeaseLapse: after a floating lease lapses the token is gone but the
// key is remembered; the allowed check must still speak for that license, so a release it may
// not install is never offered. Class: a check on behalf of the license sent without its key
// (a lapsed lease, nothing cached, a trial), which the server cannot answer for the license.
func TestReleaseAllowedAfterLeaseLapse(t *testing.T) {
	e := setup(t, licensingtest.License{LeaseDuration: time.Hour, MaxAllowedReleaseVersion: "1.5"})
	e.srv.AddRelease(licensingtest.Release{Version: "2.0.0"})
	if _, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	q := licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"}
	if rel, err := e.client.CheckReleaseUpdate(ctx, q); rel != nil || !errors.Is(err, licensing.ErrReleaseNotAllowed) {
		t.Fatalf("licensed: %v %v", rel, err)
	}
	e.now.Add(2 * time.Hour)
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrLeaseExpired) {
		t.Fatalf("lease: %v", err)
	}
	rel, err := e.client.CheckReleaseUpdate(ctx, q)
	if rel != nil || !errors.Is(err, licensing.ErrReleaseNotAllowed) {
		t.Fatalf("after the lease lapsed, release %v (not allowed for this license) is offered as installable (err %v)", rel, err)
	}
	for _, path := range []string{"/v3/releases/update", "/v3/releases/rel-2.0.0/allowed"} {
		if got, _ := url.ParseQuery(lastRequest(t, e.srv, http.MethodGet, path).Query); got.Get("key") != e.key {
			t.Fatalf("%s after the lapse: key %q, want the remembered one", path, got.Get("key"))
		}
	}
	// The same license, once its plan covers 2.0, is offered it while the lease is still lapsed.
	e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.MaxAllowedReleaseVersion = "2.0" })
	if rel, err := e.client.CheckReleaseUpdate(ctx, q); err != nil || rel == nil || rel.Version != "2.0.0" {
		t.Fatalf("allowed after the lapse: %v %v", rel, err)
	}
}

// TestReleaseAllowedWithoutKey: with no license remembered (nothing cached, or only a trial),
// the allowed check goes out keyless and the fake server, as the real API most plausibly does,
// refuses it (400: the key is required): no release is offered as installable.
func TestReleaseAllowedWithoutKey(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	e.srv.AddRelease(licensingtest.Release{Version: "2.0.0"})
	rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"})
	var apiErr *licensing.APIError
	if rel != nil || !errors.Is(err, licensing.ErrReleaseNotAllowed) || !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest ||
		licensing.StateOf(err) != licensing.StateRefused {
		t.Fatalf("nothing cached: %v %v", rel, err)
	}
	if q := lastRequest(t, e.srv, http.MethodGet, "/v3/releases/rel-2.0.0/allowed").Query; mustQuery(t, q).Has("key") {
		t.Fatalf("a key was sent with nothing cached: %s", q)
	}
	// An unknown key is refused too.
	resp, err := http.Get(e.srv.URL + "/v3/releases/rel-2.0.0/allowed?accountId=&key=NO-SUCH-KEY")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown key: %d", resp.StatusCode)
	}
}

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
