package licensingtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// The four trial states a test can put the server in: active, ended, not allowed and limit
// reached.
func ExampleServer_SetTrialPolicy() {
	ctx := context.Background()
	srv := licensingtest.NewServer()
	defer srv.Close()
	client := func(name string) *licensing.Client {
		c, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
			Store: store.NewMemory(), Machine: licensingtest.Machine(name)})
		if err != nil {
			panic(err)
		}
		return c
	}

	srv.SetTrialPolicy(licensingtest.TrialPolicy{MaxActivations: 2})
	act, err := client("laptop").ActivateTrial(ctx, licensing.TrialRequest{})
	fmt.Println("active:", err == nil, act.Trial)

	srv.EndTrial(act.ID)
	_, err = client("laptop").ActivateTrial(ctx, licensing.TrialRequest{}) // the same machine gets it back
	fmt.Println("ended:", errors.Is(err, licensing.ErrExpired))

	srv.SetTrialPolicy(licensingtest.TrialPolicy{Length: -time.Hour}) // new trials have already ended
	_, err = client("desktop").ActivateTrial(ctx, licensing.TrialRequest{})
	fmt.Println("born ended:", errors.Is(err, licensing.ErrExpired))

	srv.SetTrialPolicy(licensingtest.TrialPolicy{MaxActivations: 2})
	_, err = client("tablet").ActivateTrial(ctx, licensing.TrialRequest{})
	fmt.Println("limit reached:", errors.Is(err, licensing.ErrTrialActivationLimitReached))

	srv.SetTrialPolicy(licensingtest.TrialPolicy{NotAllowed: true})
	_, err = client("phone").ActivateTrial(ctx, licensing.TrialRequest{})
	fmt.Println("not allowed:", errors.Is(err, licensing.ErrTrialNotAllowed))
	// Output:
	// active: true true
	// ended: true
	// born ended: true
	// limit reached: true
	// not allowed: true
}

func ExampleServer_AddRelease() {
	srv := licensingtest.NewServer()
	defer srv.Close()
	srv.AddRelease(licensingtest.Release{Version: "2.0.1", Platforms: []string{"windows"}, Notes: "Fixes."})
	srv.AddRelease(licensingtest.Release{Version: "2.1", Channel: "beta", OldShape: true}) // "published", "platform"
	client, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: store.NewMemory(), Machine: licensingtest.Machine("pc")})
	if err != nil {
		panic(err)
	}
	// The allowed check asks about a license: without one cached, nothing is installable.
	if _, err := client.Activate(context.Background(), licensing.ActivationRequest{Key: srv.AddLicense(licensingtest.License{})}); err != nil {
		panic(err)
	}
	for _, q := range []licensing.ReleaseQuery{
		{Platform: "windows", Version: "2.0.0"},
		{Platform: "windows", Version: "2.0"}, // the server compares only the parts sent: 2.0 = 2.0.1
		{Platform: "windows", Version: "2.0.1"},
		{Platform: "linux", Version: "2.0"},
		{Platform: "linux", Channel: "beta", Version: "2.0"},
	} {
		rel, err := client.CheckReleaseUpdate(context.Background(), q)
		switch {
		case err != nil:
			fmt.Println(err)
		case rel == nil:
			fmt.Println(q.Platform, q.Channel, q.Version, "-> none")
		default:
			fmt.Println(q.Platform, q.Channel, q.Version, "->", rel.Version, rel.Channel)
		}
	}
	// Output:
	// windows  2.0.0 -> 2.0.1 stable
	// windows  2.0 -> none
	// windows  2.0.1 -> none
	// linux  2.0 -> none
	// linux beta 2.0 -> 2.1 beta
}
