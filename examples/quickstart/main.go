// Command quickstart shows tollgate's whole flow, step by step.
//
// With no configuration it starts a fake activation server (licensingtest) in-process. With
// TOLLGATE_API_URL, TOLLGATE_PRODUCT_ID, TOLLGATE_PUBLIC_KEY, TOLLGATE_LICENSE_KEY and
// TOLLGATE_ACTIVATION_ID set, it runs against that server instead.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/tollgate-dev/tollgate/examples/internal/demo"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/releaseversion"
)

func main() {
	os.Exit(run())
}

func run() int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	s, err := demo.Load(demo.DefaultLicense())
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		return 2
	}
	defer s.Close()
	if s.Fake != nil {
		fmt.Println("No TOLLGATE_API_URL set: using an in-process fake activation server (package licensingtest).")
	} else {
		fmt.Println("Using the activation server at", s.APIURL)
	}

	// Retries are logged at warn level; show them, without timestamps.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelWarn,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	client, err := licensing.New(licensing.Config{
		ProductID: s.ProductID, PublicKey: s.PublicKey, BaseURL: s.APIURL, Logger: logger,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: check the TOLLGATE_* settings:", err)
		return 2
	}
	defer client.CloseIdleConnections()

	fmt.Println("\n1. This machine's signals (fingerprint.Collect):")
	m, err := client.Machine(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		return 1
	}
	fmt.Printf("   os           %s %s\n   hostname     %s\n   fingerprint  %s (from %s)\n   user hash    %s\n   vm           %q\n   container    %v\n",
		m.OS, m.OSVersion, m.Hostname, demo.Short(m.Fingerprint), m.Source, demo.Short(m.UserHash), m.VMName, m.Container)

	fmt.Println("\n2. A deliberately bad update is refused before anything is sent:")
	_, err = client.UpdateActivation(ctx, s.ActivationID, licensing.Update{Key: s.LicenseKey, ReleaseVersion: "v2.0-beta",
		Metadata: []licensing.Metadata{{Key: "", Value: "x"}}, DeviceID: "not-a-uuid"})
	var invalid *licensing.ValidationError
	if !errors.As(err, &invalid) {
		fmt.Fprintln(os.Stderr, "quickstart: expected a validation error, got", err)
		return 1
	}
	for _, f := range invalid.Fields {
		fmt.Printf("   %-16s %s\n", f.Field, f.Message)
	}

	release, _ := releaseversion.Of("v2.0.1-beta.3")
	fmt.Printf("\n3. PATCH /v3/activations/{id} with release %s", release)
	if s.Fake != nil {
		fmt.Print(" (the fake server fails the first try with 503)")
		s.Fake.FailNext(1, 503, "")
	}
	fmt.Println(":")
	before := 0
	if s.Fake != nil {
		before = s.Fake.RequestCount()
	}
	act, err := client.UpdateActivation(ctx, s.ActivationID, licensing.Update{Key: s.LicenseKey,
		ReleaseVersion: release, ReleaseChannel: "beta"})
	if err != nil && (act == nil || errors.Is(err, licensing.ErrUnverified)) {
		fmt.Fprintln(os.Stderr, "quickstart: update failed:", err)
		return 1
	}
	if s.Fake != nil {
		fmt.Printf("   verified after %d tries\n", s.Fake.RequestCount()-before)
	}
	if err != nil {
		fmt.Println("   the license is genuine but:", err)
	}

	fmt.Println("\n4. The verified activation:")
	fmt.Printf("   activation   %s\n   license      %s (%s)\n   licensee     %s <%s>\n", act.ID, act.LicenseID, act.Type, act.Name, act.Email)
	if !act.ExpiresAt.IsZero() {
		fmt.Printf("   expires      %s\n", act.ExpiresAt.UTC().Format("2006-01-02"))
	}
	if act.ServerSyncInterval > 0 {
		fmt.Printf("   sync every   %s, grace period until %s\n", act.ServerSyncInterval, act.GracePeriodExpiresAt.UTC().Format(time.RFC3339))
	}
	if meter, uses, ok := act.Meter("exports"); ok {
		fmt.Printf("   meter        exports: %d used of %d (%d on this machine)\n", meter.TotalUses, meter.AllowedUses, uses)
	}

	fmt.Println("\n5. The token is cached in:", client.CacheLocation(ctx))

	if s.Fake != nil {
		s.Fake.Close() // prove the next step needs no network
		fmt.Println("\n6. Offline Validate, with the server stopped:")
	} else {
		fmt.Println("\n6. Offline Validate:")
	}
	act, err = client.Validate(ctx)
	switch {
	case err == nil:
		fmt.Printf("   licensed: activation %s of license %s\n", act.ID, act.LicenseID)
	case act != nil:
		fmt.Printf("   genuine, but %v\n", err)
	default:
		fmt.Printf("   not licensed: %v\n", err)
		return 1
	}

	if s.Fake != nil {
		if err := client.ClearCache(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "quickstart:", err)
			return 1
		}
		fmt.Println("\nDone. The demo token was removed from the cache again.")
	}
	return 0
}
