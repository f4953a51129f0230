package licensing_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/transport"
)

// The class "an answer not tied to the request": someone who reads this machine's TLS (a
// proxy and a certificate installed at user level, through HTTPS_PROXY and SSL_CERT_FILE)
// records the server's answers and plays them back in place of newer ones.

// mitm sits between the client and the fake server: it records every 2xx answer's body, and,
// while replay is set, answers each request with that body instead, sending nothing on.
type mitm struct {
	base http.RoundTripper

	mu       sync.Mutex
	recorded [][]byte // 2xx bodies, oldest first
	replay   []byte   // nil: pass through
	sent     int      // requests that reached the server
}

func (m *mitm) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	replay := m.replay
	m.mu.Unlock()
	if replay != nil {
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"application/json"}},
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Body: io.NopCloser(bytes.NewReader(replay)),
			ContentLength: int64(len(replay)), Request: r}, nil
	}
	resp, err := m.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.sent++
	if resp.StatusCode/100 == 2 {
		m.recorded = append(m.recorded, b)
	}
	m.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// play makes every answer from now on the recorded one at i (negative: from the end); nil
// bodies stop replaying.
func (m *mitm) play(i int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i < 0 {
		i += len(m.recorded)
	}
	m.replay = m.recorded[i]
}

func (m *mitm) stop() { m.mu.Lock(); m.replay = nil; m.mu.Unlock() }

// mitmClient is e's client behind a mitm, with witnesses (nil: none).
func mitmClient(t *testing.T, e *env, witnesses []string) (*licensing.Client, *mitm) {
	t.Helper()
	m := &mitm{base: e.srv.Client().Transport}
	if witnesses == nil {
		witnesses = []string{}
	}
	c, err := licensing.New(licensing.Config{
		ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL, Store: e.st, Machine: &e.m,
		Now: e.now.Now, HTTPClient: &http.Client{Transport: m}, ClockWitnesses: witnesses,
		Retry: transport.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, m
}

// TestReplayedMeteredAnswerNotApplied is the review's attack: the answer to one metered PATCH,
// replayed ten times, was reported as applied ten times while the server counted one. Each
// replay must be refused as stale, report nothing applied, and wrap ErrOutcomeUnknown (the app
// cannot know whether the server counted it, so it asks with CheckApplied, never resends).
func TestReplayedMeteredAnswerNotApplied(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100}})
	c, m := mitmClient(t, e, nil)
	use := licensing.Update{Key: e.key, MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 1}}}
	if act, err := c.UpdateActivation(ctx, e.id, use); err != nil || !act.Applied {
		t.Fatalf("first: %v, %v", act, err)
	}
	m.play(-1)
	applied := 1
	for i := range 10 {
		e.now.Add(time.Second)
		act, err := c.UpdateActivation(ctx, e.id, use)
		if act != nil && act.Applied {
			applied++
		}
		if !errors.Is(err, licensing.ErrStaleToken) || !errors.Is(err, licensing.ErrOutcomeUnknown) {
			t.Errorf("replay %d: %v", i, err)
		}
	}
	if got := e.srv.MeterUses(e.key, "exports"); applied != int(got) {
		t.Errorf("reported applied %d times, the server counted %d", applied, got)
	}
}

// TestReplayedAnswerOfOtherMeteredRequests: answers replayed across different meters, and an
// increment of a meter the replayed answer never counted, are refused alike; a genuine answer
// afterwards is applied.
func TestReplayedAnswerOfOtherMeteredRequests(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100, "prints": 100}})
	c, m := mitmClient(t, e, nil)
	exports := licensing.Update{Key: e.key, MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 2}}}
	prints := licensing.Update{Key: e.key, MeterAttributes: []licensing.MeterAttribute{{Name: "prints", UsesIncrement: 1}}}
	if _, err := c.UpdateActivation(ctx, e.id, exports); err != nil {
		t.Fatal(err)
	}
	m.play(-1)
	if act, err := c.UpdateActivation(ctx, e.id, prints); act != nil || !errors.Is(err, licensing.ErrOutcomeUnknown) {
		t.Errorf("the exports answer replayed to a prints request: %v, %v", act, err)
	}
	if act, err := c.UpdateActivation(ctx, e.id, exports); act != nil || !errors.Is(err, licensing.ErrStaleToken) {
		t.Errorf("replayed to the same request again: %v, %v", act, err)
	}
	m.stop()
	act, err := c.UpdateActivation(ctx, e.id, prints)
	if err != nil || !act.Applied || e.srv.MeterUses(e.key, "prints") != 1 {
		t.Fatalf("a genuine answer after the replays: %v, %v", act, err)
	}
}

// TestReplayedPreSuspensionToken is the review's attack: after the license was suspended and a
// sync cached the suspended token, the pre-suspension answer replayed to the next sync replaced
// it. It must be refused; the cache keeps saying suspended.
func TestReplayedPreSuspensionToken(t *testing.T) {
	t.Parallel()
	server := &clock{t: time.Now().Truncate(time.Second)}
	e := setup(t, licensingtest.License{}, licensingtest.WithClock(server.Now))
	e.now.Set(server.Now())
	c, m := mitmClient(t, e, nil)
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.Suspended = true })
	server.Add(time.Hour)
	e.now.Add(time.Hour)
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); !errors.Is(err, licensing.ErrSuspended) {
		t.Fatalf("suspended: %v", err)
	}
	m.play(0) // the answer from before the suspension
	e.now.Add(time.Second)
	if act, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); act != nil || !errors.Is(err, licensing.ErrStaleToken) {
		t.Errorf("the replay: %v, %v", act, err)
	}
	// Not cached: this client and a new one both still see the suspension.
	for _, cl := range []*licensing.Client{c, e.newClient(t, e.m, e.st)} {
		if _, err := cl.Validate(ctx); !errors.Is(err, licensing.ErrSuspended) {
			t.Errorf("after the replay, Validate: %v", err)
		}
	}
}

// TestReplayedOldAnswerDoesNotVouchForAClockSetBack is the review's attack: with the clock set
// 72 hours back, an answer recorded 72 hours earlier was accepted as fresh and made the client
// vouch for the clock, setting aside the witness files that showed the rollback. It must be
// refused, vouch for nothing, and the rollback must still show.
func TestReplayedOldAnswerDoesNotVouchForAClockSetBack(t *testing.T) {
	t.Parallel()
	start := time.Now().Truncate(time.Second)
	server := &clock{t: start.Add(-72 * time.Hour)}
	e := setup(t, licensingtest.License{}, licensingtest.WithClock(server.Now))
	e.now.Set(server.Now())
	c, m := mitmClient(t, e, nil)
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err) // recorded 72 hours ago
	}
	// Today: a genuine sync, and the OS writes its files.
	server.Set(start)
	e.now.Set(start)
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	journal := witnessFile(t, start)
	// The attack, in a new process: the clock 72 hours back, and the old answer replayed.
	e.now.Set(start.Add(-72 * time.Hour))
	c2, m2 := mitmClient(t, e, []string{journal})
	m2.recorded = m.recorded
	m2.play(0)
	if act, err := c2.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); act != nil || !errors.Is(err, licensing.ErrStaleToken) {
		t.Errorf("the replayed answer: %v, %v", act, err)
	}
	if _, err := c2.Validate(ctx); !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Errorf("after the replay, Validate with the clock 72 h back: %v", err)
	}
}

// TestAnswerOlderThanTheRequest: with no token cached to compare with (a first activation,
// the cache cleared), an answer issued long before the request was sent, beyond the allowed
// clock offset, is refused as stale (and the state asks to fix the clock: it may be this
// clock that is ahead); Activate and a trial alike. An answer within the offset passes.
func TestAnswerOlderThanTheRequest(t *testing.T) {
	t.Parallel()
	start := time.Now().Truncate(time.Second)
	server := &clock{t: start}
	e := setup(t, licensingtest.License{}, licensingtest.WithClock(server.Now))
	e.now.Set(start)
	c, m := mitmClient(t, e, nil)
	if _, err := c.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearCache(ctx); err != nil {
		t.Fatal(err)
	}
	m.play(-1)
	c2, m2 := mitmClient(t, e, nil) // a new process: nothing in memory either
	m2.recorded = m.recorded
	m2.play(-1)
	e.now.Set(start.Add(2 * time.Hour))
	act, err := c2.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if act != nil || !errors.Is(err, licensing.ErrStaleToken) || licensing.StateOf(err) != licensing.StateFixClock {
		t.Errorf("an answer two hours older than its request: %v, %v (%v)", act, err, licensing.StateOf(err))
	}
	if e.cached(t) {
		t.Error("the stale answer was cached")
	}
	// Within the allowed clock offset (the fake server's aco is five minutes): accepted.
	e.now.Set(start.Add(4 * time.Minute))
	if _, err := c2.Activate(ctx, licensing.ActivationRequest{Key: e.key}); err != nil {
		t.Errorf("within the offset: %v", err)
	}
}

// TestReplayedMeteredActivation: an Activate carrying increments answered by a replay is not
// applied and wraps ErrOutcomeUnknown.
func TestReplayedMeteredActivation(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Meters: map[string]int64{"seats": 10}})
	c, m := mitmClient(t, e, nil)
	r := licensing.ActivationRequest{Key: e.key, MeterAttributes: []licensing.MeterAttribute{{Name: "seats", UsesIncrement: 1}}}
	if _, err := c.Activate(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearCache(ctx); err != nil { // so that Activate sends again
		t.Fatal(err)
	}
	m.play(-1)
	if act, err := c.Activate(ctx, r); act != nil || !errors.Is(err, licensing.ErrOutcomeUnknown) || !errors.Is(err, licensing.ErrStaleToken) {
		t.Errorf("replayed activation: %v, %v", act, err)
	}
}

// TestReplayedTrialAnswer: a trial answer older than the cached trial token is refused.
func TestReplayedTrialAnswer(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{Length: 10 * 24 * time.Hour})
	c, m := mitmClient(t, e.env, nil)
	if _, err := c.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	e.server.Add(time.Hour)
	e.now.Add(time.Hour)
	if _, err := c.SyncTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	m.play(0)
	e.now.Add(time.Minute)
	if act, err := c.SyncTrial(ctx, licensing.TrialRequest{}); act != nil || !errors.Is(err, licensing.ErrStaleToken) {
		t.Errorf("replayed trial answer: %v, %v", act, err)
	}
}
