package licensingtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// A test of an app's licensing: two fake machines share a license with one seat, the server
// fails on purpose, and the queued faults are cleared. Nothing touches the real machine, its
// keychain or its home folder.
func Example() {
	ctx := context.Background()
	srv := licensingtest.NewServer()
	defer srv.Close()
	key := srv.AddLicense(licensingtest.License{MaxActivations: 1})
	newClient := func(name string) *licensing.Client {
		c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
			Store: store.NewMemory(), Machine: licensingtest.Machine(name)})
		if err != nil {
			panic(err)
		}
		return c
	}
	laptop, desktop := newClient("laptop"), newClient("desktop")

	_, err := laptop.Activate(ctx, licensing.ActivationRequest{Key: key})
	fmt.Println("laptop:", licensing.StateOf(err))
	_, err = desktop.Activate(ctx, licensing.ActivationRequest{Key: key})
	fmt.Println("desktop:", licensing.StateOf(err), errors.Is(err, licensing.ErrActivationLimitReached))

	srv.Inject(licensingtest.Fault{Status: 404})
	_, err = laptop.Sync(ctx, licensing.Update{})
	fmt.Println("laptop, server says 404:", licensing.StateOf(err))

	srv.FailNext(10, 503, "")
	fmt.Println("faults cleared:", srv.ClearFaults())
	_, err = laptop.Activate(ctx, licensing.ActivationRequest{Key: key}) // the 404 dropped its cache
	fmt.Println("laptop again:", licensing.StateOf(err))
	// Output:
	// laptop: licensed
	// desktop: refused true
	// laptop, server says 404: needs a license
	// faults cleared: 10
	// laptop again: licensed
}
