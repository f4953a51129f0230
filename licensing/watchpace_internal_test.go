package licensing

import (
	"fmt"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/token"
)

// TestPaceKeepsTheLastVerifiedActivation: after answers that cannot be used (an unverified
// one's bare Activation, a stale one), Watch backs off no longer than half of the lease left on
// the last verified activation, which they never replace.
func TestPaceKeepsTheLastVerifiedActivation(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	good := &Activation{LeaseExpiresAt: now.Add(10 * time.Second), Claims: &token.Claims{}}
	for name, res := range map[string]struct {
		act *Activation
		err error
	}{
		"unverified": {&Activation{Applied: true}, &UnverifiedError{Err: errs.ErrTokenInvalid}},
		"stale":      {nil, fmt.Errorf("%w: %w", ErrStaleToken, errs.ErrClockOutOfSync)},
		"stale, bad": {nil, fmt.Errorf("%w: %w", ErrStaleToken, errs.ErrBadResponse)},
	} {
		p := pace{last: good}
		for i, want := range []time.Duration{2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
			wait, ok := p.next(res.act, res.err, now)
			if !ok || wait != want || p.last != good {
				t.Errorf("%s, try %d: wait %v (want %v), go on %v, last kept %v", name, i, wait, want, ok, p.last == good)
			}
		}
	}
}
