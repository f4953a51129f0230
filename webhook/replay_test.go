package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// deliver posts body, signed with secret, to h and returns the status.
func deliver(h http.Handler, body string) int {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set(SignatureHeader, Sign([]byte(body), secret))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func eventAt(t time.Time, id string) string {
	return `{"event":"activation.updated","data":{"id":"` + id + `"},"triggeredAt":"` + t.UTC().Format(time.RFC3339) + `"}`
}

// TestHandlerRefusesReplaysByDefault: with no options at all, a recorded genuine delivery
// replayed later (the reported attack: Handler accepted replays unless MaxAge was set) does
// not reach fn, whether it is replayed at once or after DefaultMaxAge; a server retry after fn
// failed still does.
func TestHandlerRefusesReplaysByDefault(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fail := atomic.Bool{}
	h := Handler(secret, func(context.Context, *Event) error {
		calls.Add(1)
		if fail.Load() {
			return errors.New("down")
		}
		return nil
	})
	now := time.Now()
	body := eventAt(now.Add(-time.Minute), "act-1")
	if st := deliver(h, body); st != http.StatusNoContent || calls.Load() != 1 {
		t.Fatalf("first delivery: %d, %d calls", st, calls.Load())
	}
	for range 10 {
		deliver(h, body) // replayed ten times
	}
	if calls.Load() != 1 {
		t.Errorf("a replayed delivery reached fn: %d calls", calls.Load())
	}
	// A replay of an event two hours old (older than DefaultMaxAge) is refused outright, even by
	// a handler that never saw it.
	old := eventAt(now.Add(-2*time.Hour), "act-2")
	fresh := Handler(secret, func(context.Context, *Event) error { calls.Add(1); return nil })
	if st := deliver(fresh, old); st != http.StatusBadRequest || calls.Load() != 1 {
		t.Errorf("an old replay: %d, %d calls", st, calls.Load())
	}
	// A delivery whose fn fails is not remembered: the server's retry is delivered.
	other := eventAt(now, "act-3")
	fail.Store(true)
	if st := deliver(h, other); st != http.StatusInternalServerError {
		t.Fatalf("failing fn: %d", st)
	}
	fail.Store(false)
	if st := deliver(h, other); st != http.StatusNoContent || calls.Load() != 3 {
		t.Errorf("retry after a failure: %d, %d calls", st, calls.Load())
	}
}

// TestReplayRaceDeliversOnce: copies of one event arriving together reach fn once.
func TestReplayRaceDeliversOnce(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := Handler(secret, func(context.Context, *Event) error { calls.Add(1); return nil })
	body := eventAt(time.Now(), "act-1")
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() { defer wg.Done(); deliver(h, body) }()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("%d deliveries of one event", calls.Load())
	}
}

// TestReplayMemoryForgetsOldEvents: an event is forgotten once it is older than MaxAge (the
// age check refuses it from then on), so the memory holds only events still young enough.
func TestReplayMemoryForgetsOldEvents(t *testing.T) {
	t.Parallel()
	var d delivered
	now := time.Unix(1_800_000_000, 0)
	if !d.claim([]byte("a"), now, now.Add(time.Hour)) || d.claim([]byte("a"), now, now.Add(time.Hour)) {
		t.Fatal("claim")
	}
	d.claim([]byte("b"), now.Add(2*time.Hour), now.Add(3*time.Hour))
	if len(d.seen) != 1 || len(d.order) != 1 {
		t.Errorf("an expired event is still remembered: %d, %d", len(d.seen), len(d.order))
	}
	// A negative MaxAge: no age check, and events are kept until MaxRemembered pushes them out.
	var calls int
	h := HandlerWithOptions(secret, Options{MaxAge: -1}, func(context.Context, *Event) error { calls++; return nil })
	body := eventAt(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "act-1")
	deliver(h, body)
	deliver(h, body)
	if calls != 1 {
		t.Errorf("MaxAge -1: %d deliveries of one event", calls)
	}
}
