package licensing_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/testhome"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"go.uber.org/goleak"
)

// TestMain checks that no test of the package leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(testhome.M(m)) }

// TestSoak: many goroutines share one client against a server that fails at random. Every
// metered request carries a unique operation id, so the server's log shows how often each was
// applied: a success exactly once, an ErrOutcomeUnknown at most once, any other failure never.
// Bounded in count (workers × ops) and time (a deadline per call, and the whole test's).
func TestSoak(t *testing.T) {
	const workers, ops = 8, 25
	e := setup(t, licensingtest.License{Meters: map[string]int64{"m": 1 << 40}})
	e.srv.SetChaos(0.35, 42,
		licensingtest.Fault{Status: 503},
		licensingtest.Fault{Status: 500},
		licensingtest.Fault{Status: 429, RetryAfter: "0"},
		licensingtest.Fault{Drop: licensingtest.DropBeforeApply},
		licensingtest.Fault{Drop: licensingtest.DropAfterApply},
		licensingtest.Fault{Delay: 30 * time.Millisecond},
		licensingtest.Fault{Body: []byte("garbage")},
	)
	type result struct {
		op      string
		err     error
		metered bool
	}
	results := make(chan result, workers*ops)
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < ops && time.Now().Before(deadline); i++ {
				op := "op-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
				u := licensing.Update{Key: e.key, Metadata: []licensing.Metadata{{Key: "op", Value: op}}}
				metered := i%2 == 0
				if metered {
					u.MeterAttributes = []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := e.client.UpdateActivation(ctx, e.id, u)
				cancel()
				results <- result{op, err, metered}
				if i%5 == 0 {
					if _, err := e.client.Validate(context.Background()); err != nil && !errors.Is(err, licensing.ErrNotActivated) {
						t.Errorf("Validate: %v", err)
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(results)

	applied := map[string]int{}
	for _, r := range e.srv.Requests() {
		if !r.Applied {
			continue
		}
		var body struct{ Metadata []struct{ Value string } }
		if json.Unmarshal(r.Body, &body) == nil && len(body.Metadata) == 1 {
			applied[body.Metadata[0].Value]++
		}
	}
	var ok, unknown, failed, meteredApplied int
	for r := range results {
		n := applied[r.op]
		if r.metered {
			meteredApplied += n
		}
		switch {
		case r.err == nil:
			ok++
			if r.metered && n != 1 {
				t.Errorf("%s succeeded but was applied %d times", r.op, n)
			}
		case errors.Is(r.err, licensing.ErrOutcomeUnknown):
			unknown++
			if n > 1 {
				t.Errorf("%s: outcome unknown, applied %d times", r.op, n)
			}
		default:
			failed++
			if r.metered && n != 0 {
				t.Errorf("%s failed (%v) but was applied %d times", r.op, r.err, n)
			}
		}
	}
	if got := e.srv.MeterUses(e.key, "m"); got != int64(meteredApplied) {
		t.Errorf("server counted %d uses, its log shows %d applied increments", got, meteredApplied)
	}
	if ok == 0 || ok+unknown+failed != workers*ops {
		t.Errorf("ok %d, unknown %d, failed %d of %d", ok, unknown, failed, workers*ops)
	}
	t.Logf("%d ok, %d outcome unknown, %d failed; %d requests; %d uses applied", ok, unknown, failed, e.srv.RequestCount(), meteredApplied)
}
