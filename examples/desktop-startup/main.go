// Command desktop-startup is the pattern a desktop app uses: decide at once, with no network,
// from the cached activation; activate when there is none; then keep the activation in sync in
// the background with Watch, and show the user what each result means through
// [licensing.StateOf]. The app keeps neither the license key nor the activation id: the SDK
// remembers them, and renews a lapsed floating lease with them.
//
// The licensing part, from licensing.New to the end of the file, is 30 lines of code (lines
// that are neither blank nor only a comment).
//
// With no TOLLGATE_* settings it runs against an in-process fake server whose license asks for
// a sync every second, and watches for a few seconds.
//
//	go run ./examples/desktop-startup [-for 3s]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/tollgate-dev/tollgate/examples/internal/demo"
	"github.com/tollgate-dev/tollgate/licensing"
)

func main() {
	watchFor := flag.Duration("for", 3*time.Second, "how long to keep the activation in sync before exiting (0 = until interrupted)")
	flag.Parse()
	os.Exit(run(*watchFor))
}

func run(watchFor time.Duration) int {
	lic := demo.DefaultLicense()
	lic.ServerSyncInterval = time.Second
	s, err := demo.Load(lic)
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop-startup:", err)
		return 2
	}
	defer s.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if watchFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, watchFor)
		defer cancel()
	}
	askForKey := func() string { return s.LicenseKey } // a real app shows its activation dialog

	client, err := licensing.New(licensing.Config{ProductID: s.ProductID, PublicKey: s.PublicKey, BaseURL: s.APIURL, Store: s.Store})
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop-startup: check the TOLLGATE_* settings:", err)
		return 2
	}
	defer client.CloseIdleConnections()
	act, err := client.Validate(ctx) // offline, instant
	if licensing.NeedsActivation(err) {
		act, err = client.Activate(ctx, licensing.ActivationRequest{Key: askForKey(), ReleaseVersion: "3.1.0"})
	}
	show(act, err)
	// In the background (a real app writes go client.Watch(...) and runs its UI): Watch returns
	// when ctx ends or the server ends the activation, which it has already passed to show.
	_ = client.Watch(ctx, licensing.Update{ReleaseVersion: "3.1.0"}, show)
	return 0
}

// show tells the user what a result means: the app's whole handling of licensing errors.
func show(act *licensing.Activation, err error) {
	switch licensing.StateOf(err) {
	case licensing.StateLicensed:
		fmt.Println("full features:", act)
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
