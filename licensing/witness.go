package licensing

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/internal/witness"
	"github.com/tollgate-dev/tollgate/token"
)

// newWitness returns the clock witness cfg asks for; see Config.ClockWitnesses.
func newWitness(cfg *Config) *witness.Witness {
	switch {
	case cfg.ClockWitnesses != nil:
		return witness.New(cfg.ClockWitnesses)
	case cfg.Now == nil:
		return witness.NewDefault()
	}
	return nil
}

// checkWitness returns ErrClockRolledBack when now is well before what the OS has already
// written. The files are read at the first check and then every few minutes.
func (c *Client) checkWitness(now time.Time) error {
	latest, path := c.witness.Latest()
	return witness.Check(now, latest, path)
}

// checkClock runs every clock check a cached record faces, now being the wall clock: the
// kernel's boot clock and the newest time this client or rec has recorded (clockGuard.check),
// then the witnesses. It returns the time to judge the record at: now, or later when the boot
// clock shows the wall clock set back a little during this boot.
func (c *Client) checkClock(now time.Time, rec record.Record) (time.Time, error) {
	at, err := c.clock.check(now, rec)
	if err != nil {
		return time.Time{}, err
	}
	if err := c.checkWitness(at); err != nil {
		return time.Time{}, err
	}
	return at, nil
}

// trialTime is the time a trial is judged at: the latest this machine has provably reached,
// the clock (at, from checkClock), the trial's last recorded check and the witnesses' newest file
// time. So an ended trial is not revived by a clock set back within the witnesses' tolerance
// with a forged or restored record, as long as the OS wrote a file after the trial's end. The
// cost: where files are dated ahead by a clock mis-set forward, a trial ends that much early,
// until a sync vouches for the clock (Witness.Vouch sets them aside).
func (c *Client) trialTime(at time.Time, rec record.Record) time.Time {
	latest, _ := c.witness.Latest()
	c.clock.mu.Lock()
	newest := c.clock.newest
	c.clock.mu.Unlock()
	return later(later(later(at, rec.LastSeen), latest), newest)
}

// witnessedExpiry returns ErrExpired when the license's expiry (eat) is earlier than the newest
// time of the witnesses' files: the OS has written a file after the license ended, so the
// license has ended, whatever the clock says now. This holds against a clock held back within
// the witnesses' tolerance with a forged or restored record. The cost is the trial's: files dated
// ahead by a clock mis-set forward end a license that much early, until a sync vouches for the
// clock. Only the expiry is judged so: a lease or a grace period judged early would drop a
// token or lock the user out.
func (c *Client) witnessedExpiry(claims *token.Claims) error {
	latest, path := c.witness.Latest()
	if eat := claims.ExpiresAt; !eat.IsZero() && eat.Before(latest) {
		return fmt.Errorf("%w at %s: this machine has already written files after it (%s)",
			errs.ErrExpired, eat.UTC().Format(time.RFC3339), filepath.Base(path))
	}
	return nil
}

// vouch lets a token the server has just issued vouch for the clock: when its issue time agrees
// with now, files dated further ahead were written under a clock mis-set forward and are ignored
// until the OS writes them again (witness.Witness.Vouch). A clock turned back cannot get this
// far: the fresh token's issue time would be ahead of it, which judge refuses (ErrClockOutOfSync)
// beyond the token's allowed offset, and vouch beyond the rollback tolerance.
func (c *Client) vouch(claims *token.Claims, now time.Time) {
	if d := claims.IssuedAt.Sub(now); d <= record.RollbackTolerance && d >= -record.RollbackTolerance {
		c.witness.Vouch(now)
		c.clock.vouched(now)
	}
}
