package licensing_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

// TestActivationReleaseFields: the release fields reach POST /v3/activations as they reach the
// update, and appVersion, free-form, is sent as given.
func TestActivationReleaseFields(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	published := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	act, err := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key, AppVersion: "3.1.0-beta (build 42)",
		ReleaseVersion: "3.1.0", ReleaseChannel: "beta", ReleasePlatform: "linux-amd64", ReleasePublishedAt: published})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := e.srv.Activation(act.ID)
	if a.ReleaseVersion != "3.1.0" || a.ReleaseChannel != "beta" || a.ReleasePlatform != "linux-amd64" ||
		a.ReleasePublishedAt != "2026-03-04T04:06:07Z" {
		t.Fatalf("server holds %+v", a)
	}
	body := string(e.srv.Requests()[0].Body)
	for _, want := range []string{`"appVersion":"3.1.0-beta (build 42)"`, `"releaseVersion":"3.1.0"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	// Unset, they are absent, as in an update.
	e2 := setup(t, licensingtest.License{})
	if _, err := e2.client.Activate(ctx, licensing.ActivationRequest{Key: e2.key}); err != nil {
		t.Fatal(err)
	}
	if body := string(e2.srv.Requests()[0].Body); strings.Contains(body, "release") || strings.Contains(body, "appVersion") {
		t.Fatalf("unset fields sent: %s", body)
	}
}

// TestActivationReleaseRulesAreTheUpdates: every release value gets the same verdict, field
// by field, from Activate as from UpdateActivation, before anything is sent.
func TestActivationReleaseRulesAreTheUpdates(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	long := strings.Repeat("é", 257)
	for _, tc := range []struct {
		version, channel, platform string
		published                  time.Time
	}{
		{"v1.2.3-beta", "", "", time.Time{}},
		{"1.2.3.4.5", long, "", time.Time{}},
		{"1.2", "", long, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"1.2.3", "stable", "win", time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"١.٢", "", "", time.Time{}}, // Arabic-Indic digits are not ASCII digits
		{"1.2", "\xff", "", time.Time{}},
	} {
		_, uerr := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key, ReleaseVersion: tc.version,
			ReleaseChannel: tc.channel, ReleasePlatform: tc.platform, ReleasePublishedAt: tc.published})
		_, aerr := e.client.Activate(ctx, licensing.ActivationRequest{Key: e.key, ReleaseVersion: tc.version,
			ReleaseChannel: tc.channel, ReleasePlatform: tc.platform, ReleasePublishedAt: tc.published})
		var u, a *licensing.ValidationError
		if !errors.As(uerr, &u) || !errors.As(aerr, &a) {
			t.Fatalf("%q: update %v, activate %v", tc.version, uerr, aerr)
		}
		if !slices.Equal(u.Fields, a.Fields) {
			t.Errorf("%q: update %v, activate %v", tc.version, u.Fields, a.Fields)
		}
	}
	if n := e.srv.RequestCount(); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}
