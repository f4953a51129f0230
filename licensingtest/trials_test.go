package licensingtest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func trialBody(s *Server, extra map[string]any) []byte {
	b := updateBody(s, "", extra)
	return b
}

func TestStrictTrial(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	noKey := map[string]any{"key": nil}
	with := func(m map[string]any) map[string]any {
		out := map[string]any{"key": nil}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		extra map[string]any
		code  string
	}{
		{"a license key", map[string]any{"key": "KEY"}, "VALIDATION_FAILED"},
		{"a user id", with(map[string]any{"userId": "u"}), "VALIDATION_FAILED"},
		{"meter attributes", with(map[string]any{"meterAttributes": []map[string]any{{"name": "x", "usesIncrement": 1}}}), "VALIDATION_FAILED"},
		{"lease", with(map[string]any{"leaseDuration": 0}), "VALIDATION_FAILED"},
		{"missing accountId", with(map[string]any{"accountId": nil}), "VALIDATION_FAILED"},
		{"missing userHash", with(map[string]any{"userHash": nil}), "VALIDATION_FAILED"},
		{"bad os", with(map[string]any{"os": "darwin"}), "VALIDATION_FAILED"},
		{"long fingerprint", with(map[string]any{"fingerprint": strings.Repeat("a", 1025)}), "VALIDATION_FAILED"},
		{"bad release", with(map[string]any{"releaseVersion": "1.2.3.4.5"}), "VALIDATION_FAILED"},
		{"bad date", with(map[string]any{"releasePublishedAt": "2026-13-01"}), "VALIDATION_FAILED"},
		{"long channel", with(map[string]any{"releaseChannel": strings.Repeat("c", 257)}), "VALIDATION_FAILED"},
		{"metadata value", with(map[string]any{"metadata": []map[string]any{{"key": "k", "value": strings.Repeat("v", 4097)}}}), "VALIDATION_FAILED"},
		{"wrong product", with(map[string]any{"productId": "other"}), "INVALID_PRODUCT_ID"},
	} {
		st, body := do(t, s, "POST", "/v3/trial-activations", trialBody(s, tc.extra))
		if st != 400 || body["code"] != tc.code || body["message"] == "" {
			t.Errorf("%s: %d %v, want 400 %s", tc.name, st, body, tc.code)
		}
	}
	if len(s.Trials()) != 0 {
		t.Fatal("a refused request made a trial")
	}
	st, body := do(t, s, "POST", "/v3/trial-activations", trialBody(s, noKey))
	if st != http.StatusCreated || body["trialActivationToken"] == "" {
		t.Fatalf("valid trial: %d %v", st, body)
	}
	trials := s.Trials()
	if len(trials) != 1 || trials[0].ExpiresAt.Sub(trials[0].Created) != DefaultTrialLength {
		t.Fatalf("trials %+v", trials)
	}
	id := trials[0].ID
	if st, body := do(t, s, "PATCH", "/v3/trial-activations/"+id, trialBody(s, with(map[string]any{"releaseVersion": "1.0"}))); st != 200 || body["trialActivationToken"] == "" {
		t.Fatalf("sync: %d %v", st, body)
	}
	if tr, _ := s.Trial(id); tr.Updates != 1 || tr.ReleaseVersion != "1.0" {
		t.Fatalf("after sync %+v", tr)
	}
	if st, body := do(t, s, "PATCH", "/v3/trial-activations/"+id, trialBody(s, with(map[string]any{"fingerprint": strings.Repeat("cd", 32)}))); st != 400 || body["code"] != "INVALID_ACTIVATION_FINGERPRINT" {
		t.Errorf("other machine: %d %v", st, body)
	}
	if st, _ := do(t, s, "PATCH", "/v3/trial-activations/nope", trialBody(s, noKey)); st != 404 {
		t.Errorf("unknown trial: %d", st)
	}
	if st, _ := do(t, s, "DELETE", "/v3/trial-activations/"+id, nil); st != 405 {
		t.Errorf("DELETE: %d", st)
	}
	if st, _ := do(t, s, "PATCH", "/v3/trial-activations/"+id+"/x", trialBody(s, noKey)); st != 405 {
		t.Errorf("deeper path: %d", st)
	}
}

func TestTrialPolicy(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	noKey := map[string]any{"key": nil}
	s.SetTrialPolicy(TrialPolicy{NotAllowed: true})
	if st, body := do(t, s, "POST", "/v3/trial-activations", trialBody(s, noKey)); st != 400 || body["code"] != "TRIAL_NOT_ALLOWED" {
		t.Errorf("not allowed: %d %v", st, body)
	}
	s.SetTrialPolicy(TrialPolicy{MaxActivations: 1, Length: time.Hour, ActivationTokenKey: true})
	if st, body := do(t, s, "POST", "/v3/trial-activations", trialBody(s, noKey)); st != 201 || body["activationToken"] == "" {
		t.Errorf("first machine: %d %v", st, body)
	}
	if st, _ := do(t, s, "POST", "/v3/trial-activations", trialBody(s, noKey)); st != 201 {
		t.Errorf("first machine again: %d", st)
	}
	other := map[string]any{"key": nil, "fingerprint": strings.Repeat("cd", 32)}
	if st, body := do(t, s, "POST", "/v3/trial-activations", trialBody(s, other)); st != 400 || body["code"] != "TRIAL_ACTIVATION_LIMIT_REACHED" {
		t.Errorf("limit: %d %v", st, body)
	}
	id := s.Trials()[0].ID
	if !s.EndTrial(id) || s.EndTrial("nope") {
		t.Fatal("EndTrial")
	}
	if tr, _ := s.Trial(id); !tr.ExpiresAt.Before(time.Now()) {
		t.Fatalf("ended trial ends %v", tr.ExpiresAt)
	}
	s.RemoveTrial(id)
	if st, _ := do(t, s, "PATCH", "/v3/trial-activations/"+id, trialBody(s, noKey)); st != 404 {
		t.Errorf("removed: %d", st)
	}
}

func TestStrictReleaseQuery(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	key := s.AddLicense(License{})
	s.AddRelease(Release{Version: "1.2.3.4", Platforms: []string{"linux"}})
	get := func(q string) (int, map[string]string) {
		t.Helper()
		return do(t, s, "GET", "/v3/releases/update?"+q, nil)
	}
	base := "productId=" + s.ProductID + "&platform=linux&version="
	for q, code := range map[string]string{
		"platform=linux&version=1.0":                "VALIDATION_FAILED", // no productId
		"productId=" + s.ProductID + "&version=1.0": "VALIDATION_FAILED", // no platform
		base:                      "VALIDATION_FAILED",
		base + "v1.0":             "VALIDATION_FAILED",
		base + "1.0&version=1.1":  "VALIDATION_FAILED",
		base + "1.0&licenseKey=x": "VALIDATION_FAILED",
		base + "1.0&channel=" + strings.Repeat("c", 257): "VALIDATION_FAILED",
		base + "1.0&key=nope":                            "INVALID_LICENSE_KEY",
		"productId=other&platform=linux&version=1.0":     "INVALID_PRODUCT_ID",
	} {
		if st, body := get(q); st != 400 || body["code"] != code {
			t.Errorf("%s: %d %v, want 400 %s", q, st, body, code)
		}
	}
	for q, want := range map[string]int{
		base + "1.0":                200,
		base + "1.0&key=" + key:     200,
		base + "1.2.3":              204,
		base + "1.2":                204,
		base + "1.2.3.4":            204,
		base + "1.2.3.3":            200,
		base + "1.0&channel=beta":   204,
		base + "1.0&accountId=acct": 200,
	} {
		if st, _ := get(q); st != want {
			t.Errorf("%s: %d, want %d", q, st, want)
		}
	}
	if st, _ := do(t, s, "POST", "/v3/releases/update?"+base+"1.0", []byte("{}")); st != 405 {
		t.Errorf("POST: %d", st)
	}
	for _, r := range s.Requests() {
		if r.Applied {
			t.Fatalf("a GET marked as applied: %+v", r)
		}
	}
}
