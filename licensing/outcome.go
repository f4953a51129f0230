package licensing

import (
	"context"
	"fmt"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// CheckApplied settles an [ErrOutcomeUnknown] after u: it syncs without u's increments and
// compares the meter uses with before's (nil: the cached activation's), reporting whether the
// server applied u. act and err are the sync's, as [Client.Sync] returns them. Counts that fit
// neither outcome (another process metering) give false and an [ErrOutcomeUnknown].
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
	if act.Claims == nil { // applied, but its token did not verify: no counts to compare
		return false, act, fmt.Errorf("%w: the check's answer could not be verified: %w", errs.ErrOutcomeUnknown, err)
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
