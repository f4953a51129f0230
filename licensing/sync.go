package licensing

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
)

// Sync is [Client.UpdateActivation] for the cached activation: its id, and its key when u.Key is
// "". It renews a lapsed floating lease too, taking a seat again if the server released it.
// With nothing cached it sends nothing and [NeedsActivation] is true for its error. A lapsed
// named-user lease cannot be renewed without the user's password, which is never kept: the
// server's AUTHENTICATION_FAILED then comes wrapped in [ErrSignedOut] and the lease stays
// remembered; sign the user in and [Session.Activate] the license. A non-nil
// *Activation means the server applied the request, whatever the error.
func (c *Client) Sync(ctx context.Context, u Update) (*Activation, error) {
	r, err := c.remembered(ctx)
	if err != nil {
		return nil, err
	}
	if u.Key == "" {
		u.Key = r.key
	}
	act, err := c.UpdateActivation(ctx, r.id, u)
	if r.act != nil || u.Key != r.key || !errors.Is(err, errs.ErrActivationNotFound) {
		return act, err
	}
	// The lease had lapsed, and the server released the activation (UpdateActivation dropped
	// the cache on its 404): take a seat again with the remembered key.
	act, err = c.Activate(ctx, ActivationRequest{Key: r.key, AccountID: u.AccountID, LeaseDuration: u.LeaseDuration,
		ReleaseVersion: u.ReleaseVersion,
		ReleaseChannel: u.ReleaseChannel, ReleasePlatform: u.ReleasePlatform, ReleasePublishedAt: u.ReleasePublishedAt,
		Metadata: u.Metadata, MeterAttributes: u.MeterAttributes})
	// A named-user license wants the user's credentials, which are never kept: the user signs in
	// again and Session.Activate renews the lease. Its key is no less valid meanwhile.
	signIn := errors.Is(err, ErrAuthenticationFailed)
	if err != nil && (signIn || StateOf(err) != StateNeedsLicense) { // no seat, no answer, or one that did not verify: keep the key
		if _, sealKey, err := c.fingerprint(ctx); err == nil {
			c.cache.keepLapsed(ctx, record.Lapsed{ID: r.id, Key: r.key, Anchors: c.anchors()}, sealKey)
		}
	}
	if signIn {
		err = fmt.Errorf("%w: the license requires the user's sign-in; the lapsed lease is kept: %w", ErrSignedOut, err)
	}
	return act, err
}

// memory is what the cache remembers of the activation: its id and license key, and, while
// its token is cached, the verified Activation.
type memory struct {
	id, key string
	act     *Activation // nil after a lease lapsed
}

// remembered returns what the cache remembers. Nothing cached is [ErrNotActivated]; a token
// that fails verification gives its error.
func (c *Client) remembered(ctx context.Context) (memory, error) {
	got, err := c.load(ctx, c.cache.license)
	switch {
	case got != nil && got.lapsed != nil:
		return memory{id: got.lapsed.ID, key: got.lapsed.Key}, nil
	case err != nil:
		return memory{}, err
	}
	return memory{id: got.claims.ActivationID, key: got.rec.Key, act: activationOf(got.claims, got.rec.Token)}, nil
}

// heldSecrets is what a request must redact even when it does not send it: the license key this
// client remembers, if any. A trial request carries no key, yet a server that knows this
// machine's license could still echo it. Nothing remembered (or a store that cannot be read)
// gives nil.
func (c *Client) heldSecrets(ctx context.Context) []string {
	r, err := c.remembered(ctx)
	if err != nil || r.key == "" {
		return nil
	}
	return []string{r.key}
}
