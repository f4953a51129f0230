package licensing_test

// The canary harness (canary_test.go) reaches the sign-in and release calls only with requests
// that fail validation, so nothing is sent there; these two send them, and echo their secrets
// back in every spelling of redacttest.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/redact/redacttest"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/transport"
)

// TestSignInSecretsInEverySpelling: the canary harness (canary_test.go) calls Client's
// methods only; sign-in's secrets (password, e-mail, second-factor code, access token) echoed
// back in every spelling of redacttest, in the message, code and a header, must reach neither
// err.Error() nor %+v of the error nor the log.
func TestSignInSecretsInEverySpelling(t *testing.T) {
	e := signInSetup(t, licensingtest.User{Email: userEmail, Password: userPassword, SecondFactorCode: "739120",
		IDTokens: []string{userIDToken}})
	var logs bytes.Buffer
	c, err := licensing.New(licensing.Config{ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL,
		Store: e.st, Machine: &e.m, Now: e.now.Now, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retry: transport.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword, SecondFactorCode: "739120"})
	if err != nil {
		t.Fatal(err)
	}
	access := s.AccessToken().Reveal()
	lics, err := s.Licenses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	named := byKey(t, lics, e.named)
	calls := map[string]func() error{
		"SignIn": func() error {
			_, err := c.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword, SecondFactorCode: "739120"})
			return err
		},
		"SignInOIDC": func() error {
			_, err := c.SignInOIDC(ctx, licensing.OIDCSignIn{IDToken: userIDToken})
			return err
		},
		"Licenses": func() error { _, err := s.Licenses(ctx); return err },
		"Session.Activate": func() error {
			_, err := s.Activate(ctx, named, licensing.ActivationRequest{})
			return err
		},
	}
	secrets := map[string]string{"password": userPassword, "e-mail": userEmail, "id token": userIDToken, "access token": access}
	for call, fn := range calls {
		for what, secret := range secrets {
			if call != "SignInOIDC" && what == "id token" || call == "SignInOIDC" && what != "id token" ||
				what == "access token" && call != "Licenses" {
				continue // a secret the request does not carry
			}
			for _, sp := range redacttest.Spellings(secret) {
				if alnum(sp.Text) < 8 {
					continue // below redact.Run: documented to pass (the fake server's access token is that short)
				}
				for _, status := range []int{400, 401, 403} {
					logs.Reset()
					e.srv.Inject(licensingtest.Fault{Status: status, Code: "AUTHENTICATION_FAILED", Message: "refused: " + sp.Text,
						Header: http.Header{"X-Echo": {sp.Text}}})
					err := fn()
					e.srv.ClearFaults()
					if err == nil {
						t.Fatalf("%s: no error", call)
					}
					out := err.Error() + "\n" + fmt.Sprintf("%+v %#v", err, err) + "\n" + logs.String()
					if strings.Contains(out, sp.Text) || strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
						t.Errorf("%s %d: the %s spelled %s reached the output: %s", call, status, what, sp.Name, out)
					}
				}
			}
		}
	}
}

// allowedEcho answers the release "allowed" check with a 403 in the API's shape whose message,
// code and a header echo text; every other request goes to base.
type allowedEcho struct {
	base http.RoundTripper
	text string
}

func (a allowedEcho) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/allowed") {
		return a.base.RoundTrip(r)
	}
	body, _ := json.Marshal(map[string]string{"code": a.text, "message": "no release for " + a.text, "reasonPhrase": a.text})
	return &http.Response{StatusCode: 403, Status: "403 Forbidden", Header: http.Header{"Content-Type": {"application/json"}, "X-Echo": {a.text}},
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// TestReleaseAllowedKeyInEverySpelling: the canary harness calls CheckReleaseUpdate with a
// zero ReleaseQuery, which fails validation: the release calls never run there. Here the
// allowed check's refusal echoes the license key in every spelling; neither the error's text,
// %+v, nor the APIError inside it may hold it.
func TestReleaseAllowedKeyInEverySpelling(t *testing.T) {
	e := sameSecondEnv(t, licensingtest.License{Key: "Canary-KEY-5e1f7a9b-Tollgate"})
	e.srv.AddRelease(licensingtest.Release{Version: "2.0.0"})
	if _, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	for _, sp := range redacttest.Spellings(e.key) {
		c, err := licensing.New(licensing.Config{ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL,
			Store: e.st, Machine: &e.m, Now: e.now.Now, HTTPClient: &http.Client{Transport: allowedEcho{base: e.srv.Client().Transport, text: sp.Text}}})
		if err != nil {
			t.Fatal(err)
		}
		rel, err := c.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"})
		if rel != nil || !errors.Is(err, licensing.ErrReleaseNotAllowed) {
			t.Fatalf("%s: %v %v", sp.Name, rel, err)
		}
		var apiErr *licensing.APIError
		out := err.Error() + fmt.Sprintf(" %+v %#v", err, err)
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || apiErr.Header.Get("X-Echo") == "" {
			t.Fatalf("%s: the server's refusal is not in the chain (the test would prove nothing): %v", sp.Name, err)
		}
		out += fmt.Sprintf(" %+v %v", *apiErr, apiErr.Header)
		if strings.Contains(out, sp.Text) || strings.Contains(strings.ToLower(out), strings.ToLower(e.key)) {
			t.Errorf("the key spelled %s reached the output: %s", sp.Name, out)
		}
	}
}

// alnum counts the letters and digits of s (any rune past ASCII counts).
func alnum(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f {
			n++
		}
	}
	return n
}
