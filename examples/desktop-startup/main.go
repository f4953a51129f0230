// Command desktop-startup is the pattern a desktop app uses: decide at once, with no network,
// from the cached license or trial; when there is neither, activate the key the user enters,
// or start a trial when the user has none; tell the user when a newer release exists; then keep
// the activation (or the trial) in sync in the background with Watch, and show the user what
// each result means through [licensing.StateOf]. The app keeps neither the license key nor the
// activation id: the SDK remembers them, and renews a lapsed floating lease with them.
//
// The licensing part, from licensing.New to the end of the file, is 41 lines of code (lines
// that are neither blank nor only a comment).
//
// With no TOLLGATE_* settings it runs against an in-process fake server whose license asks for
// a sync every second, and watches for a few seconds. With -trial the user has no key, and a
// trial starts instead.
//
//	go run ./examples/desktop-startup [-for 3s] [-trial]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/tollgate-dev/tollgate/examples/internal/demo"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

func main() {
	watchFor := flag.Duration("for", 3*time.Second, "how long to keep the activation in sync before exiting (0 = until interrupted)")
	trial := flag.Bool("trial", false, "the user has no license key: start a trial")
	flag.Parse()
	os.Exit(run(*watchFor, *trial))
}

// appVersion is this app's release version.
const appVersion = "3.1.0"

func run(watchFor time.Duration, trial bool) int {
	lic := demo.DefaultLicense()
	lic.ServerSyncInterval = time.Second
	s, err := demo.Load(lic)
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop-startup:", err)
		return 2
	}
	defer s.Close()
	if s.Fake != nil { // the fake server offers a newer release
		s.Fake.AddRelease(licensingtest.Release{Version: "3.2.0", Notes: "Faster exports."})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if watchFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, watchFor)
		defer cancel()
	}
	askForKey := func() string { // a real app shows its activation dialog, with "Start a trial"
		if trial {
			return ""
		}
		return s.LicenseKey
	}

	client, err := licensing.New(licensing.Config{ProductID: s.ProductID, PublicKey: s.PublicKey, BaseURL: s.APIURL, Store: s.Store})
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop-startup: check the TOLLGATE_* settings:", err)
		return 2
	}
	defer client.CloseIdleConnections()
	act, err := client.ValidateLicenseOrTrial(ctx) // offline, instant; a license wins over a trial
	if licensing.NeedsActivation(err) {            // neither a license nor a trial on this machine
		if key := askForKey(); key != "" {
			act, err = client.Activate(ctx, licensing.ActivationRequest{Key: key, ReleaseVersion: appVersion})
		} else {
			act, err = client.ActivateTrial(ctx, licensing.TrialRequest{ReleaseVersion: appVersion})
		}
	}
	show(act, err)
	// An update notice; no answer (offline, say) is no notice. A release this license (or a
	// trial, which has no key) may not install is told apart: it is not offered for download.
	rel, err := client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: runtime.GOOS, Version: appVersion})
	var notAllowed *licensing.ReleaseNotAllowedError
	switch {
	case rel != nil:
		fmt.Printf("update available: %s (you have %s): %s\n", rel.Version, appVersion, rel.Notes)
	case errors.As(err, &notAllowed):
		fmt.Printf("version %s is out (you have %s); a license that covers it installs it\n", notAllowed.Release.Version, appVersion)
	}
	// In the background (a real app writes go client.Watch(...) and runs its UI): Watch returns
	// when ctx ends or the server ends the activation, which it has already passed to show. It
	// syncs the trial as it does a license.
	_ = client.Watch(ctx, licensing.Update{ReleaseVersion: appVersion}, show)
	return 0
}

// show tells the user what a result means: the app's whole handling of licensing errors.
func show(act *licensing.Activation, err error) {
	if act != nil && act.Trial && errors.Is(err, licensing.ErrExpired) {
		fmt.Println("the trial has ended: enter a license key at the next start")
		return
	}
	switch licensing.StateOf(err) {
	case licensing.StateLicensed:
		fmt.Println("full features:", describe(act))
	case licensing.StateExpired, licensing.StateSuspended, licensing.StateGracePeriodOver:
		fmt.Println("read-only (the license is genuine, but):", err) // act says until when, and why
	case licensing.StateLeaseExpired, licensing.StateRetryLater, licensing.StateOutcomeUnknown:
		fmt.Println("carrying on as before; the license server will be asked again:", err)
	case licensing.StateFixClock:
		fmt.Println("blocked: set the system's date and time, then restart")
	case licensing.StateCacheUnavailable:
		fmt.Println("limited: unlock the system keychain so the license can be read")
	case licensing.StateNeedsLicense, licensing.StateRefused, licensing.StateInvalidRequest:
		fmt.Println("not licensed on this machine:", err, "- enter a license key at the next start")
	}
}

// describe is what the app shows of an activation. (Printing act itself shows its fields with
// the token as [redacted]: useful in a log, not in a title bar.)
func describe(act *licensing.Activation) string {
	if act == nil {
		return "licensed"
	}
	s := "activation " + act.ID + " of license " + act.LicenseID
	if act.Trial {
		s = "trial activation " + act.ID
	}
	if !act.ExpiresAt.IsZero() {
		s += ", expires " + act.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return s
}
