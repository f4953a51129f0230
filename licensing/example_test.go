package licensing_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// exampleMachine stands in for fingerprint.Collect, so that the output is the same everywhere.
var exampleMachine = fingerprint.Machine{OS: "linux", OSVersion: "12", Hostname: "example-host",
	Fingerprint: strings.Repeat("5e", 32), UserHash: strings.Repeat("7a", 32)}

func ExampleClient_UpdateActivation() {
	srv := licensingtest.NewServer()
	defer srv.Close()
	key := srv.AddLicense(licensingtest.License{Name: "Ada Lovelace", ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	id := srv.AddActivation(key)

	client, err := licensing.New(licensing.Config{
		ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: store.NewMemory(), Machine: &exampleMachine,
	})
	if err != nil {
		panic(err)
	}
	act, err := client.UpdateActivation(context.Background(), id, licensing.Update{Key: key, ReleaseVersion: "1.4.2"})
	if err != nil {
		fmt.Println("update failed:", err)
		return
	}
	fmt.Println(act.Type, "license of", act.Name, "until", act.ExpiresAt.UTC().Format("2006-01-02"))

	// Every problem with a request is reported at once, before anything is sent. (The key may
	// be left out: the cached activation's is used.)
	_, err = client.UpdateActivation(context.Background(), id, licensing.Update{ReleaseVersion: "v1.4", DeviceID: "42"})
	var invalid *licensing.ValidationError
	if errors.As(err, &invalid) {
		for _, f := range invalid.Fields {
			fmt.Println(f.Field+":", f.Message)
		}
	}
	// Output:
	// node-locked license of Ada Lovelace until 2030-01-01
	// releaseVersion: must be x.x, x.x.x or x.x.x.x, each x a run of ASCII digits
	// deviceId: must be a UUID (8-4-4-4-12 hexadecimal digits)
}

func ExampleClient_Validate() {
	srv := licensingtest.NewServer()
	key := srv.AddLicense(licensingtest.License{})
	id := srv.AddActivation(key)
	st := store.NewMemory()
	client, err := licensing.New(licensing.Config{
		ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Store: st, Machine: &exampleMachine,
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if _, err := client.Validate(ctx); errors.Is(err, licensing.ErrNotActivated) {
		fmt.Println("before the first update: not activated")
	}
	if _, err := client.UpdateActivation(ctx, id, licensing.Update{Key: key}); err != nil {
		panic(err)
	}
	srv.Close() // from here on there is no server at all

	act, err := client.Validate(ctx)
	switch {
	case err == nil:
		fmt.Println("offline: licensed,", act.Type)
	case errors.Is(err, licensing.ErrExpired), errors.Is(err, licensing.ErrSuspended):
		fmt.Println("offline: genuine, but", err)
	default:
		fmt.Println("offline: not licensed:", err)
	}
	// Output:
	// before the first update: not activated
	// offline: licensed, node-locked
}
