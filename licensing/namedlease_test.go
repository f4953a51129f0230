package licensing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// TestNamedUserLeaseLapseAsksForSignIn: a named-user floating lease lapses and the server
// releases its seat; Sync cannot take a seat again without the user's password (never kept).
// The server's AUTHENTICATION_FAILED must not cost the remembered key: Sync says "sign in
// again" (ErrSignedOut), the lapsed lease stays, and after a sign-in Session.Activate renews
// it. Class: a renewal refused for want of credentials the SDK does not keep.
func TestNamedUserLeaseLapseAsksForSignIn(t *testing.T) {
	// One clock for the server and the client, so that the renewal two hours on is not stale.
	now := &clock{t: time.Now()}
	e := setup(t, licensingtest.License{}, licensingtest.WithClock(now.Now))
	e.now = now
	e.client = e.newClient(t, e.m, e.st)
	floating := e.srv.AddLicense(licensingtest.License{Key: "FLOAT-NAMED-0004", RequireAuthentication: true, LeaseDuration: time.Hour})
	e.srv.AddUser(licensingtest.User{Email: "carol@example.com", Password: "carols password", Licenses: []string{floating}})
	signIn := licensing.PasswordSignIn{Email: "carol@example.com", Password: "carols password"}
	s, err := e.client.SignIn(ctx, signIn)
	if err != nil {
		t.Fatal(err)
	}
	lics, err := s.Licenses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	act, err := s.Activate(ctx, lics[0], licensing.ActivationRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s.SignOut()
	e.now.Add(2 * time.Hour)
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrLeaseExpired) {
		t.Fatalf("validate after the lease: %v", err)
	}
	e.srv.RemoveActivation(act.ID) // the server released the seat

	for i := 0; i < 2; i++ { // twice: the first refusal must not lose what the second needs
		a, err := e.client.Sync(ctx, licensing.Update{})
		if a != nil || !errors.Is(err, licensing.ErrSignedOut) || !errors.Is(err, licensing.ErrAuthenticationFailed) {
			t.Fatalf("sync %d after a lapsed named-user lease: %+v %v", i, a, err)
		}
		if _, verr := e.client.Validate(ctx); !errors.Is(verr, licensing.ErrLeaseExpired) || licensing.StateOf(verr) != licensing.StateLeaseExpired {
			t.Fatalf("validate after sync %d: the lapsed lease (and its key) was dropped: %v", i, verr)
		}
	}

	// The app signs the user in again; activating the license renews the lease.
	s, err = e.client.SignIn(ctx, signIn)
	if err != nil {
		t.Fatal(err)
	}
	lics, err = s.Licenses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := s.Activate(ctx, lics[0], licensing.ActivationRequest{})
	if err != nil || renewed == nil || !renewed.Applied || renewed.ID == act.ID {
		t.Fatalf("activate after sign-in: %+v %v", renewed, err)
	}
	if a, err := e.client.Validate(ctx); err != nil || a.ID != renewed.ID {
		t.Fatalf("validate after the renewal: %+v %v", a, err)
	}
	if a, err := e.client.Sync(ctx, licensing.Update{}); err != nil || a == nil || a.ID != renewed.ID {
		t.Fatalf("sync after the renewal: %+v %v", a, err)
	}
}

// TestLeaseLapseOtherRefusalsStillDrop: the key is kept for a refusal the user can cure by
// signing in, not for a license gone for good: a license revoked meanwhile still sends the app
// to its license dialog, and nothing is remembered.
func TestLeaseLapseOtherRefusalsStillDrop(t *testing.T) {
	e := setup(t, licensingtest.License{LeaseDuration: time.Hour})
	act, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	e.now.Add(2 * time.Hour)
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrLeaseExpired) {
		t.Fatalf("validate after the lease: %v", err)
	}
	e.srv.RemoveActivation(act.ID)
	e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.Revoked = true })
	if _, err := e.client.Sync(ctx, licensing.Update{}); !errors.Is(err, licensing.ErrLicenseRevoked) || errors.Is(err, licensing.ErrSignedOut) ||
		!licensing.NeedsActivation(err) {
		t.Fatalf("sync of a revoked license: %v", err)
	}
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("validate after it: %v", err)
	}
}
