package licensing

import (
	"context"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/transport"
)

// Update is what the caller asks PATCH /v3/activations/{id} to change.
//
// In a PATCH an absent field means "leave unchanged", so every optional field has a value that
// means "not sent", documented beside it. The machine's signals come from the client (see
// [Config.Machine]) and the product id from [Config.ProductID].
type Update struct {
	Key                      string           // required (the license key)
	AccountID                string           // always sent, "" included
	UserID                   string           // "" = not sent
	ReleaseVersion           string           // "" = not sent; else x.x, x.x.x or x.x.x.x
	ReleaseChannel           string           // "" = not sent
	ReleasePlatform          string           // "" = not sent
	ReleasePublishedAt       time.Time        // zero = not sent; sent as RFC 3339 UTC
	LeaseDuration            *int64           // nil = not sent; -1 and 0 = unlimited
	Metadata                 []Metadata       // nil = not sent; an empty non-nil slice is sent as []
	MeterAttributes          []MeterAttribute // nil = not sent; an empty non-nil slice is sent as []
	DeviceID                 string           // "" = not sent; a UUID
	DeviceChallenge          string           // "" = not sent
	DeviceChallengeSignature string           // "" = not sent
}

// Metadata is one key/value pair attached to an activation.
type Metadata struct{ Key, Value string }

// MeterAttribute adds UsesIncrement (which may be negative) to the uses of the meter Name.
//
// A request that carries meter attributes is never repeated once it may have reached the server;
// see [ErrOutcomeUnknown].
type MeterAttribute struct {
	Name          string
	UsesIncrement int64
}

// Int64 returns a pointer to v, for [Update.LeaseDuration].
func Int64(v int64) *int64 { return &v }

// hasIncrements reports whether sending u twice could count meter uses twice.
func (u *Update) hasIncrements() bool { return hasIncrements(u.MeterAttributes) }

func hasIncrements(ma []MeterAttribute) bool {
	for _, m := range ma {
		if m.UsesIncrement != 0 {
			return true
		}
	}
	return false
}

// UpdateActivation validates u with the machine's signals, sends PATCH /v3/activations/{id},
// verifies the returned token offline (signature, product, key, and the fingerprint that was
// sent), caches it, and returns what it says. u.Key "" means the license key of the cached
// activation (see [Client.Sync], which also supplies the id); with nothing cached it stays
// required.
//
// Every problem with the request is reported at once, as a *[ValidationError], before anything
// is sent. A request whose meter attributes carry increments is never repeated once it may have
// reached the server: such a failure wraps [ErrOutcomeUnknown].
//
// Applied: the server applied the request, and counted its increments, exactly when the
// returned *Activation is non-nil; its Applied is then true and Counted lists the increments.
// That holds whatever the error: [ErrExpired], [ErrSuspended] and [ErrGracePeriodOver] (the
// license's state, read from the new token, which is cached), [ErrNotCached] (the store failed),
// [ErrClockOutOfSync] and [ErrLeaseExpired] (the new token is genuine but cannot be used now;
// it is not cached) all come with it. With a nil *Activation no increment was counted, except
// with [ErrOutcomeUnknown], which means they may have been: see its recipe. (A request without
// increments whose 2xx answer could not be verified may have been applied; it is safe to send
// again.)
//
// The cached token is dropped on 404 and on the server codes after which the vendor's client
// drops it (revoked, invalid key, fingerprint, VM, country, IP, product, license type); it is kept
// on rate limits, limit errors, 5xx and network failures, so the app keeps working offline.
// A token that fails verification is never cached. RELIABILITY.md lists the outcome of every
// fault.
func (c *Client) UpdateActivation(ctx context.Context, activationID string, u Update) (*Activation, error) {
	m, sealKey, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	if u.Key == "" {
		r, err := c.remembered(ctx)
		if StateOf(err) == StateCacheUnavailable { // a key may well be cached: do not ask for one
			return nil, err
		}
		u.Key = r.key // "" when nothing is remembered: validation reports it
	}
	fields := validateActivationID(nil, activationID)
	fields = validateUpdate(fields, c.cfg.ProductID, &m, &u)
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	body := updateBody(c.cfg.ProductID, &m, &u)
	resp, err := c.http.Do(ctx, transport.Request{
		Method: http.MethodPatch, Path: activationPath(activationID), Body: body, Unrepeatable: u.hasIncrements(),
		Secrets: []string{u.Key, u.DeviceChallengeSignature},
	})
	if err != nil {
		if apiErr, ok := dropsToken(err); ok {
			c.cache.drop(ctx, c.cache.license, "the server answered "+apiErr.Error())
		}
		return nil, err
	}
	return c.accept(ctx, resp.Body, u.Key, activationID, u.MeterAttributes, &m, sealKey)
}
