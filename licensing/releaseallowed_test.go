package licensing_test

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// TestReleaseNotAllowedIsNeverInstallable: a license whose maintenance ends at 1.5 is told
// about 2.0, but gets no *Release for it: the error says what it is, without files.
func TestReleaseNotAllowedIsNeverInstallable(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{MaxAllowedReleaseVersion: "1.5"})
	offerReleases(e.srv, false) // newest for linux/stable: 1.2.3.4
	e.srv.AddRelease(licensingtest.Release{Version: "2.0.0", Platforms: []string{"linux"}, Notes: "New engine.",
		Files: []licensingtest.ReleaseFile{{Name: "a.zip", URL: "https://x.example/a.zip", Size: 1}}})
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0", AccountID: "acct-1"})
	var na *licensing.ReleaseNotAllowedError
	if rel != nil || !errors.As(err, &na) || !errors.Is(err, licensing.ErrReleaseNotAllowed) || licensing.StateOf(err) != licensing.StateRefused {
		t.Fatalf("got %+v %v", rel, err)
	}
	if na.Release.Version != "2.0.0" || na.Release.Notes != "New engine." || na.Release.Files != nil {
		t.Fatalf("the not-allowed release: %+v", na.Release)
	}
	q, _ := url.ParseQuery(lastRequest(t, e.srv, http.MethodGet, "/v3/releases/rel-2.0.0/allowed").Query)
	if want := (url.Values{"accountId": {"acct-1"}, "key": {e.key}}); !reflect.DeepEqual(q, want) {
		t.Fatalf("allowed query %v, want %v", q, want)
	}
	// Up to 1.5, it may install.
	if rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.2.3.3"}); err == nil || rel != nil {
		t.Fatalf("2.0.0 is still the newest: %+v %v", rel, err)
	}
	e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.MaxAllowedReleaseVersion = "2.0" })
	rel, err = e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
	if err != nil || rel == nil || rel.Version != "2.0.0" || len(rel.Files) != 1 {
		t.Fatalf("after renewal: %+v %v", rel, err)
	}
}

// TestReleaseAllowedAnswers: whatever the allowed endpoint answers, a *Release comes back only
// when the answer explicitly says yes (the safe reading of an undocumented answer).
func TestReleaseAllowedAnswers(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	offerReleases(e.srv, false)
	yes := map[string]bool{`{"allowed":true}`: true, `true`: true, `{"allowed":true,"reason":null}`: true}
	for _, f := range []licensingtest.Fault{
		{Body: []byte(`{"allowed":true}`)}, {Body: []byte(`true`)}, {Body: []byte(`{"allowed":true,"reason":null}`)},
		{Body: []byte(`{"allowed":false}`)}, {Body: []byte(`false`)}, {Body: []byte(`{}`)}, {Body: []byte(`null`)},
		{Body: []byte(`{"allowed":"yes"}`)}, {Body: []byte(`{"allowed":1}`)}, {Body: []byte(`"true"`)}, {Body: []byte(`[true]`)},
		{EmptyBody: true}, {Body: []byte(`<html>`)},
		{Status: 400, Code: "RELEASE_VERSION_NOT_ALLOWED"}, {Status: 403}, {Status: 404}, {Status: 401},
		{Status: 500, Times: 3}, {Status: 429, RetryAfter: "3600"}, {Drop: licensingtest.DropBeforeApply, Times: 10},
	} {
		e.srv.ClearFaults()
		// Let the update through, then fault the allowed check.
		e.srv.Inject(licensingtest.Fault{Body: []byte(`{"id":"rel-1.2.3.4","version":"1.2.3.4","files":[{"name":"a","url":"https://x/a"}]}`)})
		e.srv.Inject(f)
		rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
		name := string(f.Body)
		switch {
		case f.Drop != 0:
			name = "connection dropped"
		case f.EmptyBody:
			name = "empty body"
		case f.Status != 0:
			name = http.StatusText(f.Status) + " " + f.Code
		}
		switch {
		case yes[string(f.Body)]:
			if rel == nil || err != nil {
				t.Errorf("%s: want the release, got %+v %v", name, rel, err)
			}
		case rel != nil:
			t.Errorf("%s: offered as installable: %+v %v", name, rel, err)
		case err == nil:
			t.Errorf("%s: no release and no error: looks like \"up to date\"", name)
		case f.Status >= 400 && f.Status < 500 && f.Status != 429 || string(f.Body) == `{"allowed":false}` || string(f.Body) == `false`:
			if !errors.Is(err, licensing.ErrReleaseNotAllowed) {
				t.Errorf("%s: want ErrReleaseNotAllowed, got %v", name, err)
			}
		default:
			if errors.Is(err, licensing.ErrReleaseNotAllowed) || licensing.StateOf(err) != licensing.StateRetryLater {
				t.Errorf("%s: want a retry-later error, got %v (%v)", name, err, licensing.StateOf(err))
			}
		}
	}
}

// TestReleaseAnswerAfterFailedActivation is the class of "a step that assumes an earlier one
// succeeded" (the vendor's client crashed when a release answer arrived after a failed
// activation): with nothing cached after a refused or dropped activation, and while
// activations fail beside it, the update check runs keyless and answers normally: the release
// is found, and (keyless) refused by the allowed check, never offered.
func TestReleaseAnswerAfterFailedActivation(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{MaxActivations: 1})
	offerReleases(e.srv, false)
	if _, err := e.newClient(t, machine("b2"), e.st).Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Fatal(err) // takes the only seat
	}
	if err := e.newClient(t, machine("b2"), e.st).ClearCache(ctx); err != nil {
		t.Fatal(err)
	}
	for _, fail := range []licensingtest.Fault{{}, {Status: 500, Times: 3}, {Drop: licensingtest.DropAfterApply, Times: 3}} {
		e.srv.ClearFaults()
		if fail.Times > 0 {
			e.srv.Inject(fail)
		}
		if a, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key}); a != nil || err == nil {
			t.Fatalf("activation succeeded: %+v %v", a, err)
		}
		e.srv.ClearFaults()
		rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"})
		var na *licensing.ReleaseNotAllowedError // keyless: found, and refused by the allowed check
		if rel != nil || !errors.As(err, &na) || na.Release.Version != "1.2.3.4" {
			t.Fatalf("after a failed activation: %+v %v", rel, err)
		}
		if q := lastRequest(t, e.srv, http.MethodGet, "/v3/releases/rel-1.2.3.4/allowed").Query; q != "accountId=" {
			t.Fatalf("allowed query %q: no key is cached", q)
		}
	}
	// Side by side: failing activations and update checks on one client (run with -race).
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, _ = e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
				return
			}
			if rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"}); rel != nil || !errors.Is(err, licensing.ErrReleaseNotAllowed) {
				t.Errorf("concurrent check: %+v %v", rel, err)
			}
		}()
	}
	wg.Wait()
}
