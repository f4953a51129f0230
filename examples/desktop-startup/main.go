// Command desktop-startup is the pattern a desktop app uses: decide at once, with no network,
// from the cached token; activate when there is nothing usable; then keep the activation in
// sync in the background with Watch, reacting to each result the way a user-facing app should.
//
// With no TOLLGATE_* settings it runs against an in-process fake server whose license asks for
// a sync every second, and watches for a few seconds.
//
//	go run ./examples/desktop-startup [-for 3s]
package main

import (
	"context"
	"errors"
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
	client, err := licensing.New(licensing.Config{ProductID: s.ProductID, PublicKey: s.PublicKey, BaseURL: s.APIURL})
	if err != nil {
		fmt.Fprintln(os.Stderr, "desktop-startup: check the TOLLGATE_* settings:", err)
		return 2
	}
	defer client.CloseIdleConnections()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if s.Fake != nil {
		defer client.ClearCache(context.Background()) // leave no demo token behind
	}

	// 1. Start-up: offline, instant.
	act, err := client.Validate(ctx)
	mode := startupMode(act, err)
	fmt.Println("start-up decision (offline):", mode)
	if mode == askForKey {
		// A real app shows its activation dialog here; the demo has the key at hand.
		act, err = client.Activate(ctx, licensing.ActivationRequest{Key: s.LicenseKey, AppVersion: "3.1.0"})
		if err != nil {
			fmt.Println("activation failed:", err)
			return 1
		}
		fmt.Println("activated:", act)
	}

	// 2. In the background: keep the activation in sync until the app exits.
	if watchFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, watchFor)
		defer cancel()
	}
	done := make(chan error, 1)
	go func() {
		done <- client.Watch(ctx, licensing.Update{Key: s.LicenseKey, ReleaseVersion: "3.1.0"},
			func(act *licensing.Activation, err error) { fmt.Println("sync:", afterSync(act, err)) })
	}()
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		fmt.Println("the activation ended:", err, "- ask for a license key at the next start")
	}
	return 0
}

const askForKey = "ask for a license key"

// startupMode turns the offline check into what the app does.
func startupMode(act *licensing.Activation, err error) string {
	switch {
	case err == nil:
		return "full features (" + act.Type + ")"
	case errors.Is(err, licensing.ErrExpired):
		return "read-only: the license expired on " + act.ExpiresAt.Format("2006-01-02") + "; offer renewal"
	case errors.Is(err, licensing.ErrSuspended):
		return "read-only: the license is suspended; tell the user to contact their administrator"
	case errors.Is(err, licensing.ErrGracePeriodOver):
		return "limited: connect to the internet so the license can be confirmed"
	case errors.Is(err, licensing.ErrClockRolledBack), errors.Is(err, licensing.ErrClockOutOfSync):
		return "blocked: the system clock is wrong; ask the user to fix date and time"
	case errors.Is(err, licensing.ErrLeaseExpired):
		return "limited: the floating lease ended; sync to get a new one"
	case errors.Is(err, licensing.ErrCacheUnavailable): // a license may well be cached: never ask for a key
		return "limited: the keychain is locked or not answering; ask the user to unlock it, then retry"
	case licensing.NeedsActivation(err):
		return askForKey
	default: // the machine's signals cannot be read, ...
		return "limited: cannot read the license (" + err.Error() + ")"
	}
}

// afterSync turns the server's answer into what the app does next.
func afterSync(act *licensing.Activation, err error) string {
	var rl *licensing.RateLimitError
	switch {
	case err == nil:
		return fmt.Sprintf("confirmed; the server asks for a sync every %s", act.ServerSyncInterval)
	case act != nil: // expired, suspended or grace over: genuine, and cached
		return "the server says: " + err.Error()
	case errors.As(err, &rl):
		return fmt.Sprintf("rate limited; try again in %s, keep running on the cached token", rl.RetryAfter)
	case errors.Is(err, licensing.ErrLicenseRevoked), errors.Is(err, licensing.ErrActivationNotFound),
		errors.Is(err, licensing.ErrInvalidLicenseKey), errors.Is(err, licensing.ErrFingerprintMismatch):
		return "the license is no longer valid here (the cache was dropped); ask for a key at next start"
	case errors.Is(err, licensing.ErrVMNotAllowed):
		return "this license does not allow virtual machines"
	default: // network, 5xx, timeouts: the cached token stands
		return "offline (" + err.Error() + "); keep running on the cached token"
	}
}
