package licensing

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/token"
)

// ErrStaleToken is wrapped when a token is older than it can be: a server's answer whose token
// was issued before the request was sent (beyond the allowed clock offset), before the token it
// would replace, or that does not show the meter increments the request sent; or a cached token
// older than one this client already knows. Such an answer is a replay (anyone who can read
// this machine's TLS, through a proxy or a certificate the user installed, can record answers
// and play them back): nothing of it is applied or cached, and a request with increments is
// not reported as applied (the error wraps [ErrOutcomeUnknown] too).
var ErrStaleToken = errors.New("licensing: stale token")

// minFreshSlack is how much earlier than the request's send time an answer's token may be
// issued when its allowed clock offset (aco) is smaller: iat counts whole seconds, and an aco of
// 0 would otherwise refuse a clock a second ahead of the server's. Five minutes is the usual
// leeway of JWT checks; the replays it lets through are caught by the other rules when a token
// is cached.
const minFreshSlack = 5 * time.Minute

// sending is what an answer is compared with, taken just before its request is sent: the time
// by this clock, and the newest token of the slot this client knew then (nil: none). Taken
// before, not when the answer comes: answers to concurrent requests may come in any order.
type sending struct {
	at   time.Time
	prev *token.Claims
}

// beforeSend takes the sending of a request of slot s.
func (c *Client) beforeSend(ctx context.Context, s slot, fp string, sealKey []byte) sending {
	return sending{at: c.now(), prev: c.newestKnown(ctx, s, fp, sealKey)}
}

// checkFresh returns an error wrapping ErrStaleToken when claims, verified from a 2xx answer to
// a request sent as req says and carrying the increments in sent, is not newer than what it
// answers and replaces:
//
//   - its iat must not be earlier than the send time minus its allowed clock offset (aco, at least
//     minFreshSlack): the server issues the token after it receives the request. An iat further
//     back is a replay, or a clock ahead of the server's by more than aco (so the error wraps
//     ErrClockOutOfSync too);
//   - its iat must not be earlier than the iat of the newest token of the slot this client knew
//     (from the cache or from memory) when it sent the request: a server never issues an older
//     token after a newer one;
//   - after positive increments, each incremented meter's uses in its ama must be at least the
//     uses that newest token showed for the same activation plus the increment (other requests
//     may add more, never less). This is the request's own value
//     echoed in the token, the strongest binding the API offers: it carries no nonce. Inferred,
//     not documented: the token of an answer to a PATCH carries the uses after it. A token
//     with no ama at all is not checked this way.
func checkFresh(claims *token.Claims, req sending, sent []MeterAttribute) error {
	slack := max(claims.AllowedClockOffset, minFreshSlack)
	if floor := req.at.Truncate(time.Second).Add(-slack); claims.IssuedAt.Before(floor) {
		return fmt.Errorf("%w: %w: the answer's token was issued %s before the request was sent (allowed %s): a replayed answer, or this clock is ahead of the server's",
			ErrStaleToken, errs.ErrClockOutOfSync, req.at.Sub(claims.IssuedAt).Round(time.Second), slack)
	}
	prev := req.prev
	if prev != nil && claims.IssuedAt.Before(prev.IssuedAt) {
		return fmt.Errorf("%w: %w: the answer's token was issued %s before the one this client already has",
			ErrStaleToken, errs.ErrBadResponse, prev.IssuedAt.Sub(claims.IssuedAt).Round(time.Second))
	}
	if len(claims.ActivationMeterAttributes) == 0 {
		return nil
	}
	for name, inc := range increments(sent) {
		var base int64
		if prev != nil && prev.ActivationID == claims.ActivationID {
			base, _ = prev.ActivationUses(name)
		}
		want := base + inc
		if want < base { // overflow
			want = math.MaxInt64
		}
		if got, ok := claims.ActivationUses(name); !ok || got < want {
			return fmt.Errorf("%w: %w: the answer's token shows %d uses of meter %q, at least %d expected after this request's increment: it does not answer this request",
				ErrStaleToken, errs.ErrBadResponse, got, name, want)
		}
	}
	return nil
}

// newestKnown returns the claims of the newest token of s this client knows: the cache's (read
// and verified, through the memo when it holds the same bytes) or, when newer, the one in
// memory. nil when there is none.
func (c *Client) newestKnown(ctx context.Context, s slot, fp string, sealKey []byte) *token.Claims {
	mem := c.cache.newest.claimsOf(s.name)
	got, err := c.cache.load(ctx, s, c.verifier, fp, sealKey)
	if err != nil || got.claims == nil || mem != nil && mem.IssuedAt.After(got.claims.IssuedAt) {
		return mem
	}
	return got.claims
}

// increments sums the positive increments of sent by meter name (names compare without case, as
// the server's do), keyed by the first spelling.
func increments(sent []MeterAttribute) map[string]int64 {
	out := map[string]int64{}
	names := map[string]string{}
	for _, m := range sent {
		if m.UsesIncrement <= 0 {
			continue
		}
		low := strings.ToLower(m.Name)
		name, ok := names[low]
		if !ok {
			name = m.Name
			names[low] = name
		}
		if sum := out[name] + m.UsesIncrement; sum >= out[name] {
			out[name] = sum
		} else {
			out[name] = math.MaxInt64
		}
	}
	return out
}
