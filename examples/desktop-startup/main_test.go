package main

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/examples/internal/demo"
	"github.com/tollgate-dev/tollgate/internal/testhome"
	"github.com/tollgate-dev/tollgate/licensing"
	"go.uber.org/goleak"
)

// capture returns what fn prints.
func capture(t *testing.T, fn func()) string {
	t.Helper()
	out, err := demo.CaptureStdout(fn)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDesktopStartupRuns(t *testing.T) {
	t.Setenv("TOLLGATE_API_URL", "")
	var code int
	out := capture(t, func() { code = run(1500*time.Millisecond, false) })
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	// The start-up result, then at least one sync from Watch, each licensed.
	if n := strings.Count(out, "full features: activation"); n < 2 {
		t.Fatalf("want the start-up and a sync licensed, got:\n%s", out)
	}
	if !strings.Contains(out, "update available: 3.2.0 (you have 3.1.0)") {
		t.Fatalf("no update notice:\n%s", out)
	}
}

// TestDesktopStartupTrial: a user without a key gets a trial, which Watch then syncs.
func TestDesktopStartupTrial(t *testing.T) {
	t.Setenv("TOLLGATE_API_URL", "")
	var code int
	out := capture(t, func() { code = run(1500*time.Millisecond, true) })
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if n := strings.Count(out, "full features: trial activation"); n < 2 || strings.Contains(out, "full features: activation") {
		t.Fatalf("want the trial started and synced, and no license, got:\n%s", out)
	}
	if !strings.Contains(out, "version 3.2.0 is out (you have 3.1.0)") || strings.Contains(out, "update available") {
		t.Fatalf("no update notice:\n%s", out)
	}
	ended := capture(t, func() { show(&licensing.Activation{Trial: true}, licensing.ErrExpired) })
	if !strings.Contains(ended, "the trial has ended") {
		t.Fatalf("an ended trial shows %q", ended)
	}
}

// TestShowHandlesEveryState: every State gets its own message for the user.
func TestShowHandlesEveryState(t *testing.T) {
	act := &licensing.Activation{Type: "node-locked"}
	covered := map[licensing.State]bool{}
	for _, err := range []error{nil, licensing.ErrExpired, licensing.ErrSuspended, licensing.ErrGracePeriodOver, licensing.ErrLeaseExpired, licensing.ErrClockRolledBack,
		licensing.ErrCacheUnavailable, licensing.ErrNotActivated, licensing.ErrVMNotAllowed, licensing.ErrInvalidRequest,
		licensing.ErrOutcomeUnknown, errors.New("dial tcp: refused")} {
		covered[licensing.StateOf(err)] = true
		out := capture(t, func() { show(act, err) })
		if sc := bufio.NewScanner(bytes.NewReader([]byte(out))); !sc.Scan() || sc.Text() == "" {
			t.Errorf("%v (%v): nothing shown", err, licensing.StateOf(err))
		}
	}
	for s := licensing.StateLicensed; s <= licensing.StateInvalidRequest; s++ {
		if !covered[s] {
			t.Errorf("no error of state %v is tried", s)
		}
	}
}

// TestMain checks that the example leaves no goroutine behind, and keeps it out of the real home.
func TestMain(m *testing.M) { goleak.VerifyTestMain(testhome.M(m)) }
