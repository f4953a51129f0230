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

// BootJitter is how far a boot's start may move back without counting as the clock set back:
// the time sync slews and steps the wall clock by fractions of a second to a few seconds, and
// records keep whole seconds.
const BootJitter = 10 * time.Second

// BootSetBack returns how far the wall clock was set back during one boot since the check rec
// records, by the kernel's boot clock: the boot (id) is rec's and its start, read now, is earlier
// than rec's by more than BootJitter. It is zero otherwise: another boot, a boot without an id,
// or a record without a boot.
func BootSetBack(rec Record, id string, start time.Time) time.Duration {
	if id == "" || rec.Boot != id || rec.BootStart.IsZero() || start.IsZero() {
		return 0
	}
	if d := rec.BootStart.Sub(start); d > BootJitter {
		return d
	}
	return 0
}
