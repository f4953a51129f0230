package licensing_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/bootclock"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// The class "rollback state its owner can forge": the record a local user can re-seal, the
// record's time frozen by a store that refuses writes, trial records forged or restored, and
// license records restored after the server ended or suspended the license.

// fakeBoot is the kernel's boot clock as a test's wall clock sees it: the boot started at
// trueStart, truth is the real time, wall the clock the user sets. Its start moves back as
// far as wall is set behind truth.
type fakeBoot struct {
	id          string
	trueStart   time.Time
	truth, wall *clock
}

func (b *fakeBoot) read() (bootclock.Boot, bool) {
	return bootclock.Boot{ID: b.id, Start: b.wall.Now().Add(-b.truth.Now().Sub(b.trueStart))}, true
}

// bootClient is a witness client that reads boot as the kernel's boot clock.
func bootClient(t *testing.T, e *env, witnesses []string, boot *fakeBoot) *licensing.Client {
	t.Helper()
	c := witnessClient(t, e, witnesses)
	if boot != nil {
		licensing.SetBootClock(c, boot.read)
	}
	return c
}

// TestClockHeldBackWithRecordResealedDaily is the review's attack: an expired license, the
// clock held each day inside a window below the witnesses' tolerance, the record re-sealed
// before each check, every check a new process (each day a new boot): 150 checks over 30 days
// all said licensed. Now none does: a 20-hour window is past the 15-hour tolerance, and in a
// 13-hour window (inside it) the license has ended all the same, because the OS wrote a file
// after its expiry.
func TestClockHeldBackWithRecordResealedDaily(t *testing.T) {
	t.Parallel()
	for _, window := range []time.Duration{20 * time.Hour, 13 * time.Hour} {
		t.Run(fmt.Sprint(window), func(t *testing.T) {
			t.Parallel()
			expiry := time.Now().Truncate(time.Second).Add(-40 * 24 * time.Hour)
			issued := expiry.Add(-5 * 24 * time.Hour)
			e := setup(t, licensingtest.License{ExpiresAt: expiry}, licensingtest.WithClock(func() time.Time { return issued }))
			e.now.Set(issued)
			if _, err := witnessClient(t, e, nil).UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
				t.Fatal(err)
			}
			// The machine ran past the expiry: the package database was written then and not
			// since; the journal is written at every check, with whatever the clock says.
			packages := witnessFile(t, expiry.Add(time.Hour))
			journal := witnessFile(t, expiry.Add(time.Hour))
			licensed := 0
			for day := range 30 {
				held := expiry.Add(time.Hour - window) // the window ends at the newest file's time
				for k := range 5 {
					wall := held.Add(time.Duration(k) * time.Hour)
					if !wall.Before(expiry) {
						t.Fatal("the attack must keep the clock before the expiry")
					}
					forgeRecord(t, e, wall.Add(-time.Minute))
					e.now.Set(wall)
					setMtime(t, journal, wall)
					if a, err := witnessClient(t, e, []string{packages, journal}).Validate(ctx); err == nil || a != nil && licensing.StateOf(err) == licensing.StateLicensed {
						licensed++
						t.Logf("day %d, check %d: licensed", day, k)
					}
				}
			}
			if licensed != 0 {
				t.Errorf("licensed on %d of 150 checks", licensed)
			}
		})
	}
}

// TestClockSetBackDuringOneBoot: within one boot the kernel's boot clock shows the wall clock
// set back, whatever the record says (here re-sealed with an earlier time, as the review
// forged it) and with no witness at all: in the same process; in a new process of the same boot
// (the record keeps the boot's start); and by less than the rollback tolerance, when the
// license is judged at the kernel's time.
func TestClockSetBackDuringOneBoot(t *testing.T) {
	t.Parallel()
	start := time.Now().Truncate(time.Second)
	e := setup(t, licensingtest.License{ExpiresAt: start.Add(24 * time.Hour)})
	e.now.Set(start)
	truth := &clock{t: start}
	boot := &fakeBoot{id: "boot-1", trueStart: start.Add(-3 * time.Hour), truth: truth, wall: e.now}
	c := bootClient(t, e, []string{}, boot)
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	// 30 hours later, the license has expired; the user sets the clock back 24 hours and
	// re-seals the record.
	truth.Set(start.Add(30 * time.Hour))
	e.now.Set(truth.Now())
	if _, err := c.Validate(ctx); !errors.Is(err, licensing.ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	e.now.Set(truth.Now().Add(-24 * time.Hour))
	forgeRecord(t, e, e.now.Now().Add(-time.Minute))
	if a, err := c.Validate(ctx); a != nil || !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Errorf("same process: %v, %v", a, err)
	}
	if a, err := bootClient(t, e, []string{}, boot).Validate(ctx); a != nil || !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Errorf("new process of the same boot: %v, %v", a, err)
	}
	// Set back by 50 minutes only (below the vendor's 3800-second tolerance), 20 minutes after
	// the expiry: judged at the kernel's time, it has expired.
	truth.Set(start.Add(24*time.Hour + 20*time.Minute))
	e.now.Set(truth.Now().Add(-50 * time.Minute))
	forgeRecord(t, e, e.now.Now().Add(-time.Minute))
	c3 := bootClient(t, e, []string{}, &fakeBoot{id: "boot-1", trueStart: boot.trueStart, truth: truth, wall: e.now})
	if a, err := c3.Validate(ctx); !errors.Is(err, licensing.ErrExpired) && !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Errorf("set back 50 minutes past the expiry: %v, %v", a, err)
	}
}

// failingSaves is a store whose writes fail once failing is set, as a folder made read-only does.
type failingSaves struct {
	store.Store
	failing bool
}

func (f *failingSaves) Save(ctx context.Context, name, value string) error {
	if f.failing {
		return errors.New("read-only file system")
	}
	return f.Store.Save(ctx, name, value)
}

// TestFailedSaveKeepsNewestTime is the review's attack: with the store's folder made read-only
// the last-seen time froze, and an honest record with the clock 2 hours back passed. The client
// keeps the newest time in memory; a clock behind it fails the next check.
func TestFailedSaveKeepsNewestTime(t *testing.T) {
	t.Parallel()
	start := time.Now().Truncate(time.Second)
	server := &clock{t: start}
	e := setup(t, licensingtest.License{}, licensingtest.WithClock(server.Now))
	e.now.Set(start)
	st := &failingSaves{Store: e.st}
	c := e.newClient(t, e.m, st)
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	st.failing = true
	for _, h := range []time.Duration{1, 2, 3} {
		e.now.Set(start.Add(h * time.Hour))
		if _, err := c.Validate(ctx); err != nil {
			t.Fatalf("at +%dh: %v", h, err)
		}
	}
	e.now.Set(start.Add(time.Hour)) // two hours back
	if a, err := c.Validate(ctx); a != nil || !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Errorf("the clock two hours back with the store read-only: %v, %v", a, err)
	}
	// An answer the store refused to keep moves the time too.
	e.now.Set(start.Add(5 * time.Hour))
	server.Set(e.now.Now())
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); !errors.Is(err, licensing.ErrNotCached) {
		t.Fatalf("with the store read-only: %v", err)
	}
	e.now.Set(start.Add(3 * time.Hour))
	if _, err := c.Validate(ctx); !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Errorf("behind an answer the store did not keep: %v", err)
	}
}

// TestEndedTrialNeverRevived is the review's attack: an ended trial came back after the clock
// was set back 61 minutes, with a forged trial record and with a genuine older one restored.
// It must stay ended: in a new process (the OS wrote files after the trial's end), and in the
// same process with no witness at all.
func TestEndedTrialNeverRevived(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{Length: time.Hour})
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	end := e.start.Add(time.Hour)
	e.now.Set(e.start.Add(30 * time.Minute))
	if _, err := e.client.ValidateTrial(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := e.st.Load(ctx, trialName(e.env)) // a genuine record from during the trial
	if err != nil {
		t.Fatal(err)
	}
	after := end.Add(time.Minute)
	e.now.Set(after)
	if _, err := e.client.ValidateTrial(ctx); !errors.Is(err, licensing.ErrExpired) {
		t.Fatalf("ended: %v", err)
	}
	files := witnessFile(t, after) // the OS wrote on after the end
	back := after.Add(-61 * time.Minute)
	for name, put := range map[string]func(){
		"forged record": func() {
			forgeTrialRecord(t, e, back.Add(-time.Minute))
		},
		"restored record": func() {
			if err := e.st.Save(ctx, trialName(e.env), before); err != nil {
				t.Fatal(err)
			}
		},
	} {
		put()
		e.now.Set(back)
		if a, err := witnessClient(t, e.env, []string{files}).ValidateTrial(ctx); !errors.Is(err, licensing.ErrExpired) && !errors.Is(err, licensing.ErrClockRolledBack) {
			t.Errorf("%s, new process, clock 61 minutes back: %v, %v", name, a, err)
		}
		put()
		if a, err := e.client.ValidateTrial(ctx); !errors.Is(err, licensing.ErrExpired) && !errors.Is(err, licensing.ErrClockRolledBack) {
			t.Errorf("%s, same process, no witness, clock 61 minutes back: %v, %v", name, a, err)
		}
	}
}

// TestRestoredRecordAfterTheServerEndedIt is the review's attack: restoring the record from
// before a suspension or a revocation held until the old grace period ended. A client that saw
// the server's newer answer does not go back to the copy: it still says suspended, or not
// activated.
func TestRestoredRecordAfterTheServerEndedIt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		end  func(l *licensingtest.License)
		want error
	}{
		{"suspended", func(l *licensingtest.License) { l.Suspended = true }, licensing.ErrSuspended},
		{"revoked", func(l *licensingtest.License) { l.Revoked = true }, licensing.ErrNotActivated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			server := &clock{t: time.Now().Truncate(time.Second)}
			e := setup(t, licensingtest.License{}, licensingtest.WithClock(server.Now))
			e.now.Set(server.Now())
			if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
				t.Fatal(err)
			}
			name := "activation/" + e.srv.ProductID
			backup, err := e.st.Load(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			e.srv.UpdateLicense(e.key, tc.end)
			server.Add(time.Hour)
			e.now.Add(time.Hour)
			if _, err := e.client.Sync(ctx, licensing.Update{}); err == nil {
				t.Fatal("the server's answer ended nothing")
			}
			if err := e.st.Save(ctx, name, backup); err != nil {
				t.Fatal(err)
			}
			e.now.Add(time.Minute)
			if a, err := e.client.Validate(ctx); !errors.Is(err, tc.want) || tc.want == licensing.ErrNotActivated && a != nil {
				t.Errorf("the restored record: %v, %v", a, err)
			}
		})
	}
}

// forgeTrialRecord is forgeRecord for the trial's record.
func forgeTrialRecord(t *testing.T, e *trialEnv, lastSeen time.Time) {
	t.Helper()
	forgeNamed(t, e.env, trialName(e.env), lastSeen)
}

// TestRealClocksRaiseNoAlarm: a client on the real clocks (no Config.Now: this machine's boot
// clock is read) activates, validates, and a second process validates the record the first
// wrote with this boot's start, without any false ErrClockRolledBack.
func TestRealClocksRaiseNoAlarm(t *testing.T) {
	t.Parallel()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(signingKey()))
	t.Cleanup(srv.Close)
	key := srv.AddLicense(licensingtest.License{})
	st, m := store.NewMemory(), machine("a1")
	newClient := func() *licensing.Client {
		c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
			Store: st, Machine: &m, ClockWitnesses: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	c := newClient()
	if _, err := c.Activate(ctx, licensing.ActivationRequest{Key: key}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.Validate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := newClient().Validate(ctx); err != nil {
		t.Fatalf("a second process of this boot: %v", err)
	}
	stored, err := st.Load(ctx, "activation/"+srv.ProductID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := record.Decode(stored, record.SealKey(srv.ProductID, m.Fingerprint))
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := bootclock.Read(); ok && (got.Record.Boot != b.ID || got.Record.BootStart.IsZero()) {
		t.Errorf("the record does not carry this boot: %q %v, boot %q", got.Record.Boot, got.Record.BootStart, b.ID)
	}
}
