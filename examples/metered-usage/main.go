// Command metered-usage records uses of a meter attribute exactly once, as the README says:
// the server counted a use exactly when the call returns an *Activation whose Applied is set,
// whatever the error (an expired license still counts it); a request carrying increments is
// never sent twice blindly; and when its outcome is unknown, Client.CheckApplied asks the server
// with a sync that carries no increments (safe to repeat) whether it was counted.
//
//	go run ./examples/metered-usage
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tollgate-dev/tollgate/examples/internal/demo"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

const meter = "exports"

func main() { os.Exit(run()) }

func run() int {
	s, err := demo.Load(demo.DefaultLicense())
	if err != nil {
		fmt.Fprintln(os.Stderr, "metered-usage:", err)
		return 2
	}
	defer s.Close()
	client, err := licensing.New(licensing.Config{ProductID: s.ProductID, PublicKey: s.PublicKey, BaseURL: s.APIURL,
		Store: store.NewMemory()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "metered-usage: check the TOLLGATE_* settings:", err)
		return 2
	}
	defer client.CloseIdleConnections()
	ctx := context.Background()

	// The first sync caches the activation; from then on Sync needs neither its id nor its key.
	last, err := client.UpdateActivation(ctx, s.ActivationID, licensing.Update{Key: s.LicenseKey})
	if err != nil && last == nil {
		fmt.Fprintln(os.Stderr, "metered-usage:", err)
		return 1
	}
	for i, n := range []int64{1, 2, 5} {
		if s.Fake != nil && i == 1 {
			// The connection drops after the server counted the uses: the answer is lost.
			s.Fake.Inject(licensingtest.Fault{Drop: licensingtest.DropAfterApply})
		}
		act, err := record(ctx, client, n, last)
		if (err != nil && act == nil) || errors.Is(err, licensing.ErrOutcomeUnknown) {
			fmt.Fprintln(os.Stderr, "metered-usage:", err)
			return 1
		}
		_, uses, _ := act.Meter(meter)
		fmt.Printf("recorded %d %s; this machine has used %d\n", n, meter, uses)
		last = act
	}
	return 0
}

// record adds n uses exactly once. last is the activation as the app knew it before.
func record(ctx context.Context, c *licensing.Client, n int64, last *licensing.Activation) (*licensing.Activation, error) {
	use := licensing.Update{MeterAttributes: []licensing.MeterAttribute{{Name: meter, UsesIncrement: n}}}
	act, err := c.Sync(ctx, use)
	switch {
	case errors.Is(err, licensing.ErrOutcomeUnknown):
		// Do not resend: ask the server what it recorded.
		fmt.Println("  the answer was lost after the request was sent; checking the server's count")
		counted, act, err := c.CheckApplied(ctx, last, use)
		switch {
		case counted:
			fmt.Println("  the server had counted them: nothing to resend")
			return act, err
		case err != nil:
			// Still unknown (another instance metered meanwhile), or the check itself failed:
			// resending could count twice, so do not; tell the user or try the check later.
			return act, err
		}
		fmt.Println("  the server had not counted them: sending again")
		return record(ctx, c, n, act)
	case errors.Is(err, licensing.ErrMeterLimitReached):
		return nil, fmt.Errorf("the license's %s are used up", meter)
	}
	return act, err // with ErrExpired, say, act is set and Applied: the uses were counted
}
