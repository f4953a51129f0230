// Command sign-in shows a named-user license: the user signs in with e-mail and password (and a
// second-factor code) instead of typing a license key, picks one of their licenses, and this
// machine activates it; the update check then says whether the license may install the newest
// release.
//
// It runs against an in-process fake server (package licensingtest), whose user, licenses and
// releases it sets up itself.
//
//	go run ./examples/sign-in
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

func main() { os.Exit(run()) }

func run() int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fake := licensingtest.NewServer(licensingtest.WithProductID("prod-sign-in"))
	defer fake.Close()
	named := fake.AddLicense(licensingtest.License{RequireAuthentication: true, MaxActivations: 3, MaxAllowedReleaseVersion: "2.4"})
	fake.AddUser(licensingtest.User{Email: "ada@example.com", Password: "correct horse", SecondFactorCode: "246810",
		Licenses: []string{named}})
	fake.AddRelease(licensingtest.Release{Version: "3.0.0", Notes: "A new engine."})

	client, err := licensing.New(licensing.Config{ProductID: fake.ProductID, PublicKey: fake.PublicKey, BaseURL: fake.URL,
		Store: store.NewMemory()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sign-in:", err)
		return 2
	}
	defer client.CloseIdleConnections()
	fail := func(step string, err error) int {
		fmt.Fprintf(os.Stderr, "sign-in: %s: %v\n", step, err)
		return 1
	}

	// 1. Sign in. The app's dialog asks for the code only when the server says it is needed.
	in := licensing.PasswordSignIn{Email: "ada@example.com", Password: "correct horse"}
	session, err := client.SignIn(ctx, in)
	fmt.Println("1. sign in without the code:", licensing.StateOf(err))
	if licensing.StateOf(err) == licensing.StateNeedsSecondFactor {
		in.SecondFactorCode = "246810" // what the user typed from their authenticator app
		session, err = client.SignIn(ctx, in)
	}
	if err != nil {
		return fail("sign in", err)
	}
	fmt.Println("   with the code: signed in as", session.Email())

	// 2. The user's licenses of this product; a real app lets the user pick one.
	lics, err := session.Licenses(ctx)
	if err != nil {
		return fail("licenses", err)
	}
	for _, l := range lics {
		fmt.Printf("2. license: %s, named user %v, %d seats used of %d\n", l.Type, l.RequireAuthentication, l.TotalActivations, l.AllowedActivations)
	}

	// 3. Activate it: a named-user license's activation carries the user's credentials.
	act, err := session.Activate(ctx, lics[0], licensing.ActivationRequest{AppVersion: "2.4.1"})
	if err != nil {
		return fail("activate", err)
	}
	fmt.Println("3. activated:", act.Type, "license, applied", act.Applied)
	session.SignOut() // the access token and password are forgotten; the activation stays cached
	_, err = session.Licenses(ctx)
	fmt.Println("   after sign-out:", errors.Is(err, licensing.ErrSignedOut))

	// 4. From here on it is an activation like any other: offline start-up, sync, and 5. the
	// update check, which tells a newer release this license may not install.
	if _, err := client.Validate(ctx); err != nil {
		return fail("validate", err)
	}
	if _, err := client.Sync(ctx, licensing.Update{}); err != nil {
		return fail("sync", err)
	}
	fmt.Println("4. offline validate and sync: licensed")
	rel, err := client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "2.4.1"})
	var notAllowed *licensing.ReleaseNotAllowedError
	switch {
	case errors.As(err, &notAllowed):
		fmt.Printf("5. release %s exists (%s), but this license may not install it: %v\n",
			notAllowed.Release.Version, notAllowed.Release.Notes, licensing.StateOf(err))
	case err != nil:
		return fail("update check", err)
	case rel != nil:
		fmt.Println("5. update available:", rel.Version)
	}

	// 6. Free the seat.
	if err := client.Deactivate(ctx); err != nil {
		return fail("deactivate", err)
	}
	fmt.Println("6. deactivated")
	return 0
}
