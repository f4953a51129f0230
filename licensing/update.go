package licensing

import (
	"context"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/transport"
)

// Update is what [Client.UpdateActivation] asks PATCH /v3/activations/{id} to change. Each
// optional field has a value that means "not sent" (left unchanged), given beside it; Key ""
// means the cached activation's key.
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

// MeterAttribute adds UsesIncrement (which may be negative) to the uses of the meter Name. A
// request with increments is never sent twice; see [ErrOutcomeUnknown].
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

// UpdateActivation checks u, sends PATCH /v3/activations/{id} with the machine's signals,
// verifies and caches the returned token, and returns what it says. u.Key "" means the cached
// activation's key. Every problem with u comes at once as a [*ValidationError], before sending.
// The server applied the request exactly when the *Activation is non-nil (Applied set, Counted
// the increments), whatever the error: [ErrExpired], [ErrSuspended], [ErrGracePeriodOver],
// [ErrNotCached], [ErrClockOutOfSync], [ErrLeaseExpired] and [ErrUnverified] without increments come with one. With nil, nothing was
// applied, except after [ErrOutcomeUnknown]: never resend it blindly. The cached token is dropped
// on 404 and on codes that end the license when activationID and u.Key are the cached
// activation's; it is kept on network, 5xx and limit errors, and on any answer about another
// activation or key.
func (c *Client) UpdateActivation(ctx context.Context, activationID string, u Update) (*Activation, error) {
	m, sealKey, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	if u.Key == "" {
		r, err := c.remembered(ctx)
		if err != nil && !NeedsActivation(err) { // a key may well be cached (the cache cannot be read now, ctx ended)
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
	req := c.beforeSend(ctx, c.cache.license, m.Fingerprint, sealKey)
	resp, err := c.http.Do(ctx, transport.Request{
		Method: http.MethodPatch, Path: activationPath(activationID), Body: body, Unrepeatable: u.hasIncrements(),
		Secrets: []string{u.Key, u.DeviceChallengeSignature},
	})
	if err != nil {
		if apiErr, ok := dropsToken(err); ok {
			// The answer is about activationID and u.Key: it ends the cached activation only
			// when that is the one asked about.
			if r, _ := c.remembered(ctx); r.id == activationID && r.key == u.Key {
				c.cache.drop(ctx, c.cache.license, "the server answered "+apiErr.Error())
			}
		}
		return nil, err
	}
	return c.accept(ctx, resp.Body, u.Key, activationID, req, u.MeterAttributes, &m, sealKey)
}
