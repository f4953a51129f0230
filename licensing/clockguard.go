package licensing

import (
	"fmt"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/internal/bootclock"
	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
)

// clockGuard keeps, in this client's memory where no file can roll it back, what the client has
// learnt of time:
//
//   - the kernel's boot clock (internal/bootclock): the latest start of this boot seen. A start
//     that moves back is the wall clock set back during this boot, whatever the cached record
//     or the witness files say;
//   - the newest time a check was judged at or a record was written with, kept when the store
//     refuses the write (a read-only folder must not freeze the last-seen time).
//
// A record carries the boot's start too (record.Record.Boot), so that a later process of the
// same boot compares with it; that copy is only as good as the record, which its owner can
// rewrite. docs/THREAT-MODEL.md says what each part stops.
type clockGuard struct {
	boot func() (bootclock.Boot, bool) // nil: no boot clock (Config.Now is the caller's clock)

	mu      sync.Mutex
	bootRef bootclock.Boot // the latest start seen of this boot; zero = none yet
	newest  time.Time      // the newest time judged at or recorded
}

func newClockGuard(cfg *Config) *clockGuard {
	g := &clockGuard{}
	if cfg.Now == nil {
		g.boot = new(bootclock.Reader).Read
	}
	return g
}

// check returns the time at which a check that found rec cached is judged, now by the wall
// clock: now, or later when the boot clock shows the wall clock set back during this boot by
// less than record.RollbackTolerance. It returns ErrClockRolledBack when the wall clock was set
// back during this boot by more than that, or is more than that behind the newest time this
// client has recorded (in memory) or rec records.
func (g *clockGuard) check(now time.Time, rec record.Record) (time.Time, error) {
	at := now
	if b, ok := g.readBoot(); ok {
		g.mu.Lock()
		back := record.BootSetBack(rec, b.ID, b.Start)
		if ref := g.bootRef; !ref.Start.IsZero() && ref.ID == b.ID {
			// This process has been in this boot all along, id or not.
			if d := ref.Start.Sub(b.Start); d > record.BootJitter {
				back = max(back, d)
			}
		}
		if g.bootRef.ID != b.ID || b.Start.After(g.bootRef.Start) {
			g.bootRef = b
		}
		if b.ID != "" && rec.Boot == b.ID && rec.BootStart.After(g.bootRef.Start) {
			g.bootRef.Start = rec.BootStart // keep the record's evidence for the next write
		}
		g.mu.Unlock()
		if back > record.RollbackTolerance {
			return time.Time{}, fmt.Errorf("%w: the wall clock was set back %s during this boot (the kernel's boot clock)",
				errs.ErrClockRolledBack, back.Round(time.Second))
		}
		at = now.Add(back)
	}
	g.mu.Lock()
	newest := later(g.newest, rec.LastSeen)
	g.mu.Unlock()
	if err := record.CheckRollback(at, newest); err != nil {
		return time.Time{}, err
	}
	g.saw(at)
	return at, nil
}

// readBoot reads the boot clock, if there is one.
func (g *clockGuard) readBoot() (bootclock.Boot, bool) {
	if g == nil || g.boot == nil {
		return bootclock.Boot{}, false
	}
	return g.boot()
}

// saw keeps t as the newest time this client has reached, if it is.
func (g *clockGuard) saw(t time.Time) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.newest = later(g.newest, t)
}

// stamp sets rec's boot to the boot clock's latest start of this boot, and keeps rec's time as
// the newest reached: called for every record written, before the store is asked.
func (g *clockGuard) stamp(rec *record.Record) {
	if g == nil {
		return
	}
	g.saw(rec.LastSeen)
	g.mu.Lock()
	ref := g.bootRef
	g.mu.Unlock()
	if ref.Start.IsZero() {
		b, ok := g.readBoot()
		if !ok {
			return
		}
		g.mu.Lock()
		g.bootRef, ref = b, b
		g.mu.Unlock()
	}
	if len(ref.ID) <= record.MaxBootID {
		rec.Boot, rec.BootStart = ref.ID, ref.Start
	}
}

// vouched is told that the server has just vouched for now (see Client.vouch): the wall clock
// as it is now is right, so the boot's start now and now itself become the references, even if
// earlier ones were ahead (a clock mis-set forward and corrected).
func (g *clockGuard) vouched(now time.Time) {
	if g == nil {
		return
	}
	b, ok := g.readBoot()
	g.mu.Lock()
	defer g.mu.Unlock()
	if ok {
		g.bootRef = b
	}
	g.newest = now
}
