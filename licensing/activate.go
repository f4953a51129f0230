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

// ActivationRequest is what [Client.Activate] sends to activate this machine, with the
// machine's signals.
//
// The release fields are the update's ([Update]), sent and checked by the same rules.
// AppVersion is a different field: the API notes list "appVersion" for POST /v3/activations,
// and the activation object (see the activation.updated webhook of the reference page) carries
// appVersion and releaseVersion side by side, appVersion with no documented format. So
// AppVersion is a free-form label, sent as given ("3.1.0-beta (build 42)" is fine), and only its
// length is checked (at most 256 characters, the page's limit for such strings: inferred, not
// documented). What the server compares releases by is ReleaseVersion, which must be x.x,
// x.x.x or x.x.x.x; [ReleaseVersionOf] turns a semantic version such as "v3.1.0-beta" into one.
type ActivationRequest struct {
	Key                string           // required: the license key
	AppVersion         string           // "" = not sent; free-form, at most 256 characters
	ReleaseVersion     string           // "" = not sent; else x.x, x.x.x or x.x.x.x
	ReleaseChannel     string           // "" = not sent
	ReleasePlatform    string           // "" = not sent
	ReleasePublishedAt time.Time        // zero = not sent; sent as RFC 3339 UTC
	Metadata           []Metadata       // nil = not sent
	MeterAttributes    []MeterAttribute // nil = not sent; increments make the request unrepeatable

	// AllowUncached sends the request even when the cache cannot be read now
	// ([ErrCacheUnavailable]). Without it Activate returns that error before sending anything,
	// since it cannot tell whether this machine is already activated, nor, likely, remember a
	// seat it spends. With it, a token that cannot be saved comes with [ErrNotCached].
	AllowUncached bool
}

// Activate activates this machine for the license r.Key: POST /v3/activations with the key and
// the machine's signals. On 201 it verifies and caches the token exactly as UpdateActivation
// does, and returns the Activation, whose ID later calls use.
//
// A machine already activated for this product and key is not activated again: when the cache
// holds a token for r.Key that verifies on this machine and passes every time rule, Activate
// returns it without a request (its Applied is false). An expired, suspended or otherwise stale
// cached token does not count, nor does a lapsed lease; the request is sent.
//
// Applied: as for UpdateActivation, the server applied the request exactly when the returned
// *Activation has Applied set, whatever the error. In particular, activating with an expired or
// suspended license takes a seat on the server and returns [ErrExpired] or [ErrSuspended] with
// the Applied Activation (cached, so Deactivate can free the seat). With a nil *Activation the
// request was not applied, except with [ErrOutcomeUnknown] (it carried increments), which
// means it may have been.
//
// The request is checked like an update, every problem at once, before anything is sent. When
// the cache cannot be read now, Activate returns [ErrCacheUnavailable] before sending anything,
// unless r.AllowUncached is set.
func (c *Client) Activate(ctx context.Context, r ActivationRequest) (*Activation, error) {
	m, sealKey, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	ch := checker{}
	ch.machine(c.cfg.ProductID, &m)
	ch.release(r.ReleaseVersion, r.ReleaseChannel, r.ReleasePlatform, r.ReleasePublishedAt)
	ch.length("key", r.Key, 1, maxShort)
	ch.length("appVersion", r.AppVersion, 0, maxShort)
	ch.items(r.Metadata, r.MeterAttributes)
	if len(ch.fields) > 0 {
		return nil, &ValidationError{Fields: ch.fields}
	}
	a, ok, err := c.cachedFor(ctx, r.Key)
	if ok {
		return a, nil
	}
	if errors.Is(err, ErrCacheUnavailable) && !r.AllowUncached {
		return nil, fmt.Errorf("licensing: activate: nothing sent: %w", err)
	}
	body := activateBody(c.cfg.ProductID, &m, &r)
	resp, err := c.http.Do(ctx, transport.Request{
		Method: http.MethodPost, Path: "/v3/activations", Body: body, Unrepeatable: hasIncrements(r.MeterAttributes),
		Secrets: []string{r.Key},
	})
	if err != nil {
		return nil, err
	}
	return c.accept(ctx, resp.Body, r.Key, "", r.MeterAttributes, &m, sealKey)
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
	now := c.now()
	if record.CheckRollback(now, got.rec.LastSeen) != nil || c.checkWitness(now) != nil || token.CheckTime(got.claims, now) != nil {
		return nil, false, nil
	}
	return activationOf(got.claims, got.rec.Token), true, nil
}

// accept verifies the token of a 2xx answer to a request that sent the increments in sent,
// and caches it when its state is one the vendor's client keeps (valid, grace over, expired,
// suspended). A 2xx means the server applied the request, so every genuine token comes back as
// an Applied Activation, whatever the error; an answer that cannot be verified after a metered
// request wraps ErrOutcomeUnknown, since the app cannot tell whether the server counted it.
func (c *Client) accept(ctx context.Context, body []byte, licenseKey, activationID string, sent []MeterAttribute, m *fingerprint.Machine, sealKey []byte) (*Activation, error) {
	raw, err := transport.ActivationToken(body)
	if err != nil {
		return nil, unconfirmed(sent, fromTransport(err))
	}
	claims, err := c.verifier.Verify(raw, token.Binding{LicenseKey: licenseKey, Fingerprint: m.Fingerprint})
	if err != nil {
		return nil, unconfirmed(sent, err)
	}
	if activationID != "" && claims.ActivationID != activationID {
		return nil, unconfirmed(sent, fmt.Errorf("%w: issued for another activation", errs.ErrTokenInvalid))
	}
	a := activationOf(claims, raw)
	a.Applied, a.Counted = true, counted(sent)
	now := c.now()
	state, stop := c.judge(ctx, claims, now, "")
	if stop != nil {
		return a, stop
	}
	c.vouch(claims, now)
	rec := record.Record{Token: raw, Key: licenseKey, LastSeen: now}
	if err := c.cache.save(ctx, c.cache.license, rec, claims, sealKey); err != nil {
		if state != nil {
			return a, fmt.Errorf("%w; %w (%w): %w", state, errs.ErrNotCached, errs.ErrCacheUnavailable, err)
		}
		return a, fmt.Errorf("%w (%w): %w", errs.ErrNotCached, errs.ErrCacheUnavailable, err)
	}
	return a, state
}

// unconfirmed marks err, the failure to read a 2xx answer, as ErrOutcomeUnknown when the
// request carried increments: a genuine server applied it, but the answer cannot prove it came
// from one.
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
