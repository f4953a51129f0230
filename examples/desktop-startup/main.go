// Command desktop-startup is the pattern a desktop app uses at start-up: decide at once, with
// no network, from the cached token; then sync with the server in the background and react
// to what it says, the way a user-facing app should.
//
// With no TOLLGATE_* settings it runs against an in-process fake server, activating first so
// that there is something to validate.
//
//	go run ./examples/desktop-startup
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tollgate-dev/tollgate/examples/internal/demo"
	"github.com/tollgate-dev/tollgate/licensing"
)

func main() { os.Exit(run()) }

func run() int {
	s, err := demo.Load(demo.DefaultLicense())
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
	ctx := context.Background()
	if s.Fake != nil {
		// A first run: the user entered their key in the activation dialog.
		if _, err := client.UpdateActivation(ctx, s.ActivationID, licensing.Update{Key: s.LicenseKey}); err != nil {
			fmt.Fprintln(os.Stderr, "desktop-startup: first activation:", err)
			return 1
		}
		defer client.ClearCache(ctx)
	}

	// 1. Start-up: offline, instant.
	act, err := client.Validate(ctx)
	mode := startupMode(act, err)
	fmt.Println("start-up decision (offline):", mode)
	if mode == "ask for a license key" {
		return 0
	}

	// 2. In the background: sync, bounded so that a dead network costs the app nothing.
	done := make(chan struct{})
	go func() {
		defer close(done)
		syncCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		act, err := client.UpdateActivation(syncCtx, s.ActivationID, licensing.Update{Key: s.LicenseKey})
		fmt.Println("background sync:", afterSync(act, err))
	}()
	<-done
	return 0
}

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
	case licensing.NeedsActivation(err):
		return "ask for a license key"
	default: // the keychain is locked, the machine's signals cannot be read, ...
		return "limited: cannot read the license (" + err.Error() + ")"
	}
}

// afterSync turns the server's answer into what the app does next.
func afterSync(act *licensing.Activation, err error) string {
	var rl *licensing.RateLimitError
	switch {
	case err == nil:
		return fmt.Sprintf("confirmed; next sync in %s", act.ServerSyncInterval)
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
