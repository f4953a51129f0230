package licensing_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// The class: a 2xx is believed only with the API's body. Each call that sends a request takes a
// 200 that is not the API's answer (a web app's page behind a wrong base path, a filtering
// proxy's page, JSON of another kind) as a bad response: an error, the cached state kept,
// nothing reported done. Deactivate has its own table (TestDeactivateTakesOnlyTheAPIsAnswer).
func TestTwoHundredWithoutTheAPIsBodyPerCall(t *testing.T) {
	t.Parallel()
	pages := map[string]licensingtest.Fault{
		"HTML page": {Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			Body: []byte("<!doctype html><html><body>Sign in to the dashboard</body></html>")},
		"JSON array":     {Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`[{"id":"x"}]`)},
		"empty object":   {Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)},
		"empty text 200": {Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, EmptyBody: true},
	}
	type result struct {
		err  error
		kept bool
		done bool // the call reported something done or offered
	}
	calls := map[string]func(t *testing.T, e *env, f licensingtest.Fault) result{
		"Activate": func(t *testing.T, e *env, f licensingtest.Fault) result {
			key := e.srv.AddLicense(licensingtest.License{})
			e.srv.Inject(f)
			a, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: key})
			return result{err, e.cached(t), a != nil}
		},
		"Sync": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.Inject(f)
			a, err := e.client.Sync(ctx, licensing.Update{})
			return result{err, e.cached(t), a != nil}
		},
		"UpdateActivation": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.Inject(f)
			a, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{})
			return result{err, e.cached(t), a != nil}
		},
		"ActivateTrial": func(t *testing.T, e *env, f licensingtest.Fault) result {
			c := e.newClient(t, machine("b2"), store.NewMemory())
			e.srv.Inject(f)
			a, err := c.ActivateTrial(ctx, licensing.TrialRequest{})
			return result{err, true, a != nil}
		},
		"SyncTrial": func(t *testing.T, e *env, f licensingtest.Fault) result {
			c := e.newClient(t, machine("b3"), store.NewMemory())
			if _, err := c.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
				t.Fatal(err)
			}
			e.srv.Inject(f)
			a, err := c.SyncTrial(ctx, licensing.TrialRequest{})
			_, verr := c.ValidateTrial(ctx)
			return result{err, verr == nil, a != nil}
		},
		"CheckReleaseUpdate": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.AddRelease(licensingtest.Release{Version: "2.0.0"})
			e.srv.Inject(f)
			rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"})
			return result{err, e.cached(t), rel != nil}
		},
		"CheckReleaseUpdate, the allowed check": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.MaxAllowedReleaseVersion = "1.5" })
			e.srv.AddRelease(licensingtest.Release{Version: "2.0.0"})
			e.srv.Inject(licensingtest.Fault{}) // the update check passes; f answers the allowed check
			e.srv.Inject(f)
			rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"})
			return result{err, e.cached(t), rel != nil}
		},
		"SignIn": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.AddUser(licensingtest.User{Email: "ada@example.com", Password: "pw-1234"})
			e.srv.Inject(f)
			s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: "ada@example.com", Password: "pw-1234"})
			return result{err, e.cached(t), s != nil}
		},
		"Session.Licenses": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.AddUser(licensingtest.User{Email: "ada@example.com", Password: "pw-1234", Licenses: []string{e.key}})
			s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: "ada@example.com", Password: "pw-1234"})
			if err != nil {
				t.Fatal(err)
			}
			e.srv.Inject(f)
			l, err := s.Licenses(ctx)
			return result{err, e.cached(t), len(l) > 0}
		},
	}
	for fname, f := range pages {
		for cname, call := range calls {
			t.Run(cname+"/"+fname, func(t *testing.T) {
				t.Parallel()
				e := setup(t, licensingtest.License{})
				if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
					t.Fatal(err)
				}
				r := call(t, e, f)
				if r.err == nil || r.done {
					t.Fatalf("a 200 %s was taken as the API's answer: %v", fname, r.err)
				}
				if !errors.Is(r.err, licensing.ErrBadResponse) && !errors.Is(r.err, licensing.ErrTokenInvalid) {
					t.Errorf("want ErrBadResponse, got %v", r.err)
				}
				if !r.kept {
					t.Error("the cached state was dropped")
				}
			})
		}
	}
}
