package licensing_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// recordExport is the README's metered call, word for word: it returns whether the app counts
// the use.
func recordExport(ctx context.Context, client *licensing.Client, last *licensing.Activation) (bool, *licensing.Activation, error) {
	use := licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 1}}}
	act, err := client.Sync(ctx, use)
	counted := act != nil && act.Applied             // true with ErrExpired or ErrSuspended too: the server counted it
	if errors.Is(err, licensing.ErrOutcomeUnknown) { // never resend blindly: ask the server
		counted, act, err = client.CheckApplied(ctx, last, use)
	}
	return counted, act, err
}

// TestMeteredCallCountedOnce: an app that follows the README counts each use exactly as often
// as the server does, whatever the answer: success, a license that expired or was suspended
// (the server counts the use and answers with the state), a connection lost after the server
// counted it, a 5xx before it did, a refusal.
func TestMeteredCallCountedOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		setup  func(e *env)
		counts bool
		state  licensing.State
	}{
		{"ok", func(e *env) {}, true, licensing.StateLicensed},
		{"expired", func(e *env) {
			e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.ExpiresAt = time.Now().Add(-time.Hour) })
		}, true, licensing.StateExpired},
		{"suspended", func(e *env) {
			e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.Suspended = true })
		}, true, licensing.StateSuspended},
		{"answer lost after the server counted", func(e *env) {
			e.srv.Inject(licensingtest.Fault{Drop: licensingtest.DropAfterApply})
		}, true, licensing.StateLicensed},
		{"5xx before the server counted", func(e *env) { e.srv.FailNext(1, 503, "") }, false, licensing.StateLicensed},
		{"meter limit", func(e *env) {
			e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.Meters["exports"] = 0 })
		}, false, licensing.StateRefused},
		{"revoked", func(e *env) {
			e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.Revoked = true })
		}, false, licensing.StateNeedsLicense},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100}})
			last, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
			if err != nil {
				t.Fatal(err)
			}
			tc.setup(e)
			counted, act, err := recordExport(ctx, e.client, last)
			server := e.srv.MeterUses(e.key, "exports")
			if counted != tc.counts || server != map[bool]int64{true: 1, false: 0}[tc.counts] {
				t.Fatalf("app counted %v, server counted %d, want %v (err %v)", counted, server, tc.counts, err)
			}
			if got := licensing.StateOf(err); got != tc.state {
				t.Errorf("state %v (%v), want %v", got, err, tc.state)
			}
			if counted && act != nil {
				if _, uses, _ := act.Meter("exports"); uses != 1 {
					t.Errorf("the activation says %d uses", uses)
				}
			}
		})
	}
}

func TestAppliedAndCounted(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100, "prints": 100}})
	sent := []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 2}, {Name: "prints", UsesIncrement: 0}}
	act, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key, MeterAttributes: sent})
	if err != nil || !act.Applied || len(act.Counted) != 1 || act.Counted[0] != sent[0] {
		t.Fatalf("%+v %v", act, err)
	}
	cached, err := e.client.Validate(ctx)
	if err != nil || cached.Applied || cached.Counted != nil {
		t.Fatalf("Validate sent nothing, so applied nothing: %+v %v", cached, err)
	}
	again, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if err != nil || again.Applied {
		t.Fatalf("Activate answered from the cache applies nothing: %+v %v", again, err)
	}
}

// TestActivateExpiredTakesASeat: the server takes a seat for an expired license and answers
// with the state; Activate says it was applied, caches it, and Deactivate frees the seat.
func TestActivateExpiredTakesASeat(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{ExpiresAt: time.Now().Add(-time.Hour), MaxActivations: 1})
	act, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key})
	if !errors.Is(err, licensing.ErrExpired) || act == nil || !act.Applied {
		t.Fatalf("%v %v", act, err)
	}
	if err := e.client.Deactivate(ctx); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.srv.Activation(act.ID); !a.Deactivated {
		t.Fatal("the seat was not freed")
	}
}

func TestCheckApplied(t *testing.T) {
	t.Parallel()
	use := licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 3}}}
	for _, tc := range []struct {
		name    string
		fault   licensingtest.Fault
		applied bool
	}{
		{"dropped after apply", licensingtest.Fault{Drop: licensingtest.DropAfterApply}, true},
		{"dropped before apply", licensingtest.Fault{Drop: licensingtest.DropBeforeApply}, false},
		{"500, not applied", licensingtest.Fault{Status: 500}, false},
	} {
		for _, withBefore := range []bool{true, false} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100}})
				before, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key,
					MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 1}}})
				if err != nil {
					t.Fatal(err)
				}
				e.srv.Inject(tc.fault)
				if _, err := e.client.Sync(ctx, use); !errors.Is(err, licensing.ErrOutcomeUnknown) {
					t.Fatalf("want ErrOutcomeUnknown, got %v", err)
				}
				if !withBefore {
					before = nil // the cached activation's counts
				}
				n := e.srv.RequestCount()
				applied, act, err := e.client.CheckApplied(ctx, before, use)
				if err != nil || applied != tc.applied || act == nil {
					t.Fatalf("applied %v, %v, want %v", applied, err, tc.applied)
				}
				if e.srv.RequestCount() != n+1 {
					t.Fatal("CheckApplied sends exactly one sync")
				}
				if want := map[bool]int64{true: 4, false: 1}[tc.applied]; e.srv.MeterUses(e.key, "exports") != want {
					t.Fatalf("server uses %d, want %d", e.srv.MeterUses(e.key, "exports"), want)
				}
			})
		}
	}
	// Counts that fit neither outcome stay unknown.
	e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100}})
	before, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Sync(ctx, licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 7}}}); err != nil {
		t.Fatal(err)
	}
	if applied, _, err := e.client.CheckApplied(ctx, before, use); applied || !errors.Is(err, licensing.ErrOutcomeUnknown) {
		t.Fatalf("another process's uses: applied %v, %v", applied, err)
	}
}

// TestReadmeMeteredSnippet keeps recordExport above word for word the README's metered call,
// so that TestMeteredCallCountedOnce tests what users copy.
func TestReadmeMeteredSnippet(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("applied_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`act, err := client.Sync(ctx, use)`,
		`counted := act != nil && act.Applied // true with ErrExpired or ErrSuspended too: the server counted it`,
		`if errors.Is(err, licensing.ErrOutcomeUnknown) { // never resend blindly: ask the server`,
		`counted, act, err = client.CheckApplied(ctx, last, use)`,
		`use := licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 1}}}`,
	} {
		if !strings.Contains(squash(string(readme)), line) || !strings.Contains(squash(string(src)), " "+line) {
			t.Errorf("README and recordExport differ at %q", line)
		}
	}
}

// squash turns every run of white space into one space, as gofmt's alignment may differ.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }
