package licensing_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

const (
	userEmail    = "ada@example.com"
	userPassword = "correct horse battery staple"
	userIDToken  = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl"
)

// signInEnv is a server with a user who owns a named-user license and a plain one, and a
// license of someone else.
type signInEnv struct {
	*env
	named, plain, other string
}

func signInSetup(t *testing.T, u licensingtest.User) *signInEnv {
	t.Helper()
	e := &signInEnv{env: setup(t, licensingtest.License{})}
	e.named = e.srv.AddLicense(licensingtest.License{Key: "NAMED-KEY-0001", RequireAuthentication: true, MaxActivations: 2,
		Metadata: map[string]string{"seat": "engineering"}})
	e.plain = e.srv.AddLicense(licensingtest.License{Key: "PLAIN-KEY-0002"})
	e.other = e.srv.AddLicense(licensingtest.License{Key: "OTHER-KEY-0003", RequireAuthentication: true})
	if u.Email == "" {
		u = licensingtest.User{Email: userEmail, Password: userPassword, IDTokens: []string{userIDToken}}
	}
	if u.Licenses == nil {
		u.Licenses = []string{e.named, e.plain}
	}
	e.srv.AddUser(u)
	e.srv.AddUser(licensingtest.User{Email: "bob@example.com", Password: "bobs password", Licenses: []string{e.other}})
	return e
}

// noEmptyBearer fails when any request carried an Authorization header without a token.
func noEmptyBearer(t *testing.T, srv *licensingtest.Server) {
	t.Helper()
	for _, r := range srv.Requests() {
		if a, ok := r.Header["Authorization"]; ok && (len(a) != 1 || strings.TrimSpace(strings.TrimPrefix(a[0], "Bearer")) == "") {
			t.Errorf("%s %s carried Authorization %q", r.Method, r.Path, a)
		}
	}
}

func byKey(t *testing.T, lics []licensing.UserLicense, key string) licensing.UserLicense {
	t.Helper()
	for _, l := range lics {
		if l.Key.Equal(key) {
			return l
		}
	}
	t.Fatalf("no license %s among %d", key, len(lics))
	return licensing.UserLicense{}
}

// TestSignInListActivateSyncDeactivate is the whole named-user flow against the fake server.
func TestSignInListActivateSyncDeactivate(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{})
	s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword, AccountID: "acct-1"})
	if err != nil {
		t.Fatal(err)
	}
	login := lastRequest(t, e.srv, http.MethodPost, "/v3/accounts/login")
	if got, want := bodyKeys(t, login.Body), []string{"accountId", "email", "password"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("login body members %v, want %v (no twoFactorCode when none is set)", got, want)
	}
	if s.Email() != userEmail || s.AccessToken().IsZero() {
		t.Fatalf("session: %q, token zero %v", s.Email(), s.AccessToken().IsZero())
	}

	lics, err := s.Licenses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(lics) != 2 {
		t.Fatalf("%d licenses, want the user's 2", len(lics))
	}
	list := lastRequest(t, e.srv, http.MethodGet, "/v3/me/licenses")
	if got := list.Header.Get("Authorization"); got != "Bearer "+s.AccessToken().Reveal() {
		t.Fatalf("Authorization %q", got)
	}
	if q, _ := url.ParseQuery(list.Query); !reflect.DeepEqual(q, url.Values{"productId": {e.srv.ProductID}}) {
		t.Fatalf("query %v", q)
	}
	named := byKey(t, lics, e.named)
	if !named.RequireAuthentication || named.Type != "node-locked" || named.AllowedActivations != 2 ||
		!reflect.DeepEqual(named.Metadata, []licensing.Metadata{{Key: "seat", Value: "engineering"}}) {
		t.Fatalf("named license %+v", named)
	}
	if byKey(t, lics, e.plain).RequireAuthentication {
		t.Fatal("the plain license reads as named-user")
	}

	act, err := s.Activate(ctx, named, licensing.ActivationRequest{AppVersion: "3.0"})
	if err != nil || !act.Applied {
		t.Fatalf("activate: %+v %v", act, err)
	}
	var body struct{ Key, Email, Password, AccountID string }
	if err := json.Unmarshal(lastRequest(t, e.srv, http.MethodPost, "/v3/activations").Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Key != e.named || body.Email != userEmail || body.Password != userPassword || body.AccountID != "acct-1" {
		t.Fatalf("named-user activation body %+v", body)
	}
	// From here on it is an activation like any other.
	if _, err := e.client.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	if a, err := e.client.Sync(ctx, licensing.Update{}); err != nil || !a.Applied {
		t.Fatalf("sync: %+v %v", a, err)
	}
	if err := e.client.Deactivate(ctx); err != nil {
		t.Fatal(err)
	}
	if snap, _ := e.srv.Activation(act.ID); !snap.Deactivated {
		t.Fatal("not deactivated on the server")
	}
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("after Deactivate: %v", err)
	}

	// A license that needs no credentials gets none.
	if _, err := s.Activate(ctx, byKey(t, lics, e.plain), licensing.ActivationRequest{}); err != nil {
		t.Fatal(err)
	}
	if keys := bodyKeys(t, lastRequest(t, e.srv, http.MethodPost, "/v3/activations").Body); slices.Contains(keys, "password") || slices.Contains(keys, "email") {
		t.Fatalf("credentials sent for a license that needs none: %v", keys)
	}
	noEmptyBearer(t, e.srv)
}

// TestSignInSecondFactor: without the code, and with a wrong one, the sign-in is refused with
// its own error and State, no Session comes back and nothing further is sent.
func TestSignInSecondFactor(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{Email: userEmail, Password: userPassword, SecondFactorCode: "246810"})
	for _, tc := range []struct {
		code string
		want error
	}{{"", licensing.ErrSecondFactorRequired}, {"135791", licensing.ErrSecondFactorInvalid}} {
		before := e.srv.RequestCount()
		s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword, SecondFactorCode: tc.code})
		if s != nil || !errors.Is(err, tc.want) || licensing.StateOf(err) != licensing.StateNeedsSecondFactor {
			t.Fatalf("code %q: %v %v (state %v)", tc.code, s, err, licensing.StateOf(err))
		}
		if n := e.srv.RequestCount() - before; n != 1 {
			t.Fatalf("code %q: %d requests, want the sign-in alone", tc.code, n)
		}
		if strings.Contains(err.Error(), userPassword) || (tc.code != "" && strings.Contains(err.Error(), tc.code)) {
			t.Fatalf("the error prints a secret: %v", err)
		}
	}
	s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword, SecondFactorCode: "246810"})
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ TwoFactorCode string }
	_ = json.Unmarshal(lastRequest(t, e.srv, http.MethodPost, "/v3/accounts/login").Body, &login)
	if login.TwoFactorCode != "246810" {
		t.Fatalf("twoFactorCode %q", login.TwoFactorCode)
	}
	if _, err := s.Licenses(ctx); err != nil {
		t.Fatal(err)
	}
	noEmptyBearer(t, e.srv)
}

// TestSignInWrongPassword: ErrSignInFailed, nothing further sent, no secret in the error; after
// five failures the server locks the e-mail, which is ErrSignInLocked even with the right one.
func TestSignInWrongPassword(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{})
	// The server echoes what it got: the message must not carry it out.
	e.srv.Inject(licensingtest.Fault{Status: 400, Code: "AUTHENTICATION_FAILED", Message: "no user " + userEmail + " with password wrong-password-1"})
	if _, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: "wrong-password-1"}); !errors.Is(err, licensing.ErrSignInFailed) ||
		strings.Contains(err.Error(), "wrong-password-1") || strings.Contains(err.Error(), userEmail) {
		t.Fatalf("echoed: %v", err)
	}
	for i := range licensingtest.LoginLockAfter {
		before := e.srv.RequestCount()
		pw := fmt.Sprintf("wrong-password-%d", i+1)
		s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: pw})
		if s != nil || !errors.Is(err, licensing.ErrSignInFailed) || licensing.StateOf(err) != licensing.StateRefused {
			t.Fatalf("try %d: %v %v (state %v)", i, s, err, licensing.StateOf(err))
		}
		var apiErr *licensing.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "AUTHENTICATION_FAILED" {
			t.Fatalf("the server's answer is not in the chain: %v", err)
		}
		if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), userEmail) {
			t.Fatalf("the error prints a secret: %v", err)
		}
		if n := e.srv.RequestCount() - before; n != 1 {
			t.Fatalf("%d requests for one sign-in", n)
		}
	}
	_, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
	if !errors.Is(err, licensing.ErrSignInLocked) || licensing.StateOf(err) != licensing.StateRetryLater {
		t.Fatalf("locked: %v (state %v)", err, licensing.StateOf(err))
	}
	noEmptyBearer(t, e.srv)
}

// TestSignInOIDC: an id token the server knows signs the user in; an empty one is refused
// before anything is sent; an unknown one is ErrIDTokenInvalid.
func TestSignInOIDC(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{})
	for _, tok := range []string{"", "   ", "\t\n"} {
		before := e.srv.RequestCount()
		s, err := e.client.SignInOIDC(ctx, licensing.OIDCSignIn{IDToken: tok})
		var invalid *licensing.ValidationError
		if s != nil || !errors.As(err, &invalid) || invalid.Fields[0].Field != "idToken" {
			t.Fatalf("id token %q: %v %v", tok, s, err)
		}
		if e.srv.RequestCount() != before {
			t.Fatalf("id token %q: a request was sent", tok)
		}
	}
	s, err := e.client.SignInOIDC(ctx, licensing.OIDCSignIn{IDToken: "eyJ.unknown.token"})
	if s != nil || !errors.Is(err, licensing.ErrIDTokenInvalid) || licensing.StateOf(err) != licensing.StateRefused ||
		strings.Contains(err.Error(), "eyJ.unknown.token") {
		t.Fatalf("unknown id token: %v %v", s, err)
	}
	s, err = e.client.SignInOIDC(ctx, licensing.OIDCSignIn{IDToken: userIDToken})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := bodyKeys(t, lastRequest(t, e.srv, http.MethodPost, "/v3/accounts/login-oidc").Body), []string{"accountId", "idToken"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("login-oidc body members %v", got)
	}
	lics, err := s.Licenses(ctx)
	if err != nil || len(lics) != 2 {
		t.Fatalf("%d licenses, %v", len(lics), err)
	}
	if s.Email() != "" {
		t.Fatalf("an OIDC session knows an e-mail: %q", s.Email())
	}
	// No password to send: the named-user license is refused by the server, the plain one works.
	if _, err := s.Activate(ctx, byKey(t, lics, e.named), licensing.ActivationRequest{}); !errors.Is(err, licensing.ErrAuthenticationFailed) {
		t.Fatalf("named-user license without credentials: %v", err)
	}
	if _, err := s.Activate(ctx, byKey(t, lics, e.plain), licensing.ActivationRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Sync(ctx, licensing.Update{}); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Deactivate(ctx); err != nil {
		t.Fatal(err)
	}
	noEmptyBearer(t, e.srv)
}

// TestSessionNeverSendsAnEmptyBearer is the class of "a credential from a failed or ended step
// used by the next one" (the vendor's client sent "Authorization: Bearer" with an empty token
// after a failed sign-in): no Session is made of an answer without a usable token, and a
// Session without one sends nothing.
func TestSessionNeverSendsAnEmptyBearer(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{})
	for name, body := range map[string]string{
		"empty token": `{"accessToken":""}`, "no token": `{}`, "null token": `{"accessToken":null}`,
		"not JSON": `<html>`, "a number": `{"accessToken":7}`, "header injection": `{"accessToken":"abc\r\nX-Evil: 1"}`,
		"a space": `{"accessToken":"abc def"}`, "huge": `{"accessToken":"` + strings.Repeat("a", 20<<10) + `"}`,
	} {
		e.srv.Inject(licensingtest.Fault{Body: []byte(body)})
		before := e.srv.RequestCount()
		s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
		if s != nil || !errors.Is(err, licensing.ErrBadResponse) {
			t.Errorf("%s: %v %v", name, s, err)
		}
		if n := e.srv.RequestCount() - before; n != 1 {
			t.Errorf("%s: %d requests", name, n)
		}
	}
	// A Session that holds no token: the zero one, a nil one, one signed out.
	s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	s.SignOut()
	if !s.AccessToken().IsZero() {
		t.Fatal("SignOut kept the token")
	}
	var nilSession *licensing.Session
	for name, sess := range map[string]*licensing.Session{"zero": {}, "nil": nilSession, "signed out": s} {
		before := e.srv.RequestCount()
		if _, err := sess.Licenses(ctx); !errors.Is(err, licensing.ErrSignedOut) || !licensing.NeedsActivation(err) {
			t.Errorf("%s: Licenses: %v", name, err)
		}
		if _, err := sess.Activate(ctx, licensing.UserLicense{}, licensing.ActivationRequest{}); !errors.Is(err, licensing.ErrSignedOut) {
			t.Errorf("%s: Activate: %v", name, err)
		}
		if e.srv.RequestCount() != before {
			t.Errorf("%s: a request was sent", name)
		}
	}
	noEmptyBearer(t, e.srv)
}

// TestSessionServerAnswers: a token the server no longer takes, a user with no license, and
// faults on the list.
func TestSessionServerAnswers(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{Email: userEmail, Password: userPassword, Licenses: []string{}})
	s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Licenses(ctx); !errors.Is(err, licensing.ErrNoUserLicense) || !licensing.NeedsActivation(err) {
		t.Fatalf("no license: %v", err)
	}
	for name, body := range map[string]string{
		"not JSON": `<html>`, "an object": `{"licenses":[]}`, "no key": `[{"type":"node-locked"}]`,
		"key a number": `[{"key":5}]`, "null": `null`, "fractional count": `[{"key":"K","allowedActivations":1.5}]`, "empty": ``,
	} {
		e.srv.Inject(licensingtest.Fault{Body: []byte(body), EmptyBody: body == ""})
		if l, err := s.Licenses(ctx); l != nil || !errors.Is(err, licensing.ErrBadResponse) {
			t.Errorf("%s: %v %v", name, l, err)
		}
	}
	// A 503 is retried; a long 429 is returned.
	e.srv.Inject(licensingtest.Fault{Status: 503})
	if _, err := s.Licenses(ctx); !errors.Is(err, licensing.ErrNoUserLicense) {
		t.Fatalf("after a 503: %v", err)
	}
	e.srv.Inject(licensingtest.Fault{Status: 429, RetryAfter: "3600"})
	if _, err := s.Licenses(ctx); !errors.Is(err, licensing.ErrRateLimited) || licensing.StateOf(err) != licensing.StateRetryLater {
		t.Fatalf("429: %v", err)
	}
	e.srv.Inject(licensingtest.Fault{Status: 429, RetryAfter: "3600"})
	if _, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword}); !errors.Is(err, licensing.ErrRateLimited) ||
		licensing.StateOf(err) != licensing.StateRetryLater {
		t.Fatalf("sign-in 429: %v", err)
	}
	// The token expired on the server: sign in again.
	e.srv.ExpireSessions()
	before := e.srv.RequestCount()
	tok := s.AccessToken().Reveal()
	if _, err := s.Licenses(ctx); !errors.Is(err, licensing.ErrSignedOut) || !licensing.NeedsActivation(err) ||
		tok == "" || strings.Contains(err.Error(), tok) {
		t.Fatalf("expired token: %v", err)
	}
	if n := e.srv.RequestCount() - before; n != 1 {
		t.Fatalf("a 401 was retried: %d requests", n)
	}
	noEmptyBearer(t, e.srv)
}

// TestSignInChecksItsInput: every problem at once, nothing sent.
func TestSignInChecksItsInput(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{})
	before := e.srv.RequestCount()
	_, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: " ada", Password: "", SecondFactorCode: strings.Repeat("1", 65),
		AccountID: strings.Repeat("a", 257)})
	var invalid *licensing.ValidationError
	if !errors.As(err, &invalid) {
		t.Fatalf("%v", err)
	}
	var fields []string
	for _, f := range invalid.Fields {
		fields = append(fields, f.Field)
	}
	if want := []string{"accountId", "email", "password", "twoFactorCode"}; !reflect.DeepEqual(fields, want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	if _, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: "ada@example.com", Password: "\xff"}); !errors.Is(err, licensing.ErrInvalidRequest) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	if e.srv.RequestCount() != before {
		t.Fatal("a request was sent")
	}
}

// TestSignInSecretsDoNotPrint: the inputs, the Session and the licenses print without the
// password, the second-factor code, the id token, the access token or a license key.
func TestSignInSecretsDoNotPrint(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{})
	s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	lics, err := s.Licenses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in := licensing.PasswordSignIn{Email: userEmail, Password: userPassword, SecondFactorCode: "246810"}
	oidc := licensing.OIDCSignIn{IDToken: userIDToken}
	var out bytes.Buffer
	for _, v := range []any{in, &in, oidc, s, lics, lics[0]} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		b, _ := json.Marshal(v)
		out.Write(b)
		slog.New(slog.NewTextHandler(&out, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "v", v)
	}
	for _, secret := range []string{userPassword, "246810", userIDToken, s.AccessToken().Reveal(), e.named, e.plain} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("printed %q", secret)
		}
	}
}

// TestSessionSignOutWhileInUse: a Session shared by goroutines, signed out while they list,
// gives each either the list or ErrSignedOut, and never sends an empty bearer (run with -race).
func TestSessionSignOutWhileInUse(t *testing.T) {
	t.Parallel()
	e := signInSetup(t, licensingtest.User{})
	s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := s.Licenses(ctx)
			errs <- err
		}()
	}
	s.SignOut()
	for range 8 {
		if err := <-errs; err != nil && !errors.Is(err, licensing.ErrSignedOut) {
			t.Errorf("%v", err)
		}
	}
	if _, err := s.Licenses(ctx); !errors.Is(err, licensing.ErrSignedOut) {
		t.Fatalf("after SignOut: %v", err)
	}
	noEmptyBearer(t, e.srv)
}
