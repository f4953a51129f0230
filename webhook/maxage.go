package webhook

import (
	"errors"
	"fmt"
	"time"
)

// ErrEventTooOld is wrapped by [CheckAge] when an event's signed triggeredAt is older than the
// allowed age, as a replay of an earlier delivery would be, or cannot be read.
var ErrEventTooOld = errors.New("webhook: event too old")

// DefaultMaxSkew is how far an event's triggeredAt may be ahead of the receiver's clock when
// [Options.MaxSkew] is 0: the server's clock and the receiver's differ a little.
const DefaultMaxSkew = 5 * time.Minute

// Options are the optional checks of [HandlerWithOptions]. The zero value checks nothing more
// than [Handler].
type Options struct {
	// MaxAge refuses events whose triggeredAt is older than this; 0 = no limit. The time is
	// read from the signed body, so a replayed delivery cannot carry a newer one. Events are
	// retried by the server for a while, so leave room for those retries (an hour or more).
	// Within MaxAge a replay still passes: deduplicate on the event's data when that matters.
	MaxAge time.Duration
	// MaxSkew is how far triggeredAt may be ahead of Now; 0 = DefaultMaxSkew.
	MaxSkew time.Duration
	// Now is the receiver's clock; nil = time.Now.
	Now func() time.Time
}

func (o Options) check(e *Event) error {
	if o.MaxAge <= 0 {
		return nil
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	skew := o.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	return checkAge(e, o.MaxAge, skew, now())
}

// TriggeredTime returns TriggeredAt as a time, and false when it is missing or not RFC 3339.
func (e *Event) TriggeredTime() (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, e.TriggeredAt)
	return t, err == nil
}

// CheckAge returns an error wrapping [ErrEventTooOld] when e was triggered more than maxAge
// before now, more than [DefaultMaxSkew] after it, or has no readable triggeredAt. Call it after
// [Verify]: the time is only as trustworthy as the signature over the body.
func CheckAge(e *Event, maxAge time.Duration, now time.Time) error {
	return checkAge(e, maxAge, DefaultMaxSkew, now)
}

func checkAge(e *Event, maxAge, skew time.Duration, now time.Time) error {
	at, ok := e.TriggeredTime()
	switch {
	case !ok:
		return fmt.Errorf("%w: no RFC 3339 triggeredAt", ErrEventTooOld)
	case now.Sub(at) > maxAge:
		return fmt.Errorf("%w: triggered %s ago, at most %s allowed", ErrEventTooOld, now.Sub(at).Round(time.Second), maxAge)
	case at.Sub(now) > skew:
		return fmt.Errorf("%w: triggered %s in the future", ErrEventTooOld, at.Sub(now).Round(time.Second))
	}
	return nil
}
