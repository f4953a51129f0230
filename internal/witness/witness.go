package witness

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// Refresh is how long a [Witness] reuses a reading: long enough that a repeated
// Validate costs nothing, short enough that a clock turned back while the app runs is seen
// within minutes.
const Refresh = 3 * time.Minute

// Tolerance is how far the clock may be behind a witness's newest time before
// [Check] says ErrClockRolledBack: 15 hours. The OS writes its files with whatever clock it
// has, and one honest clock is off by hours: a hardware clock kept in local time (common where
// Windows is installed beside Linux) reads as UTC from boot until the time sync corrects it.
// UTC offsets in use run from -12:00 to +14:00, so such a clock is at most 14 hours ahead, and
// the files written meanwhile must not count as a rollback. An hour more covers a change to or
// from daylight saving time between the two boots and the vendor's own rollback allowance
// (record.RollbackTolerance, 3800 s). Anything wider only gives a rollback room; the earlier
// 26 hours let a clock held a day back pass every check.
const Tolerance = 15 * time.Hour

// Witness reads the newest modification time among files this machine's OS keeps writing
// (see [DefaultPaths]): a time this machine has provably reached. The record of the last
// check is a file a local user can rewrite, seal and all; these files are the OS's, written with
// the clock of their day, and a user can push them forward but not back. So "the clock is earlier
// than what this machine has already written" holds even when the record was forged.
//
// A reading stats each path once (no file is opened or read) and is kept for [Refresh],
// timed by the monotonic clock. Paths that cannot be stat'ed are skipped; those that do not exist
// at the first reading are not tried again. It is safe for concurrent use; the zero value and
// nil witness nothing.
type Witness struct {
	paths   []string
	refresh time.Duration
	mono    func() time.Time // times refreshes; time.Now's monotonic reading

	mu        sync.Mutex
	readAt    time.Time // mono time of the last reading; zero = never read
	latest    time.Time
	latestOf  string               // the path whose time is latest
	misdated  map[string]time.Time // path → modification time shown false by the server; see Vouch
	expanders []func() []string    // paths found at the first reading (such as a journal's)
}

// New returns a witness of paths. Nothing is read until [Witness.Latest].
func New(paths []string) *Witness {
	return &Witness{paths: append([]string(nil), paths...), refresh: Refresh, mono: time.Now}
}

// NewDefault returns a witness of [DefaultPaths], plus the files found at its
// first reading that have no fixed path (on Linux, this machine's systemd journal). Nothing is
// read until [Witness.Latest].
func NewDefault() *Witness {
	w := New(DefaultPaths())
	w.expanders = witnessExpanders()
	return w
}

// Latest returns the newest modification time among the witness's files, and the path that has
// it; the zero time when none could be read. It reads the files at the first call and then at
// most once per [Refresh].
func (w *Witness) Latest() (time.Time, string) {
	if w == nil {
		return time.Time{}, ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if now := w.monoNow(); w.readAt.IsZero() || now.Sub(w.readAt) >= w.refresh {
		w.read()
		w.readAt = now
	}
	return w.latest, w.latestOf
}

// read takes a reading; w.mu is held.
func (w *Witness) read() { w.readVouched(time.Time{}, false) }

// readVouched takes a reading; w.mu is held. With vouch, a file dated more than
// [Tolerance] after now is set aside as misdated (see [Witness.Vouch]).
func (w *Witness) readVouched(now time.Time, vouch bool) {
	if w.expanders != nil {
		for _, x := range w.expanders {
			w.paths = append(w.paths, x()...)
		}
		w.expanders = nil
	}
	first := w.readAt.IsZero()
	w.latest, w.latestOf = time.Time{}, ""
	kept := w.paths[:0]
	for _, p := range w.paths {
		fi, err := os.Stat(p)
		if first && errors.Is(err, fs.ErrNotExist) {
			continue // not on this machine: not stat'ed again by this witness
		}
		kept = append(kept, p)
		if err != nil {
			continue
		}
		t := fi.ModTime()
		if vouch && t.Sub(now) > Tolerance {
			if w.misdated == nil {
				w.misdated = map[string]time.Time{}
			}
			w.misdated[p] = t
		}
		if m, ok := w.misdated[p]; ok {
			if t.Equal(m) {
				continue // still the time the server showed false
			}
			delete(w.misdated, p) // rewritten since: a witness again
		}
		if t.After(w.latest) {
			w.latest, w.latestOf = t, p
		}
	}
	w.paths = kept
}

// Vouch tells the witness that now is right: the server has just issued a token whose issue time
// agrees with it. Files dated more than [Tolerance] after now were written under a clock
// set wrongly ahead (and since corrected); until the OS writes each of them again, this witness
// ignores them.
//
// This is how a clock that was mis-set forward and then corrected stops locking the user out:
// the next online sync vouches for the corrected clock. It holds in memory for this witness (this
// client) only, since a note on disk is what a local user could forge; after a restart,
// an offline Validate sees the mis-dated files again until the OS rewrites them or a sync
// vouches once more.
//
// Vouch takes a reading at once, stat'ing each path once, unless the current reading is younger
// than [Refresh] and none of its times is ahead of now by more than the tolerance: then
// there is nothing to set aside, and an app that syncs often pays nothing. A file dated ahead
// within those minutes (the clock set days ahead and back again between two syncs) is set aside
// by the next sync after the reading that sees it.
func (w *Witness) Vouch(now time.Time) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	mono := w.monoNow()
	if fresh := !w.readAt.IsZero() && mono.Sub(w.readAt) < w.refresh; fresh && w.latest.Sub(now) <= Tolerance {
		return
	}
	w.readVouched(now, true)
	w.readAt = mono
}

func (w *Witness) monoNow() time.Time {
	if w.mono == nil {
		return time.Now()
	}
	return w.mono()
}

// Check returns an error wrapping ErrClockRolledBack when now is more than
// [Tolerance] before latest, the witness's newest time (from path). A zero latest
// passes. The error names the file by its base name only: a full path may hold the user's name.
func Check(now, latest time.Time, path string) error {
	if !latest.IsZero() && latest.Sub(now) > Tolerance {
		return fmt.Errorf("%w: the clock is %s behind what this machine has already written (%s)",
			errs.ErrClockRolledBack, latest.Sub(now).Round(time.Second), filepath.Base(path))
	}
	return nil
}
