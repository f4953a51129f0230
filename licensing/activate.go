package licensing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

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
// x.x.x or x.x.x.x; releaseversion.Of turns a semantic version such as "v3.1.0-beta" into one.
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
	got, err := c.loadCached(ctx)
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

// Deactivate frees this machine's seat: POST /v3/activations/{id}/deactivate for the cached
// activation, with the body the API notes give (productId, accountId, fingerprint, userHash,
// os). On success it drops the cached token and its time record.
//
// Applied: nil means the seat is free. With nothing cached it returns [ErrNotActivated] and
// sends nothing; after a lapsed lease it deactivates the activation the lapsed record
// remembers. Any other error means the server did not deactivate it (or, after a network
// failure, may not have: deactivating is safe to repeat). A 404 means the activation is already
// gone on the server: the cache is dropped and Deactivate returns nil, since the machine is then
// deactivated as asked. 409 DEACTIVATION_LIMIT_REACHED matches [ErrDeactivationLimitReached]
// and keeps the cache, as do network and server errors.
func (c *Client) Deactivate(ctx context.Context) error {
	m, err := c.Machine(ctx)
	if err != nil {
		return err
	}
	// The token says which activation this is; it must be genuine and this machine's. After a
	// lease lapsed, the id the lapsed record remembers is used.
	r, err := c.remembered(ctx)
	if err != nil {
		return err
	}
	b := deactivateBody(c.cfg.ProductID, &m)
	// The body holds no key, but the server knows it, and the token, and may echo them.
	secrets := []string{r.key}
	if r.act != nil {
		secrets = append(secrets, r.act.Token.Reveal())
	}
	_, err = c.http.Do(ctx, transport.Request{Method: http.MethodPost, Path: activationPath(r.id) + "/deactivate", Body: b,
		Secrets: secrets})
	var apiErr *APIError
	switch {
	case err == nil, errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		if derr := c.ClearCache(ctx); derr != nil {
			return derr
		}
		return nil
	}
	if apiErr, ok := dropsToken(err); ok {
		c.drop(ctx, "the server answered "+apiErr.Error())
	}
	return err
}
