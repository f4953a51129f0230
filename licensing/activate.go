package licensing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/token"
	"github.com/tollgate-dev/tollgate/transport"
)

// ActivationRequest is what [Client.Activate] sends, with the machine's signals. Its release
// fields follow [Update]'s rules; AppVersion is a free-form label.
type ActivationRequest struct {
	Key                string           // required: the license key
	AccountID          string           // sent as "accountId", "" included, as the vendor's client does
	AppVersion         string           // "" = not sent; free-form, at most 256 characters
	ReleaseVersion     string           // "" = not sent; else x.x, x.x.x or x.x.x.x
	ReleaseChannel     string           // "" = not sent
	ReleasePlatform    string           // "" = not sent
	ReleasePublishedAt time.Time        // zero = not sent; sent as RFC 3339 UTC
	Metadata           []Metadata       // nil = not sent
	MeterAttributes    []MeterAttribute // nil = not sent; increments make the request unrepeatable
	LeaseDuration      *int64           // nil = not sent; seconds, -1 and 0 = unlimited (hosted floating)
	Email              string           // named-user licenses: the user's e-mail; "" = not sent
	Password           string           // named-user licenses: the user's password; "" = not sent
	AllowUncached      bool             // send even when the cache cannot be read (ErrCacheUnavailable)
}

// Activate activates this machine for the license r.Key (POST /v3/activations), verifies and
// caches the token, and returns it. A valid token already cached for r.Key is returned without
// a request (Applied false). As with [Client.UpdateActivation], a non-nil *Activation with
// Applied set means the server applied the request, whatever the error (an expired license
// takes a seat: [ErrExpired]). r is checked first ([*ValidationError]); an unreadable cache is
// [ErrCacheUnavailable] and nothing is sent, unless r.AllowUncached.
func (c *Client) Activate(ctx context.Context, r ActivationRequest) (*Activation, error) {
	m, sealKey, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	if fields := validateActivation(nil, c.cfg.ProductID, &m, &r); len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	a, ok, err := c.cachedFor(ctx, r.Key)
	if ok {
		return a, nil
	}
	if errors.Is(err, ErrCacheUnavailable) && !r.AllowUncached {
		return nil, fmt.Errorf("licensing: activate: nothing sent: %w", err)
	}
	body := activateBody(c.cfg.ProductID, &m, &r)
	req := c.beforeSend(ctx, c.cache.license, m.Fingerprint, sealKey)
	resp, err := c.http.Do(ctx, transport.Request{
		Method: http.MethodPost, Path: "/v3/activations", Body: body, Unrepeatable: hasIncrements(r.MeterAttributes),
		Secrets: []string{r.Key, r.Password, r.Email}, // a named user's credentials too
	})
	if err != nil {
		return nil, err
	}
	return c.accept(ctx, resp.Body, r.Key, "", req, r.MeterAttributes, &m, sealKey)
}

// validateActivation appends to dst every way in which r breaks the rules of its fields, in
// the body's order. The reference page gives accountId's and leaseDuration's (the PATCH's
// fields of the same names); appVersion, email and password have none documented, so they get
// the page's limit for such strings, 256 characters, and the password sign-in's, 1024
// (inferred).
func validateActivation(dst []FieldError, productID string, m *fingerprint.Machine, r *ActivationRequest) []FieldError {
	ch := checker{fields: dst}
	ch.machine(productID, m)
	ch.length("accountId", r.AccountID, 0, maxShort)
	ch.release(r.ReleaseVersion, r.ReleaseChannel, r.ReleasePlatform, r.ReleasePublishedAt)
	ch.length("key", r.Key, 1, maxShort)
	ch.length("appVersion", r.AppVersion, 0, maxShort)
	ch.leaseDuration(r.LeaseDuration)
	ch.length("email", r.Email, 0, maxShort)
	ch.length("password", r.Password, 0, maxPassword)
	ch.items(r.Metadata, r.MeterAttributes)
	return ch.fields
}

// cachedFor returns the cached activation when it is for key, genuine on this machine and
// passes every rule now. It changes nothing. err is the cache's error, when it could not be read.
func (c *Client) cachedFor(ctx context.Context, key string) (*Activation, bool, error) {
	got, err := c.load(ctx, c.cache.license)
	if err != nil {
		return nil, false, err
	}
	if got.tampered != nil || got.rec.Key != key {
		return nil, false, nil
	}
	now, err := c.checkClock(c.now(), got.rec)
	if err != nil || token.CheckTime(got.claims, now) != nil || c.witnessedExpiry(got.claims) != nil {
		return nil, false, nil
	}
	return activationOf(got.claims, got.rec.Token), true, nil
}

// accept verifies the token of a 2xx answer to a request sent as req says with the increments
// in sent, refuses it when it is stale (checkFresh), and caches it when its state is one the vendor's client keeps (valid, grace over, expired,
// suspended). A 2xx means the server applied the request, so every genuine token comes back as
// an Applied Activation, whatever the error. An answer that is not proven the API's, a body
// that holds no token or a token that does not verify (appliedUnverified), proves nothing
// counted: after a request with increments it wraps ErrOutcomeUnknown and comes with no
// Activation.
func (c *Client) accept(ctx context.Context, body []byte, licenseKey, activationID string, req sending, sent []MeterAttribute, m *fingerprint.Machine, sealKey []byte) (*Activation, error) {
	raw, err := transport.ActivationToken(body)
	if err != nil {
		return nil, unconfirmed(sent, fromTransport(err))
	}
	claims, err := c.verifier.Verify(raw, token.Binding{LicenseKey: licenseKey, Fingerprint: m.Fingerprint})
	if err == nil && activationID != "" && claims.ActivationID != activationID {
		err = fmt.Errorf("%w: issued for another activation", errs.ErrTokenInvalid)
	}
	if err != nil {
		return appliedUnverified(sent, false, err)
	}
	if err := checkFresh(claims, req, sent); err != nil {
		return nil, unconfirmed(sent, err)
	}
	a := activationOf(claims, raw)
	a.Applied, a.Counted = true, counted(sent)
	now := c.now()
	state, stop := c.judge(ctx, claims, now, "")
	if stop != nil {
		return a, stop
	}
	c.vouch(claims, now)
	rec := record.Record{Token: raw, Key: licenseKey, LastSeen: now, Anchors: m.AnchorList()}
	if err := c.cache.save(ctx, c.cache.license, rec, claims, sealKey); err != nil {
		return a, notCached(state, err)
	}
	return a, state
}

// notCached is the error of a verified answer the store did not keep (err), beside its state.
func notCached(state, err error) error {
	if state != nil {
		return fmt.Errorf("%w; %w (%w): %w", state, errs.ErrNotCached, errs.ErrCacheUnavailable, err)
	}
	return fmt.Errorf("%w (%w): %w", errs.ErrNotCached, errs.ErrCacheUnavailable, err)
}

// unconfirmed marks err, the failure to find a token in a 2xx answer, as ErrOutcomeUnknown
// when the request carried increments: the API would have sent one, so the answer may not be
// the API's.
func unconfirmed(sent []MeterAttribute, err error) error {
	if !hasIncrements(sent) {
		return err
	}
	return fmt.Errorf("%w: a 2xx answer came back but cannot be used: %w", errs.ErrOutcomeUnknown, err)
}

// counted returns the increments of sent that are not zero, or nil.
func counted(sent []MeterAttribute) []MeterAttribute {
	var out []MeterAttribute
	for _, m := range sent {
		if m.UsesIncrement != 0 {
			out = append(out, m)
		}
	}
	return out
}
