// Package bootclock reads, from the kernel, this boot's identity and the wall-clock time at
// which it started: the one clock reading a user cannot rewrite in a file.
//
// The kernel counts the time since boot on a clock that nobody can set (Linux's
// CLOCK_BOOTTIME, Windows' tick count, macOS's own boot time). The wall clock minus that count is
// the time the boot started. It stays put while the wall clock runs, and moves back by exactly
// as much as the wall clock is set back, at once, whatever any file says. So a boot start
// earlier than one seen before, in the same boot, is a wall clock set back during that boot.
// Across boots it says less: each boot starts later than the one before, but the clock of a new
// boot comes from the hardware clock, which an administrator sets freely.
//
// Reading it costs one or two system calls and starts no process.
package bootclock

import (
	"sync"
	"time"
)

// Boot is one reading of this boot.
type Boot struct {
	// ID names this boot: Linux's boot_id, macOS's boot session UUID, Windows' boot counter;
	// "" where the OS has none readable. Two readings with the same non-empty ID are of the
	// same boot.
	ID string
	// Start is the wall-clock time at which this boot started, as the wall clock now sees it:
	// now minus the time since boot (sleep included).
	Start time.Time
}

// Read returns this boot's reading, and false where the OS gives none (other systems, or the
// kernel refusing the call).
func Read() (Boot, bool) { return read(true) }

// Reuse is how long a [Reader] derives readings from its last one instead of asking the kernel:
// in between, the wall clock's drift from Go's monotonic clock shows a step back just as well,
// at no system call.
const Reuse = 10 * time.Second

// Reader reads this boot again and again, cheaply: the boot's id once (it cannot change while a
// process runs); the kernel's clock at most once per [Reuse], timed by the monotonic clock, and
// in between the last reading moved by as much as the wall clock drifted from the monotonic
// clock since (a wall clock set back moves the start back at once). The zero value is ready; it
// is safe for concurrent use.
type Reader struct {
	mu     sync.Mutex
	idRead bool
	id     string
	last   Boot
	at     time.Time // time.Now at the last kernel reading, monotonic reading included
}

// Read is [Read] through the reader.
func (r *Reader) Read() (Boot, bool) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.at.IsZero() {
		if mono := now.Sub(r.at); mono >= 0 && mono < Reuse {
			b := r.last
			b.Start = b.Start.Add(now.Round(0).Sub(r.at.Round(0)) - mono)
			return b, true
		}
	}
	b, ok := read(!r.idRead)
	if !ok {
		return Boot{}, false
	}
	if r.idRead {
		b.ID = r.id
	} else {
		r.id, r.idRead = b.ID, true
	}
	r.last, r.at = b, now
	return b, true
}
