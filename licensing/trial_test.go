package licensing_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// trialEnv is a server and client whose clocks start together at a whole second, so that a
// trial's end (eat, in seconds) falls exactly on the client's clock.
type trialEnv struct {
	*env
	server *clock // the server's clock: iat and the trial's end
	start  time.Time
}

func trialSetup(t *testing.T, p licensingtest.TrialPolicy) *trialEnv {
	t.Helper()
	start := time.Now().Truncate(time.Second)
	server := &clock{t: start}
	e := setup(t, licensingtest.License{}, licensingtest.WithClock(server.Now))
	e.now.Set(start)
	e.srv.SetTrialPolicy(p)
	return &trialEnv{env: e, server: server, start: start}
}

func trialName(e *env) string { return "trial/" + e.srv.ProductID }

func (e *trialEnv) trialCached(t *testing.T) bool {
	t.Helper()
	_, err := e.st.Load(ctx, trialName(e.env))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// lastBody returns the body of the last request the server received for path (method too).
func lastRequest(t *testing.T, srv *licensingtest.Server, method, pathPrefix string) licensingtest.Request {
	t.Helper()
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Method == method && strings.HasPrefix(reqs[i].Path, pathPrefix) {
			return reqs[i]
		}
	}
	t.Fatalf("no %s %s request", method, pathPrefix)
	return licensingtest.Request{}
}

func bodyKeys(t *testing.T, body []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestActivateTrialSendsEveryField(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{Length: 7 * 24 * time.Hour})
	m := machine("c3")
	m.VMName, m.Container = "KVM", true
	client := e.newClient(t, m, e.st)
	published := time.Date(2026, 11, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	a, err := client.ActivateTrial(ctx, licensing.TrialRequest{AccountID: "acct-9", ReleaseVersion: "2.1.0.4",
		ReleaseChannel: "beta", ReleasePlatform: "linux-amd64", ReleasePublishedAt: published,
		Metadata: []licensing.Metadata{{Key: "source", Value: "Zoë <site> \u2028"}, {Key: "empty", Value: ""}}})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Trial || a.ID == "" || a.ProductID != e.srv.ProductID || a.Fingerprint != m.Fingerprint ||
		!a.ExpiresAt.Equal(e.start.Add(7*24*time.Hour)) || a.Token.IsZero() {
		t.Fatalf("trial activation %+v", a)
	}
	req := lastRequest(t, e.srv, http.MethodPost, "/v3/trial-activations")
	if req.Path != "/v3/trial-activations" {
		t.Fatalf("path %q", req.Path)
	}
	if p := licensingtest.CheckTrialBody(req.Body); len(p) > 0 {
		t.Fatalf("the body breaks the page: %v", p)
	}
	want := []string{"accountId", "container", "fingerprint", "hostname", "metadata", "os", "osVersion", "productId",
		"releaseChannel", "releasePlatform", "releasePublishedAt", "releaseVersion", "userHash", "vmName"}
	if got := bodyKeys(t, req.Body); !reflect.DeepEqual(got, want) {
		t.Fatalf("body members %v, want %v", got, want)
	}
	tr, ok := e.srv.Trial(a.ID)
	if !ok || tr.AccountID != "acct-9" || tr.ReleaseVersion != "2.1.0.4" || tr.ReleaseChannel != "beta" ||
		tr.ReleasePlatform != "linux-amd64" || tr.ReleasePublishedAt != "2026-11-01T08:30:00Z" ||
		tr.Metadata["source"] != "Zoë <site> \u2028" || tr.Metadata["empty"] != "" || len(tr.Metadata) != 2 ||
		tr.VMName != "KVM" || !tr.Container || tr.OS != "linux" || tr.OSVersion != "12" || tr.Hostname != m.Hostname ||
		tr.UserHash != m.UserHash || tr.Fingerprint != m.Fingerprint {
		t.Fatalf("the server holds %+v", tr)
	}
}

func TestTrialBodies(t *testing.T) {
	t.Parallel()
	m := machine("d4")
	m.OSVersion = ""
	body, err := licensing.EncodeTrialRequest("prod-1", m, licensing.TrialRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// Required members only: accountId is sent empty, vmName and container as in an activation.
	if got, want := string(body), `{"os":"linux","fingerprint":"`+m.Fingerprint+`","vmName":"","container":false,"hostname":"test-host","userHash":"`+m.UserHash+`","productId":"prod-1","accountId":""}`; got != want {
		t.Fatalf("required body\n got %s\nwant %s", got, want)
	}
	body, err = licensing.EncodeTrialRequest("prod-1", m, licensing.TrialRequest{Metadata: []licensing.Metadata{}})
	if err != nil || !strings.HasSuffix(string(body), `"accountId":"","metadata":[]}`) {
		t.Fatalf("an empty non-nil metadata is sent as []: %s %v", body, err)
	}
	if p := licensingtest.CheckTrialBody(body); len(p) > 0 {
		t.Fatal(p)
	}
}

// TestTrialBodyOptional checks a body with optional fields set, and the message of a bad one.
func TestTrialBodyOptional(t *testing.T) {
	t.Parallel()
	m := machine("d5")
	m.OSVersion = ""
	body, err := licensing.EncodeTrialRequest("prod-1", m, licensing.TrialRequest{ReleaseVersion: "1.4.2",
		Metadata: []licensing.Metadata{{Key: "source", Value: "website"}}})
	want := `{"os":"linux","fingerprint":"` + m.Fingerprint + `","vmName":"","container":false,"hostname":"test-host","userHash":"` +
		m.UserHash + `","productId":"prod-1","accountId":"","releaseVersion":"1.4.2","metadata":[{"key":"source","value":"website"}]}`
	if err != nil || string(body) != want {
		t.Fatalf("body\n got %s %v\nwant %s", body, err, want)
	}
	_, err = licensing.EncodeTrialRequest("prod-1", m, licensing.TrialRequest{ReleaseVersion: "1.4.2-beta"})
	if got := fmt.Sprint(err); got != "licensing: invalid request: releaseVersion: must be x.x, x.x.x or x.x.x.x, each x a run of ASCII digits" {
		t.Fatalf("error %s", got)
	}
}

func TestTrialRequestEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{})
	bad := machine("e5")
	bad.OS, bad.Fingerprint, bad.Hostname = "beos", "short", ""
	client := e.newClient(t, bad, e.st)
	before := e.srv.RequestCount()
	_, err := client.ActivateTrial(ctx, licensing.TrialRequest{AccountID: strings.Repeat("é", 257), ReleaseVersion: "v1.2",
		ReleaseChannel: strings.Repeat("c", 257), ReleasePlatform: strings.Repeat("p", 257),
		ReleasePublishedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		Metadata:           []licensing.Metadata{{Key: "", Value: strings.Repeat("v", 4097)}, {Key: strings.Repeat("k", 256), Value: strings.Repeat("v", 4096)}}})
	var invalid *licensing.ValidationError
	if !errors.As(err, &invalid) || !errors.Is(err, licensing.ErrInvalidRequest) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	var fields []string
	for _, f := range invalid.Fields {
		fields = append(fields, f.Field)
	}
	want := []string{"os", "fingerprint", "hostname", "accountId", "releaseVersion", "releaseChannel", "releasePlatform",
		"releasePublishedAt", "metadata[0].key", "metadata[0].value"}
	if !reflect.DeepEqual(fields, want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	if e.srv.RequestCount() != before {
		t.Fatal("a request was sent")
	}
	// At the limits everything passes: 256 code points of a multi-byte letter, x.x.x.x.
	ok := licensing.TrialRequest{AccountID: strings.Repeat("é", 256), ReleaseVersion: "1.0", ReleaseChannel: strings.Repeat("c", 256)}
	if _, err := licensing.EncodeTrialRequest("p", machine("e5"), ok); err != nil {
		t.Fatalf("at the limits: %v", err)
	}
	for _, v := range []string{"1", "1.2.3.4.5", "1..2", "1.2-rc1", "１.２"} {
		if _, err := licensing.EncodeTrialRequest("p", machine("e5"), licensing.TrialRequest{ReleaseVersion: v}); err == nil {
			t.Errorf("release version %q accepted", v)
		}
	}
}

func TestTrialStates(t *testing.T) {
	t.Parallel()
	t.Run("active", func(t *testing.T) {
		t.Parallel()
		e := trialSetup(t, licensingtest.TrialPolicy{})
		a, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{})
		if err != nil || !a.Trial || !a.ExpiresAt.Equal(e.start.Add(licensingtest.DefaultTrialLength)) {
			t.Fatalf("%+v %v", a, err)
		}
		if v, err := e.client.ValidateTrial(ctx); err != nil || v.ID != a.ID || !v.Trial {
			t.Fatalf("offline: %+v %v", v, err)
		}
		// Started again, the same machine is not sent again while its trial runs.
		n := e.srv.RequestCount()
		if again, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil || again.ID != a.ID || e.srv.RequestCount() != n {
			t.Fatalf("second ActivateTrial: %v, %d requests", err, e.srv.RequestCount()-n)
		}
	})
	t.Run("ended", func(t *testing.T) {
		t.Parallel()
		e := trialSetup(t, licensingtest.TrialPolicy{Length: -time.Hour})
		a, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{})
		if !errors.Is(err, licensing.ErrExpired) || a == nil || !a.Trial || a.Token.IsZero() {
			t.Fatalf("want ErrExpired with the genuine activation, got %+v %v", a, err)
		}
		if !e.trialCached(t) {
			t.Fatal("an ended trial's genuine token was not cached")
		}
		if v, err := e.client.ValidateTrial(ctx); !errors.Is(err, licensing.ErrExpired) || v == nil || v.ID != a.ID {
			t.Fatalf("offline: %+v %v", v, err)
		}
		if licensing.NeedsActivation(err) {
			t.Fatal("an ended trial asks for activation")
		}
		// Starting it again gets the same ended trial back, not a new one.
		if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); !errors.Is(err, licensing.ErrExpired) || len(e.srv.Trials()) != 1 {
			t.Fatalf("restart: %v, %d trials", err, len(e.srv.Trials()))
		}
	})
	t.Run("not allowed", func(t *testing.T) {
		t.Parallel()
		e := trialSetup(t, licensingtest.TrialPolicy{NotAllowed: true})
		a, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{})
		var apiErr *licensing.APIError
		if a != nil || !errors.Is(err, licensing.ErrTrialNotAllowed) || !errors.As(err, &apiErr) ||
			apiErr.StatusCode != 400 || apiErr.Code != "TRIAL_NOT_ALLOWED" {
			t.Fatalf("%+v %v", a, err)
		}
		if e.trialCached(t) {
			t.Fatal("cached after a refusal")
		}
	})
	t.Run("limit reached", func(t *testing.T) {
		t.Parallel()
		e := trialSetup(t, licensingtest.TrialPolicy{MaxActivations: 1})
		if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
			t.Fatal(err)
		}
		other := e.newClient(t, machine("f6"), store.NewMemory())
		_, err := other.ActivateTrial(ctx, licensing.TrialRequest{})
		if !errors.Is(err, licensing.ErrTrialActivationLimitReached) {
			t.Fatalf("want ErrTrialActivationLimitReached, got %v", err)
		}
		// The machine that has its trial still gets it back.
		e.client.ClearTrialCache(ctx)
		if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
			t.Fatalf("the first machine again: %v", err)
		}
	})
}

func TestTrialAnswerShapes(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{ActivationTokenKey: true})
	if a, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil || !a.Trial {
		t.Fatalf(`{"activationToken": ...}: %v`, err)
	}
	for name, body := range map[string]string{
		"not JSON":     `<html>`,
		"no token":     `{}`,
		"empty token":  `{"trialActivationToken":""}`,
		"not a JWT":    `{"trialActivationToken":"a b"}`,
		"two tokens":   `{"trialActivationToken":"a.b.c","activationToken":"d.e.f"}`,
		"wrong type":   `{"trialActivationToken":7}`,
		"oversized":    string(licensingtest.OversizedBody),
		"empty answer": ``,
	} {
		e.client.ClearTrialCache(ctx)
		e.srv.Inject(licensingtest.Fault{Body: []byte(body), EmptyBody: body == ""})
		if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); !errors.Is(err, licensing.ErrBadResponse) {
			t.Errorf("%s: want ErrBadResponse, got %v", name, err)
		}
		if e.trialCached(t) {
			t.Errorf("%s: cached", name)
		}
	}
}

func TestTrialTokenVerified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		mod  func(c map[string]any)
		want error
	}{
		{"another machine", func(c map[string]any) { c["fp"] = strings.Repeat("0", 64) }, licensing.ErrFingerprintMismatch},
		{"another product", func(c map[string]any) { c["pid"] = "prod-other" }, licensing.ErrTokenInvalid},
		{"no end", func(c map[string]any) { delete(c, "eat") }, licensing.ErrTokenInvalid},
		{"no id", func(c map[string]any) { delete(c, "aid") }, licensing.ErrTokenInvalid},
		{"issued an hour ahead", func(c map[string]any) { c["iat"] = c["iat"].(int64) + 3600 }, licensing.ErrClockOutOfSync},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := trialSetup(t, licensingtest.TrialPolicy{})
			e.srv.SetTokenHook(tc.mod)
			a, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{})
			// The server applied the request either way: a genuine token that cannot be used now
			// (a clock out of sync) comes back uncached with its claims; a token that is not
			// genuine comes back as an Applied Activation with nothing else, ErrUnverified.
			genuine := errors.Is(tc.want, licensing.ErrClockOutOfSync)
			if !errors.Is(err, tc.want) || a == nil || !a.Applied || !a.Trial || (a.Claims != nil) != genuine ||
				errors.Is(err, licensing.ErrUnverified) == genuine || licensing.NeedsActivation(err) {
				t.Fatalf("want %v, got %+v %v", tc.want, a, err)
			}
			if e.trialCached(t) {
				t.Fatal("a token that failed was cached")
			}
		})
	}
	t.Run("another key", func(t *testing.T) {
		t.Parallel()
		e := trialSetup(t, licensingtest.TrialPolicy{})
		forged, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"aid": "trial-x", "pid": e.srv.ProductID,
			"fp": e.m.Fingerprint, "iat": e.start.Unix(), "eat": e.start.Add(time.Hour).Unix()}).SignedString(otherKey())
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Inject(licensingtest.Fault{Body: []byte(`{"trialActivationToken":"` + forged + `"}`)})
		a, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{})
		var ue *licensing.UnverifiedError
		if !errors.Is(err, licensing.ErrTokenInvalid) || !errors.As(err, &ue) || !ue.PublicKeyLikely || a == nil || !a.Applied {
			t.Fatalf("want an applied *UnverifiedError naming the public key, got %+v %v", a, err)
		}
	})
}

func TestTrialAndLicenseAreKeptApart(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{})
	if _, err := e.client.ValidateLicenseOrTrial(ctx); !errors.Is(err, licensing.ErrNotActivated) || !licensing.NeedsActivation(err) {
		t.Fatalf("nothing cached: %v", err)
	}
	tr, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := e.client.ValidateLicenseOrTrial(ctx); err != nil || !a.Trial || a.ID != tr.ID {
		t.Fatalf("trial only: %+v %v", a, err)
	}
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("a trial is no license: %v", err)
	}
	lic, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := e.client.ValidateLicenseOrTrial(ctx); err != nil || a.Trial || a.ID != lic.ID {
		t.Fatalf("a license wins: %+v %v", a, err)
	}
	if a, err := e.client.ValidateTrial(ctx); err != nil || a.ID != tr.ID {
		t.Fatalf("the trial is still cached beside the license: %v", err)
	}
	// A license that expired still wins over a running trial: the app offers a renewal, not the trial.
	e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.ExpiresAt = e.start.Add(time.Minute) })
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	e.now.Add(2 * time.Minute)
	if a, err := e.client.ValidateLicenseOrTrial(ctx); !errors.Is(err, licensing.ErrExpired) || a == nil || a.Trial {
		t.Fatalf("expired license against a running trial: %+v %v", a, err)
	}
	// Forgetting one leaves the other.
	if err := e.client.ClearCache(ctx); err != nil {
		t.Fatal(err)
	}
	if a, err := e.client.ValidateLicenseOrTrial(ctx); err != nil || !a.Trial {
		t.Fatalf("after ClearCache: %+v %v", a, err)
	}
	if err := e.client.ClearTrialCache(ctx); err != nil || e.trialCached(t) {
		t.Fatalf("ClearTrialCache: %v", err)
	}
}

func TestValidateTrialAtItsBoundaries(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{Length: 2 * time.Hour})
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	end := e.start.Add(2 * time.Hour)
	for _, tc := range []struct {
		at   time.Time
		want error
	}{
		{e.start, nil},
		{end.Add(-time.Second), nil},
		{end, nil}, // eat is the last second of the trial
		{end.Add(time.Second), licensing.ErrExpired},
	} {
		e.now.Set(tc.at)
		a, err := e.client.ValidateTrial(ctx)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) || a == nil {
			t.Fatalf("at end%+v: want %v, got %v", tc.at.Sub(end), tc.want, err)
		}
	}
	// The end has been seen: no clock set back brings the trial back, by a little or a lot.
	for _, back := range []time.Duration{time.Second, time.Minute, 30 * time.Minute, time.Hour} {
		e.now.Set(end.Add(time.Second).Add(-back))
		a, err := e.client.ValidateTrial(ctx)
		if !errors.Is(err, licensing.ErrExpired) || a == nil {
			t.Fatalf("clock set back %s: want ErrExpired, got %v", back, err)
		}
	}
	e.now.Set(e.start.Add(-24 * time.Hour))
	if _, err := e.client.ValidateTrial(ctx); !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Fatalf("clock set back a day: want ErrClockRolledBack, got %v", err)
	}
}

// TestTrialEndSeenOnce: the end is recorded by the first check that sees it, even when the
// last recorded check is recent, so that the clock set back by less than the rollback tolerance
// cannot bring the trial back.
func TestTrialEndSeenOnce(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{Length: time.Hour})
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	end := e.start.Add(time.Hour)
	e.now.Set(end.Add(-4 * time.Minute)) // recorded: more than 5 minutes after the start
	if _, err := e.client.ValidateTrial(ctx); err != nil {
		t.Fatal(err)
	}
	e.now.Set(end.Add(30 * time.Second)) // ended, 4.5 minutes after the last record
	if _, err := e.client.ValidateTrial(ctx); !errors.Is(err, licensing.ErrExpired) {
		t.Fatalf("want ErrExpired, got %v", err)
	}
	e.now.Set(end.Add(-2 * time.Minute)) // set back by 2.5 minutes
	if _, err := e.client.ValidateTrial(ctx); !errors.Is(err, licensing.ErrExpired) {
		t.Fatalf("the clock set back by minutes revived the trial: %v", err)
	}
	// A client that never looked offline is protected online too: the server's iat stands. (The
	// server's clock reads what this one does: an answer issued long before its request is stale.)
	e.server.Set(end.Add(-2 * time.Minute))
	other := e.newClient(t, e.m, e.st)
	if _, err := other.ActivateTrial(ctx, licensing.TrialRequest{}); !errors.Is(err, licensing.ErrExpired) {
		t.Fatalf("ActivateTrial with the clock set back: %v", err)
	}
}

func TestValidateTrialRollbackBeforeTheEnd(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{Length: 48 * time.Hour})
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	e.now.Add(24 * time.Hour)
	if _, err := e.client.ValidateTrial(ctx); err != nil {
		t.Fatal(err)
	}
	e.now.Add(-30 * time.Minute) // within the tolerance: fine, and judged at the later time
	if _, err := e.client.ValidateTrial(ctx); err != nil {
		t.Fatalf("within the tolerance: %v", err)
	}
	e.now.Add(-2 * time.Hour)
	if _, err := e.client.ValidateTrial(ctx); !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Fatalf("want ErrClockRolledBack, got %v", err)
	}
	// Editing the record's time is detected, as for an activation.
	stored, _ := e.st.Load(ctx, trialName(e.env))
	got, err := record.Decode(stored, record.SealKey(e.srv.ProductID, e.m.Fingerprint))
	if err != nil {
		t.Fatal(err)
	}
	rec := got.Record
	forged := strings.Replace(stored, fmt.Sprintf(`"seen":%d`, rec.LastSeen.Unix()), fmt.Sprintf(`"seen":%d`, e.start.Unix()), 1)
	e.st.Save(ctx, trialName(e.env), forged)
	if _, err := e.client.ValidateTrial(ctx); !errors.Is(err, licensing.ErrClockRolledBack) || !errors.Is(err, record.ErrTampered) {
		t.Fatalf("edited record: %v", err)
	}
	// A trial record copied from another machine does not verify here.
	other := e.newClient(t, machine("99"), e.st)
	if _, err := other.ValidateTrial(ctx); !errors.Is(err, licensing.ErrFingerprintMismatch) {
		t.Fatalf("another machine: %v", err)
	}
}

func TestSyncTrial(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{})
	if _, err := e.client.SyncTrial(ctx, licensing.TrialRequest{}); !licensing.NeedsActivation(err) {
		t.Fatalf("nothing cached: %v", err)
	}
	a, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{AccountID: "acct", ReleaseVersion: "1.0",
		Metadata: []licensing.Metadata{{Key: "k", Value: "v"}}})
	if err != nil {
		t.Fatal(err)
	}
	// PATCH: absent fields are left unchanged; accountId is always sent.
	s, err := e.client.SyncTrial(ctx, licensing.TrialRequest{ReleaseChannel: "beta"})
	if err != nil || s.ID != a.ID || !s.Trial {
		t.Fatalf("%+v %v", s, err)
	}
	req := lastRequest(t, e.srv, http.MethodPatch, "/v3/trial-activations/")
	if req.Path != "/v3/trial-activations/"+a.ID || len(licensingtest.CheckTrialBody(req.Body)) > 0 {
		t.Fatalf("PATCH %s %s", req.Path, req.Body)
	}
	tr, _ := e.srv.Trial(a.ID)
	if tr.Updates != 1 || tr.AccountID != "" || tr.ReleaseVersion != "1.0" || tr.ReleaseChannel != "beta" || tr.Metadata["k"] != "v" {
		t.Fatalf("the server holds %+v", tr)
	}
	// An ended trial is ErrExpired with the activation.
	e.srv.EndTrial(a.ID)
	e.now.Add(time.Second)
	if s, err := e.client.SyncTrial(ctx, licensing.TrialRequest{}); !errors.Is(err, licensing.ErrExpired) || s == nil {
		t.Fatalf("ended: %+v %v", s, err)
	}
	// A vendor extends it: the next sync brings it back.
	e.srv.ExtendTrial(a.ID, 30*24*time.Hour)
	if _, err := e.client.SyncTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatalf("extended: %v", err)
	}
	// A token for another trial is refused.
	e.srv.SetTokenHook(func(c map[string]any) { c["aid"] = "trial-other" })
	if _, err := e.client.SyncTrial(ctx, licensing.TrialRequest{}); !errors.Is(err, licensing.ErrTokenInvalid) {
		t.Fatalf("another trial's token: %v", err)
	}
	e.srv.SetTokenHook(nil)
	// Network and server failures keep the cached trial; 404 drops it.
	e.srv.FailNext(3, 503, "")
	if _, err := e.client.SyncTrial(ctx, licensing.TrialRequest{}); err == nil || !e.trialCached(t) {
		t.Fatalf("503: %v, cached %v", err, e.trialCached(t))
	}
	e.srv.RemoveTrial(a.ID)
	if _, err := e.client.SyncTrial(ctx, licensing.TrialRequest{}); !errors.Is(err, licensing.ErrActivationNotFound) || e.trialCached(t) {
		t.Fatalf("404: %v, cached %v", err, e.trialCached(t))
	}
}

func TestWatchSyncsATrialUntilALicenseArrives(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{})
	e.srv.SetTokenHook(func(c map[string]any) { c["ssi"] = 1 }) // sync every second
	e.now.Set(time.Now())
	e.server.Set(time.Now())
	tr, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		trial bool
		err   error
	}
	results := make(chan result, 100)
	done := make(chan error, 1)
	go func() {
		done <- e.client.Watch(ctx, licensing.Update{ReleaseVersion: "1.2"}, func(a *licensing.Activation, err error) {
			results <- result{a != nil && a.Trial, err}
		})
	}()
	if r := <-results; r.err != nil || !r.trial {
		t.Fatalf("first sync: %+v", r)
	}
	if tt, _ := e.srv.Trial(tr.ID); tt.Updates < 1 || tt.ReleaseVersion != "1.2" {
		t.Fatalf("the trial was not synced: %+v", tt)
	}
	// The user buys a license: from the next sync on, Watch syncs the license.
	if _, err := e.client.UpdateActivation(context.Background(), e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatalf("sync: %v", r.err)
			}
			if !r.trial {
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					t.Fatalf("Watch returned %v", err)
				}
				if act, _ := e.srv.Activation(e.id); act.Updates < 2 || act.ReleaseVersion != "1.2" {
					t.Fatalf("the license was not synced: %+v", act)
				}
				return
			}
		case <-deadline:
			t.Fatal("Watch kept syncing the trial after a license was cached")
		}
	}
}

// TestTrialFieldLimits walks every string field of the trial body to its documented limits:
// the limit passes, one code point past it fails, with that field alone named.
func TestTrialFieldLimits(t *testing.T) {
	t.Parallel()
	type setter func(m *fingerprint.Machine, r *licensing.TrialRequest, v string)
	for _, tc := range []struct {
		field    string
		min, max int
		set      setter
	}{
		{"osVersion", 0, 256, func(m *fingerprint.Machine, _ *licensing.TrialRequest, v string) { m.OSVersion = v }},
		{"fingerprint", 64, 1024, func(m *fingerprint.Machine, _ *licensing.TrialRequest, v string) { m.Fingerprint = v }},
		{"vmName", 0, 256, func(m *fingerprint.Machine, _ *licensing.TrialRequest, v string) { m.VMName = v }},
		{"hostname", 1, 1024, func(m *fingerprint.Machine, _ *licensing.TrialRequest, v string) { m.Hostname = v }},
		{"userHash", 1, 256, func(m *fingerprint.Machine, _ *licensing.TrialRequest, v string) { m.UserHash = v }},
		{"accountId", 0, 256, func(_ *fingerprint.Machine, r *licensing.TrialRequest, v string) { r.AccountID = v }},
		{"releaseChannel", 0, 256, func(_ *fingerprint.Machine, r *licensing.TrialRequest, v string) { r.ReleaseChannel = v }},
		{"releasePlatform", 0, 256, func(_ *fingerprint.Machine, r *licensing.TrialRequest, v string) { r.ReleasePlatform = v }},
		{"metadata[0].key", 1, 256, func(_ *fingerprint.Machine, r *licensing.TrialRequest, v string) { r.Metadata[0].Key = v }},
		{"metadata[0].value", 0, 4096, func(_ *fingerprint.Machine, r *licensing.TrialRequest, v string) { r.Metadata[0].Value = v }},
	} {
		try := func(n int) error {
			m := machine("ab")
			r := licensing.TrialRequest{Metadata: []licensing.Metadata{{Key: "k", Value: "v"}}}
			tc.set(&m, &r, strings.Repeat("é", n)) // two bytes, one code point
			body, err := licensing.EncodeTrialRequest("prod-1", m, r)
			if err == nil {
				if p := licensingtest.CheckTrialBody(body); len(p) > 0 {
					t.Errorf("%s = %d code points: accepted, but the body breaks the page: %v", tc.field, n, p)
				}
			}
			return err
		}
		if err := try(tc.max); err != nil {
			t.Errorf("%s at its maximum %d: %v", tc.field, tc.max, err)
		}
		var invalid *licensing.ValidationError
		if err := try(tc.max + 1); !errors.As(err, &invalid) || len(invalid.Fields) != 1 || invalid.Fields[0].Field != tc.field {
			t.Errorf("%s over its maximum: %v", tc.field, err)
		}
		if tc.min > 0 {
			if err := try(tc.min); err != nil {
				t.Errorf("%s at its minimum %d: %v", tc.field, tc.min, err)
			}
			if err := try(tc.min - 1); !errors.As(err, &invalid) || invalid.Fields[0].Field != tc.field {
				t.Errorf("%s under its minimum: %v", tc.field, err)
			}
		}
	}
	for _, os := range []string{"windows", "linux", "macos", "android", "ios"} {
		m := machine("ab")
		m.OS = os
		if _, err := licensing.EncodeTrialRequest("p", m, licensing.TrialRequest{}); err != nil {
			t.Errorf("os %s: %v", os, err)
		}
	}
	if _, err := licensing.EncodeTrialRequest(strings.Repeat("p", 257), machine("ab"), licensing.TrialRequest{}); err == nil {
		t.Error("a productId of 257 characters accepted")
	}
}

// TestActivateTrialAnswers walks the documented responses: 201, 400, 409, 429 and 500.
func TestActivateTrialAnswers(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{})
	var apiErr *licensing.APIError
	e.srv.Inject(licensingtest.Fault{Status: 409, Code: "CONFLICT"})
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); !errors.As(err, &apiErr) || apiErr.StatusCode != 409 {
		t.Fatalf("409: %v", err)
	}
	e.srv.Inject(licensingtest.Fault{Status: 400, Code: "VALIDATION_FAILED"})
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || e.trialCached(t) {
		t.Fatalf("400: %v", err)
	}
	// 429 and 500 are retried (creating a trial twice gives the same trial); then it succeeds.
	e.srv.Inject(licensingtest.Fault{Status: 429, RetryAfter: "0"})
	e.srv.Inject(licensingtest.Fault{Status: 500})
	n := e.srv.RequestCount()
	a, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{})
	if err != nil || e.srv.RequestCount()-n != 3 || len(e.srv.Trials()) != 1 {
		t.Fatalf("after 429 and 500: %v, %d requests, %d trials", err, e.srv.RequestCount()-n, len(e.srv.Trials()))
	}
	// Retries run out: the last answer is returned and the cached trial kept.
	e.srv.FailNext(3, 500, "")
	if _, err := e.client.SyncTrial(ctx, licensing.TrialRequest{}); !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || !e.trialCached(t) {
		t.Fatalf("500s: %v", err)
	}
	e.srv.Inject(licensingtest.Fault{Status: 429, RetryAfter: "3600"})
	var rl *licensing.RateLimitError
	if _, err := e.client.SyncTrial(ctx, licensing.TrialRequest{}); !errors.As(err, &rl) || rl.RetryAfter != time.Hour || !e.trialCached(t) {
		t.Fatalf("429 for an hour: %v", err)
	}
	if v, err := e.client.ValidateTrial(ctx); err != nil || v.ID != a.ID {
		t.Fatalf("the trial stands: %v", err)
	}
}

// TestLicenseWinsOverTrialWhateverItsState: a lease that ended is still the license's answer.
func TestLicenseWinsOverTrialWhateverItsState(t *testing.T) {
	t.Parallel()
	start := time.Now().Truncate(time.Second)
	server := &clock{t: start}
	e := setup(t, licensingtest.License{LeaseDuration: time.Hour}, licensingtest.WithClock(server.Now))
	e.now.Set(start)
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	e.now.Add(2 * time.Hour)
	if a, err := e.client.ValidateLicenseOrTrial(ctx); !errors.Is(err, licensing.ErrLeaseExpired) || a != nil {
		t.Fatalf("lease ended: want the license's ErrLeaseExpired, got %+v %v", a, err)
	}
	// The lease's end dropped the token but kept the license's key for the renewal: the
	// license still answers, not the trial.
	if a, err := e.client.ValidateLicenseOrTrial(ctx); !errors.Is(err, licensing.ErrLeaseExpired) || a != nil {
		t.Fatalf("after the lease lapsed: %+v %v", a, err)
	}
	// With the license forgotten, the trial answers.
	if err := e.client.ClearCache(ctx); err != nil {
		t.Fatal(err)
	}
	if a, err := e.client.ValidateLicenseOrTrial(ctx); err != nil || !a.Trial {
		t.Fatalf("after ClearCache: %+v %v", a, err)
	}
}

// TestTrialWithTheCacheUnavailable: a locked keychain is never "no license", so the app is not
// sent to start a trial; a trial started while the keychain refuses writes is genuine but not
// cached.
func TestTrialWithTheCacheUnavailable(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{})
	s := &flakyStore{Store: store.NewMemory()}
	c := e.newClient(t, e.m, s)
	if _, err := c.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	s.fail(errKeychainLocked)
	for name, call := range map[string]func() error{
		"ValidateLicenseOrTrial": func() error { _, err := c.ValidateLicenseOrTrial(ctx); return err },
		"ValidateTrial":          func() error { _, err := c.ValidateTrial(ctx); return err },
		"SyncTrial":              func() error { _, err := c.SyncTrial(ctx, licensing.TrialRequest{}); return err },
		"Watch":                  func() error { return c.Watch(ctx, licensing.Update{}, nil) },
	} {
		err := call()
		if !errors.Is(err, licensing.ErrCacheUnavailable) || licensing.NeedsActivation(err) {
			t.Errorf("%s: want ErrCacheUnavailable, got %v", name, err)
		}
	}
	// The server still answers: the trial is genuine, only not kept.
	other := e.newClient(t, machine("b7"), s)
	a, err := other.ActivateTrial(ctx, licensing.TrialRequest{})
	if a == nil || !a.Applied || !errors.Is(err, licensing.ErrNotCached) || !errors.Is(err, licensing.ErrCacheUnavailable) ||
		licensing.StateOf(err) != licensing.StateLicensed {
		t.Fatalf("ActivateTrial with the keychain locked: %+v %v", a, err)
	}
	// With no key to read, the update check still runs, keyless (and nothing is installable).
	if _, err := c.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0"}); err != nil && !errors.Is(err, licensing.ErrReleaseNotAllowed) {
		t.Fatalf("CheckReleaseUpdate: %v", err)
	}
}

// TestTrialRecordIsNoLicense: a trial's record copied into the license's place does not pass as
// a license, however often it is read (the verified-record memo holds license records only).
func TestTrialRecordIsNoLicense(t *testing.T) {
	t.Parallel()
	e := trialSetup(t, licensingtest.TrialPolicy{})
	if _, err := e.client.ActivateTrial(ctx, licensing.TrialRequest{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := e.client.ValidateTrial(ctx); err != nil {
			t.Fatal(err)
		}
		e.now.Add(10 * time.Minute) // the trial's record is rewritten with a later time
	}
	stored, err := e.st.Load(ctx, trialName(e.env))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.Save(ctx, "activation/"+e.srv.ProductID, stored); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if a, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrTokenInvalid) || a != nil {
			t.Fatalf("a trial record as a license: %+v %v", a, err)
		}
		if a, err := e.client.ValidateLicenseOrTrial(ctx); err != nil || !a.Trial {
			t.Fatalf("ValidateLicenseOrTrial: %+v %v", a, err)
		}
	}
}
