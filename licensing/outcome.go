package licensing

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// CheckApplied settles an [ErrOutcomeUnknown]: it tells whether the server applied u, an update
// of the cached activation whose answer was lost, without sending u's increments again.
//
// It syncs the cached activation with u minus its meter attributes (safe to repeat; the other
// fields are sent as in u, so accountId does not change) and compares this activation's uses
// of each meter u incremented with before's: before's uses plus the increment means applied,
// before's uses unchanged means not applied (the app may send u again). before is the
// *Activation the app held when it sent u; nil means the cached one, which is the last answer
// this machine cached. applied is false with an error wrapping ErrOutcomeUnknown when the
// counts fit neither (another process metered the same activation meanwhile), and with the
// sync's error when the sync itself failed.
//
// act is the fresh activation and err the sync's error, as [Client.Sync] returns them: an
// expired license, say, gives applied, act and [ErrExpired] together.
func (c *Client) CheckApplied(ctx context.Context, before *Activation, u Update) (applied bool, act *Activation, err error) {
	sent := counted(u.MeterAttributes)
	if before == nil {
		r, err := c.remembered(ctx)
		if err != nil {
			return false, nil, err
		}
		if r.act == nil {
			return false, nil, fmt.Errorf("%w: the cached activation holds no meter counts to compare with", errs.ErrOutcomeUnknown)
		}
		before = r.act
	}
	u.MeterAttributes = nil
	act, err = c.Sync(ctx, u)
	if act == nil {
		return false, nil, err
	}
	applied, notApplied := true, true
	for _, m := range sent {
		_, was, _ := before.Meter(m.Name)
		_, now, _ := act.Meter(m.Name)
		applied = applied && now == max(0, was+m.UsesIncrement)
		notApplied = notApplied && now == was
	}
	switch {
	case applied && !notApplied, notApplied && !applied:
		return applied, act, err
	case len(sent) == 0:
		return false, act, err // nothing was to be counted
	}
	return false, act, fmt.Errorf("%w: the meter counts fit neither outcome (another process metering meanwhile?)", errs.ErrOutcomeUnknown)
}
