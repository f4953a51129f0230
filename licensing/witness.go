package licensing

import (
	"time"

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

// vouch lets a token the server has just issued vouch for the clock: when its issue time agrees
// with now, files dated further ahead were written under a clock mis-set forward and are ignored
// until the OS writes them again (witness.Witness.Vouch). A clock turned back cannot get this
// far: the fresh token's issue time would be ahead of it, which judge refuses (ErrClockOutOfSync)
// beyond the token's allowed offset, and vouch beyond the rollback tolerance.
func (c *Client) vouch(claims *token.Claims, now time.Time) {
	if d := claims.IssuedAt.Sub(now); d <= record.RollbackTolerance && d >= -record.RollbackTolerance {
		c.witness.Vouch(now)
	}
}
