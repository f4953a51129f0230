package licensing_test

import (
	"errors"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// TestNilSessionFromFailedSignIn: the nil *Session a failed SignIn returns, and the zero
// Session, answer every method without a panic and send nothing (the README's snippet calls
// SignOut unconditionally). Class: methods on the value an error path returns.
func TestNilSessionFromFailedSignIn(t *testing.T) {
	e := signInSetup(t, licensingtest.User{})
	session, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: "wrong password"})
	if err == nil || session != nil {
		t.Fatalf("wrong password: %v %v", session, err)
	}
	oidc, err := e.client.SignInOIDC(ctx, licensing.OIDCSignIn{IDToken: "not a token the server knows"})
	if err == nil || oidc != nil {
		t.Fatalf("wrong id token: %v %v", oidc, err)
	}
	before := e.srv.RequestCount()
	for name, s := range map[string]*licensing.Session{"nil": session, "zero": {}} {
		if _, err := s.Licenses(ctx); !errors.Is(err, licensing.ErrSignedOut) {
			t.Errorf("%s Session: Licenses: %v", name, err)
		}
		if a, err := s.Activate(ctx, licensing.UserLicense{}, licensing.ActivationRequest{}); a != nil || !errors.Is(err, licensing.ErrSignedOut) {
			t.Errorf("%s Session: Activate: %v %v", name, a, err)
		}
		for method, f := range map[string]func(){"SignOut": s.SignOut,
			"Email": func() {
				if got := s.Email(); got != "" {
					t.Errorf("%s Session: Email %q", name, got)
				}
			},
			"AccessToken": func() {
				if !s.AccessToken().IsZero() {
					t.Errorf("%s Session: an access token", name)
				}
			}} {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s on the %s Session panics: %v", method, name, r)
					}
				}()
				f()
			}()
		}
	}
	if n := e.srv.RequestCount() - before; n != 0 {
		t.Fatalf("a nil or zero Session sent %d request(s)", n)
	}
}

// TestSessionForgetsRefusedToken: after the server refuses the access token (401), the Session
// forgets it, as SignOut does: no later call sends it again, and AccessToken is zero. Class: a
// credential the server refused, used again.
func TestSessionForgetsRefusedToken(t *testing.T) {
	e := signInSetup(t, licensingtest.User{})
	s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	lics, err := s.Licenses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.ExpireSessions()
	if _, err := s.Licenses(ctx); !errors.Is(err, licensing.ErrSignedOut) || licensing.NeedsActivation(err) != true {
		t.Fatalf("expired token: %v", err)
	}
	if !s.AccessToken().IsZero() {
		t.Fatal("the refused access token is still held")
	}
	before := e.srv.RequestCount()
	if _, err := s.Licenses(ctx); !errors.Is(err, licensing.ErrSignedOut) {
		t.Fatalf("second call: %v", err)
	}
	if a, err := s.Activate(ctx, lics[0], licensing.ActivationRequest{}); a != nil || !errors.Is(err, licensing.ErrSignedOut) {
		t.Fatalf("Activate after the 401: %v %v", a, err)
	}
	if n := e.srv.RequestCount() - before; n != 0 {
		t.Fatalf("a Session the server stopped accepting sent %d more request(s); the README says it sends nothing", n)
	}
	noEmptyBearer(t, e.srv)
	// Signing in again gives a working Session.
	s, err = e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Licenses(ctx); err != nil {
		t.Fatalf("after signing in again: %v", err)
	}
}
