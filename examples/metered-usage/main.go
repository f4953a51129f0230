// Command metered-usage records uses of a meter attribute and handles ErrOutcomeUnknown
// correctly: a request carrying increments is never sent twice blindly. When its outcome is
// unknown, an update without increments (safe to repeat) fetches a fresh token, whose
// activation meter uses say whether the increment was applied.
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
	"github.com/tollgate-dev/tollgate/token"
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
		Store: token.NewMemoryStore()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "metered-usage: check the TOLLGATE_* settings:", err)
		return 2
	}
	defer client.CloseIdleConnections()
	ctx := context.Background()

	for i, n := range []int64{1, 2, 5} {
		beforeSend := func() {}
		if s.Fake != nil && i == 1 {
			// The connection drops after the server counted the uses: the answer is lost.
			beforeSend = func() { s.Fake.Inject(licensingtest.Fault{Drop: licensingtest.DropAfterApply}) }
		}
		uses, err := record(ctx, client, s, n, beforeSend)
		if err != nil {
			fmt.Fprintln(os.Stderr, "metered-usage:", err)
			return 1
		}
		fmt.Printf("recorded %d %s; this machine has used %d\n", n, meter, uses)
	}
	return 0
}

// record adds n uses exactly once and returns this activation's uses afterwards. beforeSend
// lets the demo break the connection at the worst moment.
func record(ctx context.Context, c *licensing.Client, s demo.Settings, n int64, beforeSend func()) (int64, error) {
	before, err := usesNow(ctx, c, s)
	if err != nil {
		return 0, err
	}
	beforeSend()
	act, err := c.UpdateActivation(ctx, s.ActivationID, licensing.Update{Key: s.LicenseKey,
		MeterAttributes: []licensing.MeterAttribute{{Name: meter, UsesIncrement: n}}})
	switch {
	case errors.Is(err, licensing.ErrOutcomeUnknown):
		// Do not resend: ask the server what it recorded.
		fmt.Println("  the answer was lost after the request was sent; checking the server's count")
		after, err := usesNow(ctx, c, s)
		if err != nil {
			return 0, err
		}
		if after == before+n {
			fmt.Println("  the server had counted them: nothing to resend")
			return after, nil
		}
		fmt.Println("  the server had not counted them: sending again")
		return record(ctx, c, s, n, func() {})
	case errors.Is(err, licensing.ErrMeterLimitReached):
		return 0, fmt.Errorf("the license's %s are used up", meter)
	case err != nil && act == nil:
		return 0, err
	}
	_, uses, _ := act.Meter(meter)
	return uses, nil
}

// usesNow syncs without increments, which is safe to repeat, and reads this activation's uses.
func usesNow(ctx context.Context, c *licensing.Client, s demo.Settings) (int64, error) {
	act, err := c.UpdateActivation(ctx, s.ActivationID, licensing.Update{Key: s.LicenseKey})
	if err != nil && act == nil {
		return 0, err
	}
	_, uses, _ := act.Meter(meter)
	return uses, nil
}
