package licensing_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/releaseversion"
	"github.com/tollgate-dev/tollgate/store"
)

// exampleNow is the clock of the trial examples, so that their output is the same every day.
var exampleNow = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

// trialExample starts a fake server whose trials last 14 days and a client on the same clock.
func trialExample(now *time.Time) (*licensingtest.Server, *licensing.Client) {
	srv := licensingtest.NewServer(licensingtest.WithClock(func() time.Time { return exampleNow }))
	srv.SetTrialPolicy(licensingtest.TrialPolicy{Length: 14 * 24 * time.Hour})
	client, err := licensing.New(licensing.Config{
		ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: store.NewMemory(), Machine: &exampleMachine, Now: func() time.Time { return *now },
	})
	if err != nil {
		panic(err)
	}
	return srv, client
}

func ExampleClient_ActivateTrial() {
	now := exampleNow
	srv, client := trialExample(&now)
	defer srv.Close()

	act, err := client.ActivateTrial(context.Background(), licensing.TrialRequest{ReleaseVersion: "1.4.2"})
	switch {
	case errors.Is(err, licensing.ErrTrialNotAllowed):
		fmt.Println("this product offers no trial: ask for a license key")
	case errors.Is(err, licensing.ErrTrialActivationLimitReached):
		fmt.Println("no more trials: ask for a license key")
	case errors.Is(err, licensing.ErrExpired):
		fmt.Println("the trial on this machine ended on", act.ExpiresAt.UTC().Format("2006-01-02"))
	case err != nil:
		fmt.Println("cannot start a trial now:", err)
	default:
		fmt.Println("trial:", act.Trial, "- ends", act.ExpiresAt.UTC().Format("2006-01-02"))
	}
	// Output:
	// trial: true - ends 2030-01-15
}

func ExampleClient_ValidateTrial() {
	now := exampleNow
	srv, client := trialExample(&now)
	ctx := context.Background()
	if _, err := client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		panic(err)
	}
	srv.Close() // from here on there is no server at all

	act, err := client.ValidateTrial(ctx)
	fmt.Println("day 1:", err == nil, act.ExpiresAt.Sub(now).Hours()/24, "days left")

	now = now.Add(15 * 24 * time.Hour)
	_, err = client.ValidateTrial(ctx)
	fmt.Println("day 16:", errors.Is(err, licensing.ErrExpired))

	now = now.Add(-2 * 24 * time.Hour) // setting the clock back does not bring the trial back
	_, err = client.ValidateTrial(ctx)
	fmt.Println("clock set back two days:", errors.Is(err, licensing.ErrClockRolledBack))
	// Output:
	// day 1: true 14 days left
	// day 16: true
	// clock set back two days: true
}

func ExampleClient_SyncTrial() {
	now := exampleNow
	srv, client := trialExample(&now)
	defer srv.Close()
	ctx := context.Background()
	trial, err := client.ActivateTrial(ctx, licensing.TrialRequest{ReleaseVersion: "1.4.2"})
	if err != nil {
		panic(err)
	}
	srv.ExtendTrial(trial.ID, 30*24*time.Hour) // the vendor extends this machine's trial

	// The app was updated: tell the server, and learn the trial's new end.
	act, err := client.SyncTrial(ctx, licensing.TrialRequest{ReleaseVersion: "1.5.0"})
	if err != nil {
		panic(err)
	}
	fmt.Println("trial now ends", act.ExpiresAt.UTC().Format("2006-01-02"))
	// Output:
	// trial now ends 2030-01-31
}

func ExampleClient_ValidateLicenseOrTrial() {
	now := exampleNow
	srv, client := trialExample(&now)
	defer srv.Close()
	ctx := context.Background()

	act, err := client.ValidateLicenseOrTrial(ctx)
	if licensing.NeedsActivation(err) {
		// Neither a license nor a trial: this is the first start. Offer the trial.
		act, err = client.ActivateTrial(ctx, licensing.TrialRequest{})
	}
	switch {
	case err == nil && act.Trial:
		fmt.Println("trial mode until", act.ExpiresAt.UTC().Format("2006-01-02"))
	case err == nil:
		fmt.Println("licensed")
	case errors.Is(err, licensing.ErrExpired) && act.Trial:
		fmt.Println("the trial ended: ask for a license key")
	default:
		fmt.Println("limited mode:", err)
	}
	// Output:
	// trial mode until 2030-01-15
}

func ExampleClient_ClearTrialCache() {
	now := exampleNow
	srv, client := trialExample(&now)
	defer srv.Close()
	ctx := context.Background()
	if _, err := client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		panic(err)
	}
	if err := client.ClearTrialCache(ctx); err != nil {
		panic(err)
	}
	_, err := client.ValidateTrial(ctx)
	fmt.Println(errors.Is(err, licensing.ErrNotActivated))
	// The trial is still on the server: starting it again gets it back, with its original end.
	act, _ := client.ActivateTrial(ctx, licensing.TrialRequest{})
	fmt.Println(act.ExpiresAt.UTC().Format("2006-01-02"))
	// Output:
	// true
	// 2030-01-15
}

func ExampleClient_CheckReleaseUpdate() {
	srv := licensingtest.NewServer()
	defer srv.Close()
	srv.AddRelease(licensingtest.Release{Version: "1.5.0", Name: "Spring release", Platforms: []string{"linux"},
		Notes: "Faster exports.", Files: []licensingtest.ReleaseFile{{Name: "app-1.5.0.tar.gz",
			URL: "https://downloads.example.com/app-1.5.0.tar.gz", Size: 18, Checksum: "sha256:" + "00"}}})
	client, err := licensing.New(licensing.Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL,
		Store: store.NewMemory(), Machine: &exampleMachine})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if _, err := client.Activate(ctx, licensing.ActivationRequest{Key: srv.AddLicense(licensingtest.License{})}); err != nil {
		panic(err) // the release check speaks for the cached license
	}

	version, err := releaseversion.Of("v1.4.2-rc.1") // this app's semantic version
	if err != nil {
		panic(err)
	}
	rel, err := client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: version})
	switch {
	case err != nil:
		fmt.Println("cannot check for updates now:", err)
	case rel == nil:
		fmt.Println("up to date")
	default:
		fmt.Printf("%s (%s) is available: %s\n", rel.Version, rel.Name, rel.Notes)
		for _, f := range rel.Files {
			fmt.Println("download", f.URL, f.Size, "bytes")
		}
	}
	rel, err = client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.5"})
	fmt.Println(rel == nil && err == nil)
	// Output:
	// 1.5.0 (Spring release) is available: Faster exports.
	// download https://downloads.example.com/app-1.5.0.tar.gz 18 bytes
	// true
}

func ExampleReleaseFile_Verify() {
	download := []byte("release 1.5.0 data")
	sum := sha256.Sum256(download)
	f := licensing.ReleaseFile{Name: "app-1.5.0.tar.gz", Size: int64(len(download)), Checksum: hex.EncodeToString(sum[:])}

	fmt.Println(f.Verify(context.Background(), bytes.NewReader(download)))

	download[0] ^= 1 // one bit flipped on the way
	err := f.Verify(context.Background(), bytes.NewReader(download))
	var ce *licensing.ChecksumError
	fmt.Println(errors.Is(err, licensing.ErrChecksumMismatch), errors.As(err, &ce) && ce.Algorithm == "sha256")
	// Output:
	// <nil>
	// true true
}
