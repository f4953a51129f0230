package licensing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/token"
)

// Validate checks the cached token offline, against this client's machine: no network.
//
// The checks, in order: the cached record reads back intact (else [ErrNotActivated]); the
// token's algorithm and signature, product and license key ([ErrTokenInvalid]) and fingerprint
// ([ErrFingerprintMismatch]); the record's seal and the clock against the last recorded check
// ([ErrClockRolledBack]); then the server's time rules of [token.CheckTime]. [ErrLeaseExpired]
// drops the cache. [ErrGracePeriodOver], [ErrExpired] and [ErrSuspended] come with the genuine
// *Activation. When the check passes and the clock has moved forward, the recorded time does too.
func (c *Client) Validate(ctx context.Context) (*Activation, error) {
	got, err := c.loadCached(ctx)
	if err != nil {
		return nil, err
	}
	if got.tampered != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrClockRolledBack, got.tampered)
	}
	now := c.now()
	if err := token.CheckRollback(now, got.rec.LastSeen); err != nil {
		return nil, err
	}
	state, stop := c.judge(ctx, got.claims, now)
	if stop != nil {
		return nil, stop
	}
	if now.Sub(got.rec.LastSeen) >= persistEvery {
		c.moveForward(ctx, got, now)
	}
	return activationOf(got.claims, got.rec.Token), state
}

// judge applies the server's time rules. state is nil or one of the states in which the
// token still stands (grace over, expired, suspended); stop is a lease that ended (the cache is
// dropped) or a clock out of sync.
func (c *Client) judge(ctx context.Context, claims *token.Claims, now time.Time) (state, stop error) {
	return c.judgeAs(ctx, c.storeName, claims, now)
}

// judgeAs is judge for the record name: the activation's or the trial's.
func (c *Client) judgeAs(ctx context.Context, name string, claims *token.Claims, now time.Time) (state, stop error) {
	state = token.CheckTime(claims, now)
	switch {
	case errors.Is(state, errs.ErrLeaseExpired):
		c.dropAs(ctx, name, "lease expired")
		return nil, state
	case errors.Is(state, errs.ErrClockOutOfSync):
		return nil, state
	}
	return state, nil
}
