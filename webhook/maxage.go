package webhook

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrEventTooOld is wrapped by [CheckAge] when an event's signed triggeredAt is older than the
// allowed age, as a replay of an earlier delivery would be, or cannot be read.
var ErrEventTooOld = errors.New("webhook: event too old")

// DefaultMaxAge is how old an event may be when [Options.MaxAge] is 0, as it is for
// [Handler]: an hour. The server retries a failed delivery for a while, so this leaves room for
// retries during a short outage of the receiver; a receiver that may be down longer sets MaxAge
// higher. (How long the server keeps retrying is not documented.)
const DefaultMaxAge = time.Hour

// MaxRemembered bounds how many delivered events a handler remembers to refuse their replays
// (see [HandlerWithOptions]): about 5 MiB. Past it, the oldest are forgotten first.
const MaxRemembered = 100_000

// DefaultMaxSkew is how far an event's triggeredAt may be ahead of the receiver's clock when
// [Options.MaxSkew] is 0: the server's clock and the receiver's differ a little.
const DefaultMaxSkew = 5 * time.Minute

// Options are the optional checks of [HandlerWithOptions]. The zero value checks what
// [Handler] checks: events at most [DefaultMaxAge] old, each delivered once.
type Options struct {
	// MaxAge refuses events whose triggeredAt is older than this; 0 = [DefaultMaxAge], below 0 =
	// no limit (replays of any age then pass, unless this handler remembers the event). The
	// time is read from the signed body, so a replayed delivery cannot carry a newer one.
	// Events are retried by the server for a while, so leave room for those retries.
	MaxAge time.Duration
	// MaxSkew is how far triggeredAt may be ahead of Now; 0 = DefaultMaxSkew.
	MaxSkew time.Duration
	// Now is the receiver's clock; nil = time.Now.
	Now func() time.Time
}

// maxAge is MaxAge with its default; below 0, no limit.
func (o Options) maxAge() time.Duration {
	if o.MaxAge == 0 {
		return DefaultMaxAge
	}
	return o.MaxAge
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) check(e *Event, now time.Time) error {
	if o.maxAge() < 0 {
		return nil
	}
	skew := o.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	return checkAge(e, o.maxAge(), skew, now)
}

// delivered remembers the events a handler has delivered (by the SHA-256 of their signed body)
// until they are too old to pass the age check anyway, so that a replay inside MaxAge is not
// delivered twice. An event being delivered counts too, so that two copies arriving together
// reach fn once; one whose fn failed is forgotten, so that the server's retry is delivered.
type delivered struct {
	mu    sync.Mutex
	seen  map[[sha256.Size]byte]time.Time // body hash → when it may be forgotten
	order [][sha256.Size]byte             // in the order remembered: forgotten from the front
}

// claim reports whether body is new, and if so remembers it until until.
func (d *delivered) claim(body []byte, now, until time.Time) bool {
	h := sha256.Sum256(body)
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.order) > 0 {
		old := d.order[0]
		if exp, ok := d.seen[old]; ok && len(d.order) <= MaxRemembered && now.Before(exp) {
			break
		}
		delete(d.seen, old)
		d.order = d.order[1:]
	}
	if _, ok := d.seen[h]; ok {
		return false
	}
	if d.seen == nil {
		d.seen = map[[sha256.Size]byte]time.Time{}
	}
	d.seen[h] = until
	d.order = append(d.order, h)
	return true
}

// release forgets body, whose delivery failed.
func (d *delivered) release(body []byte) {
	h := sha256.Sum256(body)
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.seen, h) // its place in order goes when it reaches the front
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

// forgetAt is when an event delivered at now can be forgotten: once it is older than MaxAge
// (its triggeredAt is at most the skew ahead of now). With no limit, only MaxRemembered forgets.
func (o Options) forgetAt(now time.Time) time.Time {
	if o.maxAge() < 0 {
		return now.Add(100 * 365 * 24 * time.Hour)
	}
	skew := o.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	return now.Add(o.maxAge() + skew)
}
