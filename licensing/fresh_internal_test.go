package licensing

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/token"
)

// TestCheckFreshRules: each rule of checkFresh at its edge.
func TestCheckFreshRules(t *testing.T) {
	t.Parallel()
	sent := time.Unix(1_800_000_000, 0)
	tok := func(iat time.Time, aid string, uses ...token.ActivationMeter) *token.Claims {
		return &token.Claims{IssuedAt: iat, ActivationID: aid, AllowedClockOffset: time.Minute, ActivationMeterAttributes: uses}
	}
	prev := tok(sent.Add(-time.Hour), "a1", token.ActivationMeter{Name: "m", Uses: 5})
	inc := func(n int64) []MeterAttribute { return []MeterAttribute{{Name: "M", UsesIncrement: n}} }
	for _, c := range []struct {
		name   string
		claims *token.Claims
		req    sending
		sent   []MeterAttribute
		stale  bool
		clock  bool // wraps ErrClockOutOfSync
	}{
		{"fresh", tok(sent, "a1"), sending{at: sent}, nil, false, false},
		{"issued 4m59s before the request (slack 5m over aco 1m)", tok(sent.Add(-299*time.Second), "a1"), sending{at: sent}, nil, false, false},
		{"issued 5m01s before", tok(sent.Add(-301*time.Second), "a1"), sending{at: sent}, nil, true, true},
		{"older than the newest known", tok(sent.Add(-time.Hour-time.Second), "a1"), sending{at: sent.Add(-time.Hour), prev: prev}, nil, true, false},
		{"as old as the newest known", tok(prev.IssuedAt, "a1"), sending{at: sent.Add(-time.Hour), prev: prev}, nil, false, false},
		{"increment shown", tok(sent, "a1", token.ActivationMeter{Name: "m", Uses: 7}), sending{at: sent, prev: prev}, inc(2), false, false},
		{"increment not shown (a replay)", tok(sent, "a1", token.ActivationMeter{Name: "m", Uses: 6}), sending{at: sent, prev: prev}, inc(2), true, false},
		{"meter missing", tok(sent, "a1", token.ActivationMeter{Name: "other", Uses: 9}), sending{at: sent, prev: prev}, inc(1), true, false},
		{"no ama at all: not checked", tok(sent, "a1"), sending{at: sent, prev: prev}, inc(1), false, false},
		{"another activation: counted from 0", tok(sent, "a2", token.ActivationMeter{Name: "m", Uses: 1}), sending{at: sent, prev: prev}, inc(1), false, false},
		{"a decrement is not checked", tok(sent, "a1", token.ActivationMeter{Name: "m", Uses: 0}), sending{at: sent, prev: prev}, inc(-3), false, false},
		{"increments summed by name", tok(sent, "a1", token.ActivationMeter{Name: "m", Uses: 7}), sending{at: sent, prev: prev},
			[]MeterAttribute{{Name: "m", UsesIncrement: 1}, {Name: "M", UsesIncrement: 2}}, true, false},
		{"an increment that overflows", tok(sent, "a1", token.ActivationMeter{Name: "m", Uses: math.MaxInt64}), sending{at: sent, prev: prev},
			inc(math.MaxInt64), false, false},
	} {
		err := checkFresh(c.claims, c.req, c.sent)
		if errors.Is(err, ErrStaleToken) != c.stale || errors.Is(err, errs.ErrClockOutOfSync) != c.clock {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
