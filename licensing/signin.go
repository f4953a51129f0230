package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/secret"
	"github.com/tollgate-dev/tollgate/transport"
)

// Sign-in: a user of the vendor's customer portal signs in instead of typing a license key,
// picks one of their licenses, and this machine activates it. docs/LICENSING.md ("Sign-in")
// says which facts are documented and which inferred.

const (
	loginPath        = "/v3/accounts/login"
	loginOIDCPath    = "/v3/accounts/login-oidc"
	userLicensesPath = "/v3/me/licenses"

	// Limits the API does not document (inferred): generous bounds, so that no input sizes an
	// allocation and no caller hits them by accident.
	maxPassword         = 1024     // code points
	maxSecondFactorCode = 64       // code points
	maxIDToken          = 16 << 10 // code points; an id token is a JWT of a few KiB
	maxAccessToken      = 16 << 10 // bytes
)

// PasswordSignIn is what [Client.SignIn] sends (POST /v3/accounts/login). Password stays a
// plain string, as an app's dialog gives it; PasswordSignIn prints without it. Lengths are
// in Unicode code points.
type PasswordSignIn struct {
	Email            string // required, 1 to 256 characters, with an "@"
	Password         string // required, 1 to 1024 characters
	SecondFactorCode string // "" = not sent; the user's one-time code, asked for after ErrSecondFactorRequired
	AccountID        string // sent as "accountId", "" included; at most 256 characters
}

// OIDCSignIn is what [Client.SignInOIDC] sends (POST /v3/accounts/login-oidc). It prints
// without its IDToken.
type OIDCSignIn struct {
	IDToken   string // required: the id token the app got from the company's identity provider
	AccountID string // sent as "accountId", "" included; at most 256 characters
}

// wireLogin and wireLoginOIDC are the sign-in bodies, as the vendor's client sends them.
type wireLogin struct {
	AccountID     string `json:"accountId"`
	Email         string `json:"email"`
	Password      string `json:"password"`
	TwoFactorCode string `json:"twoFactorCode,omitempty"`
}

type wireLoginOIDC struct {
	AccountID string `json:"accountId"`
	IDToken   string `json:"idToken"`
}

// SignIn signs a user in with e-mail and password (POST /v3/accounts/login) and returns their
// [Session]. r is checked first ([*ValidationError]); a user with two-factor sign-in gets
// [ErrSecondFactorRequired] until r.SecondFactorCode is set. The server's refusals are
// [ErrSignInFailed], [ErrSecondFactorInvalid] and [ErrSignInLocked]; a 429 is
// [ErrRateLimited]. On any error no Session is returned, so nothing can be sent with its token.
func (c *Client) SignIn(ctx context.Context, r PasswordSignIn) (*Session, error) {
	var ch checker
	ch.length("accountId", r.AccountID, 0, maxShort)
	ch.length("email", r.Email, 1, maxShort)
	if r.Email != "" && (!strings.Contains(r.Email, "@") || strings.TrimSpace(r.Email) != r.Email) {
		ch.add("email", "must be an e-mail address, without surrounding spaces")
	}
	ch.length("password", r.Password, 1, maxPassword)
	ch.length("twoFactorCode", r.SecondFactorCode, 0, maxSecondFactorCode)
	if len(ch.fields) > 0 {
		return nil, &ValidationError{Fields: ch.fields}
	}
	body := marshalBody(&wireLogin{AccountID: r.AccountID, Email: r.Email, Password: r.Password, TwoFactorCode: r.SecondFactorCode})
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodPost, Path: loginPath, Body: body,
		Secrets: []string{r.Password, r.Email, r.SecondFactorCode}})
	if err != nil {
		return nil, signInError(err)
	}
	tok, err := accessToken(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Session{c: c, accountID: r.AccountID, email: secret.New(r.Email), password: secret.New(r.Password), token: tok}, nil
}

// SignInOIDC signs a user in with an OIDC id token (POST /v3/accounts/login-oidc) and returns
// their [Session]. An empty or blank IDToken is a [*ValidationError] and nothing is sent. The
// server's refusals are [ErrIDTokenInvalid], [ErrSSONotEnabled] and [ErrUsersLimitReached].
func (c *Client) SignInOIDC(ctx context.Context, r OIDCSignIn) (*Session, error) {
	var ch checker
	ch.length("accountId", r.AccountID, 0, maxShort)
	if strings.TrimSpace(r.IDToken) == "" {
		ch.add("idToken", "is required")
	} else {
		ch.length("idToken", r.IDToken, 1, maxIDToken)
	}
	if len(ch.fields) > 0 {
		return nil, &ValidationError{Fields: ch.fields}
	}
	body := marshalBody(&wireLoginOIDC{AccountID: r.AccountID, IDToken: r.IDToken})
	resp, err := c.http.Do(ctx, transport.Request{Method: http.MethodPost, Path: loginOIDCPath, Body: body,
		Secrets: []string{r.IDToken}})
	if err != nil {
		return nil, signInError(err)
	}
	tok, err := accessToken(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Session{c: c, accountID: r.AccountID, token: tok}, nil
}

// accessToken reads {"accessToken": "..."} (documented) from a sign-in answer. A token that is
// missing, empty, over 16 KiB or not visible ASCII (it becomes a header value) wraps
// ErrBadResponse: no Session is made of it.
func accessToken(body []byte) (secret.Value, error) {
	var w struct {
		AccessToken *string `json:"accessToken"`
	}
	if json.Unmarshal(body, &w) != nil {
		return secret.Value{}, fmt.Errorf("%w: sign-in: the body is not the expected JSON", errs.ErrBadResponse)
	}
	switch {
	case w.AccessToken == nil || *w.AccessToken == "":
		return secret.Value{}, fmt.Errorf("%w: sign-in: no accessToken in the answer", errs.ErrBadResponse)
	case len(*w.AccessToken) > maxAccessToken || !visibleASCII(*w.AccessToken):
		return secret.Value{}, fmt.Errorf("%w: sign-in: the accessToken is not a token", errs.ErrBadResponse)
	}
	return secret.New(*w.AccessToken), nil
}

// visibleASCII reports whether s holds only the characters 0x21 to 0x7e.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Session is a signed-in user: [Session.Licenses] lists their licenses of this product and
// [Session.Activate] activates one on this machine; the Client then syncs, validates and
// deactivates it as any activation. The access token and the password are [secret.Value]s
// held in memory only, never cached: the activation token the Client caches is what keeps the
// app licensed offline, and a stored access token would let anyone who reads it list the
// user's license keys. A Session is safe for concurrent use. The nil and zero Session, and one
// after [Session.SignOut] or a 401 on its token, send nothing and return [ErrSignedOut].
type Session struct {
	c         *Client
	accountID string
	email     secret.Value // "" after an OIDC sign-in

	mu       sync.Mutex
	password secret.Value // zero after an OIDC sign-in and after SignOut
	token    secret.Value // zero after SignOut
}

// Email returns the e-mail the user signed in with ("" after an OIDC sign-in): for the app's
// "signed in as" line. It is personal data, so the SDK redacts it from the server's text.
func (s *Session) Email() string {
	if s == nil {
		return ""
	}
	return s.email.Reveal()
}

// AccessToken returns the user's access token, for what the SDK does not do itself (the
// documented use: "Authorization: Bearer" on a release file's download). It is zero after
// SignOut.
func (s *Session) AccessToken() secret.Value {
	if s == nil {
		return secret.Value{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// SignOut forgets the access token and the password; later calls return [ErrSignedOut]. The
// server is not told (no sign-out endpoint is documented): the token stays valid there until
// it expires. The activations made meanwhile stay cached.
func (s *Session) SignOut() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token, s.password = secret.Value{}, secret.Value{}
}

// credentials returns the token and password, and false when the Session is signed out.
func (s *Session) credentials() (token, password secret.Value, ok bool) {
	if s == nil {
		return secret.Value{}, secret.Value{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token, s.password, s.c != nil && !s.token.IsZero()
}

// UserLicense is one of a user's licenses, as GET /v3/me/licenses lists it. The member names
// are the vendor's client's (key, type, allowed and total activations and deactivations,
// metadata); id and requireAuthentication are the license resource's (documented there;
// that the list carries them is inferred).
type UserLicense struct {
	ID                   string
	Key                  secret.Value // the license key; it never prints
	Type                 string       // "node-locked", "hosted-floating", ...
	AllowedActivations   int64        // 0 or -1 = unlimited
	AllowedDeactivations int64        // 0 or -1 = unlimited
	TotalActivations     int64
	TotalDeactivations   int64
	// RequireAuthentication is true for a named-user license: activating it takes the user's
	// e-mail and password. It is also true when the list does not say (the member is absent):
	// then the credentials of a password sign-in are sent, which the activation's body takes
	// either way (the vendor's client always sends the members).
	RequireAuthentication bool
	Metadata              []Metadata
}

// wireUserLicense is one license of the list; unknown members are ignored, a known one of the
// wrong type is a bad answer.
type wireUserLicense struct {
	ID                    *string         `json:"id"`
	Key                   *string         `json:"key"`
	Type                  *string         `json:"type"`
	AllowedActivations    *int64          `json:"allowedActivations"`
	AllowedDeactivations  *int64          `json:"allowedDeactivations"`
	TotalActivations      *int64          `json:"totalActivations"`
	TotalDeactivations    *int64          `json:"totalDeactivations"`
	RequireAuthentication *bool           `json:"requireAuthentication"`
	Metadata              json.RawMessage `json:"metadata"` // decoded by decodeList
}

// Licenses lists the signed-in user's licenses of this product (GET /v3/me/licenses?productId=,
// with the access token as "Authorization: Bearer"). A user linked to none is
// [ErrNoUserLicense]; a token the server no longer accepts (401) is [ErrSignedOut], and the
// Session forgets it as [Session.SignOut] does: sign in again. An answer that is not a list of licenses, each with a key, wraps [ErrBadResponse].
func (s *Session) Licenses(ctx context.Context) ([]UserLicense, error) {
	token, password, ok := s.credentials()
	if !ok {
		return nil, fmt.Errorf("%w: nothing sent", ErrSignedOut)
	}
	v := url.Values{}
	v.Set("productId", s.c.cfg.ProductID)
	resp, err := s.c.http.Do(ctx, transport.Request{Method: http.MethodGet, Path: userLicensesPath + "?" + v.Encode(),
		Bearer: token.Reveal(), Secrets: []string{password.Reveal(), s.email.Reveal()}})
	if err != nil {
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized {
			s.SignOut() // a refused token is never sent again
			return nil, fmt.Errorf("%w: the server no longer accepts the access token: %w", ErrSignedOut, err)
		}
		return nil, err
	}
	out, err := parseUserLicenses(resp.Body)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w (product %q)", ErrNoUserLicense, s.c.cfg.ProductID)
	}
	return out, nil
}

// parseUserLicenses reads the list GET /v3/me/licenses answers, one license at a time; a list,
// or a license's metadata, longer than maxListItems is a bad answer.
func parseUserLicenses(body []byte) ([]UserLicense, error) {
	if isJSONNull(body) { // null is no list
		return nil, fmt.Errorf("%w: user licenses: the body is not a list of licenses", errs.ErrBadResponse)
	}
	var out []UserLicense
	err := decodeList(body, func(d *json.Decoder) error {
		var w wireUserLicense
		if d.Decode(&w) != nil {
			return errNotList
		}
		if w.Key == nil || *w.Key == "" {
			return fmt.Errorf("%w: user licenses: license %d has no key", errs.ErrBadResponse, len(out))
		}
		lic := UserLicense{ID: deref(w.ID), Key: secret.New(*w.Key), Type: deref(w.Type),
			AllowedActivations: deref(w.AllowedActivations), AllowedDeactivations: deref(w.AllowedDeactivations),
			TotalActivations: deref(w.TotalActivations), TotalDeactivations: deref(w.TotalDeactivations),
			RequireAuthentication: w.RequireAuthentication == nil || *w.RequireAuthentication}
		err := decodeList(w.Metadata, func(d *json.Decoder) error {
			var m wireMetadata
			if d.Decode(&m) != nil {
				return errNotList
			}
			lic.Metadata = append(lic.Metadata, Metadata(m))
			return nil
		})
		out = append(out, lic)
		return err
	})
	if errors.Is(err, errNotList) {
		return nil, fmt.Errorf("%w: user licenses: the body is not a list of at most %d licenses, each with at most %d metadata", errs.ErrBadResponse, maxListItems, maxListItems)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// Activate activates this machine for lic, one of [Session.Licenses], as [Client.Activate]
// does with r: r.Key becomes lic's key, r.AccountID the session's when r's is "", and for a
// license that requires authentication (named-user) r.Email and r.Password become the
// session's, when r leaves them empty. After an OIDC sign-in there is no password to send: a
// named-user license then activates only if the server asks for none (not documented). A
// signed-out Session is [ErrSignedOut] and nothing is sent.
func (s *Session) Activate(ctx context.Context, lic UserLicense, r ActivationRequest) (*Activation, error) {
	_, password, ok := s.credentials()
	if !ok {
		return nil, fmt.Errorf("%w: nothing sent", ErrSignedOut)
	}
	r.Key = lic.Key.Reveal()
	if r.AccountID == "" {
		r.AccountID = s.accountID
	}
	if lic.RequireAuthentication && r.Email == "" && r.Password == "" && !password.IsZero() {
		r.Email, r.Password = s.email.Reveal(), password.Reveal()
	}
	return s.c.Activate(ctx, r)
}
