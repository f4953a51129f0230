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

// Validate checks the cached token offline, against this client's machine: no network.
//
// The checks, in order: the cached record reads back intact (else [ErrNotActivated]); the
// token's algorithm and signature, product and license key ([ErrTokenInvalid]) and fingerprint
// ([ErrFingerprintMismatch]); the record's seal and the clock against the last recorded check
// and against the newest time of the OS's own files ([ErrClockRolledBack], see
// [Config.ClockWitnesses]); then the server's time rules of [token.CheckTime]. [ErrLeaseExpired]
// drops the token but keeps the activation id and license key, so that [Client.Sync] or
// [Client.Watch] renews the lease when online; Validate returns ErrLeaseExpired until then.
//
// Applied: Validate sends nothing, so nothing is applied; the returned *Activation has Applied
// false. [ErrGracePeriodOver], [ErrExpired] and [ErrSuspended] come with the genuine
// *Activation. When the check passes and the clock has moved forward, the recorded time does too.
//
// A client remembers the record it verified (or wrote) last: when the stored record is
// byte-for-byte that one, its claims are reused without a second RSA verification or decoding,
// and the fingerprint binding, the anti-rollback check and the time rules still run. Any other
// record, including a tampered one, is verified afresh. The first Validate in a process costs one
// verification; the next ones cost a store read and the rules.
func (c *Client) Validate(ctx context.Context) (*Activation, error) {
	got, now, err := c.loadChecked(ctx, c.cache.license)
	if err != nil {
		return nil, err
	}
	state, stop := c.judge(ctx, got.claims, now, got.stored)
	if stop != nil {
		return nil, stop
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
			c.cache.lapse(ctx, record.Lapsed{ID: claims.ActivationID, Key: claims.Key.Reveal()}, sealKey, ifStored)
		}
		return nil, state
	case errors.Is(state, errs.ErrClockOutOfSync):
		return nil, state
	}
	return state, nil
}

// loadChecked loads the record of s and runs the checks that come before the time rules, for an
// activation and a trial alike: a record whose seal does not hold, a clock set back past the
// recorded time, and a clock earlier than the OS's own files. It returns the record and the
// time it was judged at.
func (c *Client) loadChecked(ctx context.Context, s slot) (*cached, time.Time, error) {
	got, err := c.load(ctx, s)
	if err != nil {
		return nil, time.Time{}, err
	}
	if got.tampered != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %w", errs.ErrClockRolledBack, got.tampered)
	}
	now := c.now()
	if err := record.CheckRollback(now, got.rec.LastSeen); err != nil {
		return nil, time.Time{}, err
	}
	if err := c.checkWitness(now); err != nil {
		return nil, time.Time{}, err
	}
	return got, now, nil
}
