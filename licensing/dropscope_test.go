package licensing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// sameSecondEnv is a server and a client that share one clock that moves only when told to, so
// that "within the same second" is certain, not a race. Nothing is cached or activated yet.
func sameSecondEnv(t *testing.T, lic licensingtest.License) *env {
	t.Helper()
	now := &clock{t: time.Now().Truncate(time.Second).Add(300 * time.Millisecond)}
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(signingKey()), licensingtest.WithClock(now.Now))
	t.Cleanup(srv.Close)
	e := &env{srv: srv, st: store.NewMemory(), m: machine("a1"), now: now}
	e.key = srv.AddLicense(lic)
	e.client = e.newClient(t, e.m, e.st)
	return e
}

// activatedEnv is sameSecondEnv with lic activated: the cache holds act (e.id is its id).
func activatedEnv(t *testing.T, lic licensingtest.License) (*env, *licensing.Activation) {
	t.Helper()
	e := sameSecondEnv(t, lic)
	act, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	e.id = act.ID
	return e, act
}

// The class: an answer about request X acts on cached state Y. UpdateActivation takes any
// activation id and key; the server's genuine answer that an activation or key is gone (404
// ACTIVATION_NOT_FOUND, INVALID_LICENSE_KEY, REVOKED_LICENSE, ...) is about the id and key
// asked about, and drops the cached license only when they are the cached activation's.
func TestUpdateAboutAnotherActivationKeepsTheCachedLicense(t *testing.T) {
	t.Parallel()
	type ask struct{ id, key string }
	genuine := map[string]func(t *testing.T, e *env) (ask, error){
		"unknown id, the cached key": func(t *testing.T, e *env) (ask, error) {
			return ask{"act-that-does-not-exist", e.key}, licensing.ErrActivationNotFound
		},
		"unknown id, no key (the cached one is sent)": func(t *testing.T, e *env) (ask, error) {
			return ask{"act-that-does-not-exist", ""}, licensing.ErrActivationNotFound
		},
		"the cached id, a mistyped key": func(t *testing.T, e *env) (ask, error) {
			return ask{e.id, e.key + "X"}, nil
		},
		"the cached id, another license's key": func(t *testing.T, e *env) (ask, error) {
			return ask{e.id, e.srv.AddLicense(licensingtest.License{})}, nil
		},
		"a revoked license's own activation": func(t *testing.T, e *env) (ask, error) {
			other := e.srv.AddLicense(licensingtest.License{})
			id := e.srv.AddActivation(other)
			e.srv.UpdateLicense(other, func(l *licensingtest.License) { l.Revoked = true })
			return ask{id, other}, nil
		},
		"a deactivated activation of the same license": func(t *testing.T, e *env) (ask, error) {
			id := e.srv.AddActivation(e.key)
			e.srv.RemoveActivation(id)
			return ask{id, e.key}, licensing.ErrActivationNotFound
		},
	}
	for name, mk := range genuine {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, _ := activatedEnv(t, licensingtest.License{})
			a, want := mk(t, e)
			_, err := e.client.UpdateActivation(ctx, a.id, licensing.Update{Key: a.key})
			var apiErr *licensing.APIError
			if !errors.As(err, &apiErr) || want != nil && !errors.Is(err, want) {
				t.Fatalf("want the API's refusal (%v), got %v", want, err)
			}
			if !e.cached(t) {
				t.Fatalf("the answer %v about another activation or key dropped the cached license", err)
			}
			if _, err := e.client.Validate(ctx); err != nil {
				t.Fatalf("the cached license after an answer about another activation or key: %v", err)
			}
		})
	}
}

// Every code after which the cached token is dropped, answered in the API's shape, for another
// id, for another key, and (the control: the test can fail) for the cached activation itself.
func TestDroppingAnswersActOnlyOnTheActivationAsked(t *testing.T) {
	t.Parallel()
	answers := []licensingtest.Fault{
		{Status: 404, Code: "ACTIVATION_NOT_FOUND"},
		{Status: 400, Code: "INVALID_LICENSE_KEY"},
		{Status: 400, Code: "REVOKED_LICENSE"},
		{Status: 400, Code: "INVALID_ACTIVATION_FINGERPRINT"},
		{Status: 400, Code: "AUTHENTICATION_FAILED"},
		{Status: 400, Code: "INVALID_LICENSE_TYPE"},
		{Status: 403, Code: "COUNTRY_NOT_ALLOWED"},
		{Status: 400, Code: "VM_ACTIVATION_NOT_ALLOWED"},
	}
	for _, f := range answers {
		for _, who := range []string{"another id", "another key", "another id and key", "the cached activation"} {
			t.Run(f.Code+"/"+who, func(t *testing.T) {
				t.Parallel()
				e := setup(t, licensingtest.License{})
				if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
					t.Fatal(err)
				}
				id, key := e.id, e.key
				switch who {
				case "another id":
					id = e.srv.AddActivation(e.key)
				case "another key":
					key = e.srv.AddLicense(licensingtest.License{})
				case "another id and key":
					key = e.srv.AddLicense(licensingtest.License{})
					id = e.srv.AddActivation(key)
				}
				e.srv.Inject(f)
				_, err := e.client.UpdateActivation(ctx, id, licensing.Update{Key: key})
				var apiErr *licensing.APIError
				if !errors.As(err, &apiErr) || apiErr.Code != f.Code {
					t.Fatalf("want the API's %s, got %v", f.Code, err)
				}
				_, verr := e.client.Validate(ctx)
				if who == "the cached activation" {
					if e.cached(t) || verr == nil {
						t.Fatalf("%s for the cached activation kept it (validate: %v)", f.Code, verr)
					}
					return
				}
				if !e.cached(t) || verr != nil {
					t.Fatalf("%s about %s dropped the cached license (validate: %v)", f.Code, who, verr)
				}
			})
		}
	}
}
