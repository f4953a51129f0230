package licensing_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/transport"
)

// notTheAPI are answers with a status the API uses as a verdict (404, 400, 409, 403) but a
// body that is not the API's JSON error: what a proxy, a captive portal or a wrong base path
// sends.
var notTheAPI = map[string]licensingtest.Fault{
	"404 HTML page": {Status: 404, Header: http.Header{"Content-Type": {"text/html"}},
		Body: []byte("<html><body><h1>404 Not Found</h1><hr>nginx</body></html>")},
	"404 empty":                {Status: 404, EmptyBody: true},
	"404 gateway JSON":         {Status: 404, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"message":"Not Found"}`)},
	"400 HTML page":            {Status: 400, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>Bad Request</html>")},
	"409 empty":                {Status: 409, EmptyBody: true},
	"403 captive portal":       {Status: 403, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte(`<form action="/login">`)},
	"404 JSON of another kind": {Status: 404, Body: []byte(`{"timestamp":"2026-12-07T02:00:00Z","status":404,"error":"Not Found","path":"/v3/activations"}`)},
}

// The class: a status is the API's verdict only when the body is the API's. For every call that
// sends a request, each answer above is a bad response: retry later, the cached license and
// trial kept, nothing reported done (Deactivate fails), no seat taken again, Watch not stopped.
func TestStatusWithoutTheAPIsBodyPerCall(t *testing.T) {
	t.Parallel()
	type result struct {
		err  error
		kept bool // the call's own cached state survived
		from int  // requests the server saw before the fault
	}
	// inject queues f and returns how many requests the server saw before it.
	inject := func(e *env, f licensingtest.Fault) int {
		n := e.srv.RequestCount()
		e.srv.Inject(f)
		return n
	}
	calls := map[string]func(t *testing.T, e *env, f licensingtest.Fault) result{
		"Sync": func(t *testing.T, e *env, f licensingtest.Fault) result {
			from := inject(e, f)
			_, err := e.client.Sync(ctx, licensing.Update{})
			return result{err, e.cached(t), from}
		},
		"UpdateActivation": func(t *testing.T, e *env, f licensingtest.Fault) result {
			from := inject(e, f)
			_, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{})
			return result{err, e.cached(t), from}
		},
		"Sync with increments": func(t *testing.T, e *env, f licensingtest.Fault) result {
			from := inject(e, f)
			_, err := e.client.Sync(ctx, licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}})
			if !errors.Is(err, licensing.ErrOutcomeUnknown) {
				t.Errorf("a metered request met an answer that is not the API's: want ErrOutcomeUnknown, got %v", err)
			}
			return result{err, e.cached(t), from}
		},
		"Deactivate": func(t *testing.T, e *env, f licensingtest.Fault) result {
			from := inject(e, f)
			err := e.client.Deactivate(ctx)
			if a, ok := e.srv.Activation(e.id); !ok || a.Deactivated {
				t.Errorf("the activation was deactivated on the server")
			}
			return result{err, e.cached(t), from}
		},
		"Activate with a new key": func(t *testing.T, e *env, f licensingtest.Fault) result {
			key := e.srv.AddLicense(licensingtest.License{})
			from := inject(e, f)
			_, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: key})
			return result{err, e.cached(t), from}
		},
		"Watch": func(t *testing.T, e *env, f licensingtest.Fault) result {
			from := inject(e, f)
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var first error
			werr := e.client.Watch(wctx, licensing.Update{}, func(_ *licensing.Activation, err error) {
				first = err
				cancel()
			})
			if !errors.Is(werr, context.Canceled) {
				t.Errorf("Watch stopped on the answer: %v", werr)
			}
			return result{first, e.cached(t), from}
		},
		"ActivateTrial": func(t *testing.T, e *env, f licensingtest.Fault) result {
			c := e.newClient(t, machine("b2"), store.NewMemory())
			from := inject(e, f)
			_, err := c.ActivateTrial(ctx, licensing.TrialRequest{})
			return result{err, true, from}
		},
		"SyncTrial": func(t *testing.T, e *env, f licensingtest.Fault) result {
			c := e.newClient(t, machine("b3"), store.NewMemory())
			if _, err := c.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
				t.Fatal(err)
			}
			from := inject(e, f)
			_, err := c.SyncTrial(ctx, licensing.TrialRequest{})
			_, verr := c.ValidateTrial(ctx)
			return result{err, verr == nil, from}
		},
		"CheckReleaseUpdate, the allowed check": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.AddRelease(licensingtest.Release{Version: "2.0.0"})
			from := e.srv.RequestCount()
			e.srv.Inject(licensingtest.Fault{}) // the update check passes; f answers the allowed check
			e.srv.Inject(f)
			rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"})
			if rel != nil || errors.Is(err, licensing.ErrReleaseNotAllowed) {
				t.Errorf("a proxy's answer read as the license's verdict: %+v %v", rel, err)
			}
			return result{err, e.cached(t), from}
		},
		"SignIn": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.AddUser(licensingtest.User{Email: "ada@example.com", Password: "pw-1234"})
			from := inject(e, f)
			_, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: "ada@example.com", Password: "pw-1234"})
			return result{err, e.cached(t), from}
		},
		"Session.Licenses": func(t *testing.T, e *env, f licensingtest.Fault) result {
			e.srv.AddUser(licensingtest.User{Email: "ada@example.com", Password: "pw-1234", Licenses: []string{e.key}})
			s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: "ada@example.com", Password: "pw-1234"})
			if err != nil {
				t.Fatal(err)
			}
			from := inject(e, f)
			_, err = s.Licenses(ctx)
			if errors.Is(err, licensing.ErrSignedOut) {
				t.Errorf("a proxy's answer signed the user out: %v", err)
			}
			return result{err, e.cached(t), from}
		},
		"CheckReleaseUpdate": func(t *testing.T, e *env, f licensingtest.Fault) result {
			from := inject(e, f)
			rel, err := e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"})
			if rel != nil {
				t.Errorf("a release from a proxy's answer: %+v", rel)
			}
			return result{err, e.cached(t), from}
		},
	}
	for fname, f := range notTheAPI {
		for cname, call := range calls {
			t.Run(cname+"/"+fname, func(t *testing.T) {
				t.Parallel()
				e := setup(t, licensingtest.License{Meters: map[string]int64{"m": 10}})
				if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
					t.Fatal(err)
				}
				r := call(t, e, f)
				var apiErr *licensing.APIError
				switch {
				case r.err == nil:
					t.Fatal("reported done")
				case !errors.Is(r.err, licensing.ErrBadResponse):
					t.Errorf("want ErrBadResponse, got %v", r.err)
				case errors.As(r.err, &apiErr), errors.Is(r.err, licensing.ErrActivationNotFound):
					t.Errorf("read as the API's verdict: %v", r.err)
				}
				var se *transport.StatusError
				if !errors.As(r.err, &se) || se.StatusCode != f.Status {
					t.Errorf("no *transport.StatusError of %d in %v", f.Status, r.err)
				}
				if s := licensing.StateOf(r.err); s != licensing.StateRetryLater && s != licensing.StateOutcomeUnknown {
					t.Errorf("state %v, want retry later", s)
				}
				if !r.kept {
					t.Error("the cache was dropped")
				}
				for _, req := range e.srv.Requests()[r.from:] {
					if req.Applied {
						t.Errorf("%s %s was applied", req.Method, req.Path)
					}
				}
			})
		}
	}
}
