package record

import (
	"sync"
	"time"
)

// Stamps hands out the stamps of an envelope's saves: the wall clock in Unix nanoseconds, and
// always later than any stamp given or seen, so that a save is newer than what it follows
// even when the clock stands still or steps back a little. The zero value is ready; it is safe
// for concurrent use.
type Stamps struct {
	mu   sync.Mutex
	last int64
}

// Next returns the stamp of a save at now.
func (s *Stamps) Next(now time.Time) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = max(now.UnixNano(), s.last+1)
	return s.last
}

// Seen records a stamp read back from a store.
func (s *Stamps) Seen(stamp int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = max(s.last, stamp)
}
