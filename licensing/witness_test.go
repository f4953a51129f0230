package licensing_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/transport"
)

// witnessFile stands for a file the OS keeps writing, last written at mt.
func witnessFile(t *testing.T, mt time.Time) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "system.journal")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	setMtime(t, p, mt)
	return p
}

func setMtime(t *testing.T, p string, mt time.Time) {
	t.Helper()
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
}

func witnessClient(t *testing.T, e *env, witnesses []string) *licensing.Client {
	t.Helper()
	c, err := licensing.New(licensing.Config{
		ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL, Store: e.st, Machine: &e.m,
		Now: e.now.Now, ClockWitnesses: witnesses,
		Retry: transport.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// forgeRecord does what any local user can: derive the seal key from the product id and the
// fingerprint (both public), and rewrite the record's last-seen time with a valid seal.
func forgeRecord(t *testing.T, e *env, lastSeen time.Time) {
	t.Helper()
	forgeNamed(t, e, "activation/"+e.srv.ProductID, lastSeen)
}

// forgeNamed is forgeRecord for the record stored under name.
func forgeNamed(t *testing.T, e *env, name string, lastSeen time.Time) {
	t.Helper()
	stored, err := e.st.Load(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	key := record.SealKey(e.srv.ProductID, e.m.Fingerprint)
	got, err := record.Decode(stored, key)
	if err != nil {
		t.Fatal(err)
	}
	rec := *got.Record
	rec.LastSeen = lastSeen
	if err := e.st.Save(ctx, name, record.Encode(rec, key, got.Stamp+1)); err != nil {
		t.Fatal(err)
	}
}

// TestForgedSealClockBackPastWitnesses is the review's attack: a license expired in real time;
// the user forges the record's seal and sets the clock back to before the expiry. Without
// witnesses the license comes back to life; with them, the clock is earlier than what the OS has
// already written, and Validate says ErrClockRolledBack.
func TestForgedSealClockBackPastWitnesses(t *testing.T) {
	t.Parallel()
	real := time.Now().Truncate(time.Second)
	issued := real.Add(-30 * 24 * time.Hour)
	e := setup(t, licensingtest.License{ExpiresAt: issued.Add(10 * 24 * time.Hour)},
		licensingtest.WithClock(func() time.Time { return issued }))
	journal := witnessFile(t, real) // the OS wrote it today
	for _, tc := range []struct {
		name      string
		witnesses []string
		want      error
	}{
		{"without witnesses the forgery works", []string{}, nil},
		{"with a witness", []string{journal}, licensing.ErrClockRolledBack},
		{"with a witness among missing and unreadable paths", []string{"/nonexistent/x", journal, t.TempDir() + "/gone"}, licensing.ErrClockRolledBack},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.now.Set(issued.Add(time.Minute)) // the server's clock, give or take: an answer issued long before its request is stale
			c := witnessClient(t, e, tc.witnesses)
			if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
				t.Fatal(err)
			}
			// Used until today: the license has expired.
			e.now.Set(real)
			if _, err := c.Validate(ctx); !errors.Is(err, licensing.ErrExpired) {
				t.Fatalf("today: want ErrExpired, got %v", err)
			}
			// The attack: a forged record that last saw the clock before the expiry, and the
			// clock set back there.
			back := issued.Add(5 * 24 * time.Hour)
			forgeRecord(t, e, back.Add(-time.Hour))
			e.now.Set(back)
			a, err := witnessClient(t, e, tc.witnesses).Validate(ctx)
			if tc.want == nil {
				if err != nil || a == nil {
					t.Fatalf("the control must show the attack working, got %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || a != nil {
				t.Fatalf("want %v, got %v (activation %v)", tc.want, err, a)
			}
		})
	}
}

// TestWitnessFutureDatedFilesDoNotLockOutForever: the clock was mis-set a month ahead, the OS
// wrote its files with that date, and the clock was then corrected. Offline there is no telling
// this from a clock turned back, so Validate says ErrClockRolledBack; but:
//   - the next online update vouches for the corrected clock (its fresh token's issue time agrees
//     with it), and from then on this client ignores the mis-dated files;
//   - a new client (a restart) offline sees them again, until the OS writes each of them once
//     more under the corrected clock, after which they no longer count against it.
func TestWitnessFutureDatedFilesDoNotLockOutForever(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	now := time.Now().Truncate(time.Second)
	e.now.Set(now)
	misdated := witnessFile(t, now.Add(30*24*time.Hour))
	current := witnessFile(t, now.Add(-time.Minute))
	ws := []string{misdated, current}
	c := witnessClient(t, e, ws)
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	if _, err := witnessClient(t, e, ws).Validate(ctx); !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Fatalf("offline, before any sync, a file a month ahead counts: %v", err)
	}
	// The update above vouched for this client's clock.
	if _, err := c.Validate(ctx); err != nil {
		t.Fatalf("after a sync vouched for the clock: %v", err)
	}
	// A restart, offline, sees the mis-dated file again; an online sync heals it once more.
	c2 := witnessClient(t, e, ws)
	if _, err := c2.Validate(ctx); !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Fatalf("restart before the OS rewrote the file: %v", err)
	}
	if _, err := c2.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Validate(ctx); err != nil {
		t.Fatalf("after the restart's sync: %v", err)
	}
	// The OS writes the file again under the corrected clock: offline restarts pass for good.
	setMtime(t, misdated, now)
	for range 3 {
		e.now.Add(time.Hour)
		if _, err := witnessClient(t, e, ws).Validate(ctx); err != nil {
			t.Fatalf("after the OS rewrote the file: %v", err)
		}
	}
}

// TestWitnessForwardClockNoFalsePositive: a clock that only moves forward, with the OS writing
// its files as time passes, never trips the witness, through many restarts.
func TestWitnessForwardClockNoFalsePositive(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	now := time.Now().Truncate(time.Second)
	e.now.Set(now)
	f := witnessFile(t, now)
	c := witnessClient(t, e, []string{f})
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		e.now.Add(37 * time.Minute)
		setMtime(t, f, e.now.Now().Add(-time.Duration(i%5)*time.Second))
		if _, err := witnessClient(t, e, []string{f}).Validate(ctx); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
}

// TestWitnessOffWithCallerClock: with Config.Now set and no ClockWitnesses, the OS's files
// are not compared with the caller's clock.
func TestWitnessOffWithCallerClock(t *testing.T) {
	t.Parallel()
	back := &clock{t: time.Now().Add(-10 * 24 * time.Hour)}
	e := setup(t, licensingtest.License{}, licensingtest.WithClock(back.Now))
	e.now.Set(back.Now())
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Validate(ctx); err != nil {
		t.Fatalf("a caller's clock ten days back must not meet the OS's files: %v", err)
	}
}

// TestForgedSealClockBackPastWitnessesTrial is the same attack on a trial: it ended in real
// time; the user forges the trial record's seal and time and sets the clock back into the
// trial. The OS's files are dated today, so ValidateTrial says ErrClockRolledBack.
func TestForgedSealClockBackPastWitnessesTrial(t *testing.T) {
	t.Parallel()
	real := time.Now().Truncate(time.Second)
	started := real.Add(-30 * 24 * time.Hour)
	e := setup(t, licensingtest.License{}, licensingtest.WithClock(func() time.Time { return started }))
	e.srv.SetTrialPolicy(licensingtest.TrialPolicy{Length: 14 * 24 * time.Hour})
	e.now.Set(started)
	journal := witnessFile(t, real)
	c := witnessClient(t, e, []string{journal})
	if _, err := c.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	// Used until today: the trial has ended.
	e.now.Set(real)
	if _, err := c.ValidateTrial(ctx); !errors.Is(err, licensing.ErrExpired) {
		t.Fatalf("today: want ErrExpired, got %v", err)
	}
	// The forged record says the last check was a day into the trial; the clock says so too.
	name := "trial/" + e.srv.ProductID
	key := record.SealKey(e.srv.ProductID, e.m.Fingerprint)
	stored, err := e.st.Load(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	got, err := record.Decode(stored, key)
	if err != nil {
		t.Fatal(err)
	}
	rec := *got.Record
	rec.LastSeen = started.Add(24 * time.Hour)
	if err := e.st.Save(ctx, name, record.Encode(rec, key, got.Stamp+1)); err != nil {
		t.Fatal(err)
	}
	e.now.Set(started.Add(24 * time.Hour))
	// The attack is on a fresh start of the app: a new client reads the witnesses.
	if _, err := witnessClient(t, e, []string{journal}).ValidateTrial(ctx); !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Fatalf("with a witness: want ErrClockRolledBack, got %v", err)
	}
	// Without witnesses the forgery would work: the test can fail.
	if _, err := witnessClient(t, e, []string{}).ValidateTrial(ctx); err != nil {
		t.Fatalf("without witnesses: %v", err)
	}
}
