package licensing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/token"
)

// Validate checks the cached token offline, against this machine: signature, product, key,
// fingerprint, the clock ([ErrClockRolledBack]), then the server's time rules. Nothing cached is
// [ErrNotActivated]. [ErrGracePeriodOver], [ErrExpired] and [ErrSuspended] come with the genuine
// *Activation; [ErrLeaseExpired] keeps the key for [Client.Sync]. Repeated calls reuse the
// verified token while the cache holds the same bytes.
func (c *Client) Validate(ctx context.Context) (*Activation, error) {
	got, now, err := c.loadChecked(ctx, c.cache.license)
	if err != nil {
		return nil, err
	}
	state, stop := c.judge(ctx, got.claims, now, got.stored)
	if stop != nil {
		return nil, stop
	}
	if state == nil {
		state = c.witnessedExpiry(got.claims)
	}
	if now.Sub(got.rec.LastSeen) >= persistEvery {
		c.cache.moveForward(ctx, got, now)
	}
	return activationOf(got.claims, got.rec.Token), state
}

// judge applies the server's time rules. state is nil or one of the states in which the
// token still stands (grace over, expired, suspended); stop is a lease that ended (the token
// is dropped, its id and key kept: see lapse, which gets ifStored) or a clock out of sync.
func (c *Client) judge(ctx context.Context, claims *token.Claims, now time.Time, ifStored string) (state, stop error) {
	state = token.CheckTime(claims, now)
	switch {
	case errors.Is(state, errs.ErrLeaseExpired):
		if _, sealKey, err := c.fingerprint(ctx); err == nil {
			c.cache.lapse(ctx, record.Lapsed{ID: claims.ActivationID, Key: claims.Key.Reveal(), Anchors: c.anchors()}, sealKey, ifStored)
		}
		return nil, state
	case errors.Is(state, errs.ErrClockOutOfSync):
		return nil, state
	}
	return state, nil
}

// loadChecked loads the record of s and runs the checks that come before the time rules, for an
// activation and a trial alike: a record whose seal does not hold, a clock set back past the
// recorded time or the kernel's boot clock, and a clock earlier than the OS's own files (see
// checkClock). It returns the record and the time it is judged at.
func (c *Client) loadChecked(ctx context.Context, s slot) (*cached, time.Time, error) {
	got, err := c.load(ctx, s)
	if err != nil {
		return nil, time.Time{}, err
	}
	if got.tampered != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %w", errs.ErrClockRolledBack, got.tampered)
	}
	now, err := c.checkClock(c.now(), got.rec)
	if err != nil {
		return nil, time.Time{}, err
	}
	return got, now, nil
}
