package record

import (
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// RollbackTolerance is how far the clock may go back behind the last recorded check before
// ErrClockRolledBack: the vendor's client uses 3800 s.
const RollbackTolerance = 3800 * time.Second

// CheckRollback reports ErrClockRolledBack when now is more than RollbackTolerance before
// lastSeen, the time of the last successful check.
func CheckRollback(now, lastSeen time.Time) error {
	if !lastSeen.IsZero() && lastSeen.Sub(now) > RollbackTolerance {
		return fmt.Errorf("%w: the clock is %s behind the last recorded check",
			errs.ErrClockRolledBack, lastSeen.Sub(now).Round(time.Second))
	}
	return nil
}
