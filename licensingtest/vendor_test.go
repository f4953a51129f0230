package licensingtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/token"
)

// vendorFixture is a body the vendor's own client sends (testdata/vendor-client), and what it
// says of itself.
type vendorFixture struct {
	file   string
	path   string // where the client sends it
	fields map[string]json.RawMessage
	body   []byte
}

func vendorFixtures(t *testing.T) []vendorFixture {
	t.Helper()
	files, err := filepath.Glob("testdata/vendor-client/*.json")
	if err != nil || len(files) < 9 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	var out []vendorFixture
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fx := vendorFixture{file: filepath.Base(f), body: bytes.TrimSpace(b), path: "/v3/activations"}
		switch {
		case strings.HasPrefix(fx.file, "trial"):
			fx.path = "/v3/trial-activations"
		case strings.HasPrefix(fx.file, "login-oidc"):
			fx.path = "/v3/accounts/login-oidc"
		case strings.HasPrefix(fx.file, "login"):
			fx.path = "/v3/accounts/login"
		}
		if err := json.Unmarshal(b, &fx.fields); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, fx)
	}
	return out
}

func (fx vendorFixture) str(t *testing.T, name string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(fx.fields[name], &s); err != nil {
		t.Fatalf("%s: %s: %v", fx.file, name, err)
	}
	return s
}

// vendorPost sends body as the vendor's client does: Content-Type application/json, Accept */*,
// no User-Agent.
func vendorPost(t *testing.T, s *Server, path string, body []byte) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "*/*")
	req.Header.Set("User-Agent", "")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]string
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// Each body the vendor's own client sends gets the answer the real API gives it: 201 and a token
// bound to the product, the key (activations) and the fingerprint sent, and the server holds
// what was sent. Before, the fake refused every one of them with 400 VALIDATION_FAILED.
func TestVendorClientBodiesAreAccepted(t *testing.T) {
	t.Parallel()
	for _, fx := range vendorFixtures(t) {
		if strings.HasPrefix(fx.path, "/v3/accounts/") {
			continue // TestVendorClientUsersAndReleases
		}
		t.Run(fx.file, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, WithProductID(fx.str(t, "productId")))
			check := CheckActivationBody
			if fx.path != "/v3/activations" {
				check = CheckTrialBody
			} else if email := fx.str(t, "email"); email != "" {
				// A named-user license: the real server checks the user's credentials.
				key := s.AddLicense(License{Key: fx.str(t, "key"), RequireAuthentication: true})
				s.AddUser(User{Email: email, Password: fx.str(t, "password"), Licenses: []string{key}})
			} else {
				s.AddLicense(License{Key: fx.str(t, "key")})
			}
			if p := check(fx.body); len(p) > 0 {
				t.Fatalf("the checker refuses the vendor's body: %v", p)
			}
			status, answer := vendorPost(t, s, fx.path, fx.body)
			if status != http.StatusCreated {
				t.Fatalf("status %d: %v", status, answer)
			}
			pub, err := token.ParsePublicKey(s.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			v, err := token.NewVerifier(pub, s.ProductID)
			if err != nil {
				t.Fatal(err)
			}
			fp := fx.str(t, "fingerprint")
			var claims *token.Claims
			if fx.path == "/v3/activations" {
				claims, err = v.Verify(answer["activationToken"], token.Binding{LicenseKey: fx.str(t, "key"), Fingerprint: fp})
			} else {
				claims, err = v.VerifyTrial(answer["trialActivationToken"], fp)
			}
			if err != nil {
				t.Fatalf("token: %v (answer %v)", err, answer)
			}
			var got Activation
			if fx.path == "/v3/activations" {
				got, _ = s.Activation(claims.ActivationID)
			} else {
				tr, _ := s.Trial(claims.ActivationID)
				got = tr.Activation
			}
			if got.OSVersion != fx.str(t, "osVersion") || got.Hostname != fx.str(t, "hostname") || got.Fingerprint != fp {
				t.Errorf("the server holds %+v", got)
			}
		})
	}
}

// The fake still refuses what a documented rule forbids: each mutation of a vendor body below
// breaks one rule of the reference page and gets 400 VALIDATION_FAILED naming that field.
func TestVendorClientBodiesBrokenOneRuleAtATime(t *testing.T) {
	t.Parallel()
	for _, fx := range vendorFixtures(t) {
		if strings.HasPrefix(fx.path, "/v3/accounts/") {
			continue
		}
		for _, m := range []struct {
			field string
			value any // nil: removed
		}{
			{"releaseVersion", "1.2.3-beta"},
			{"releaseVersion", "1"},
			{"fingerprint", strings.Repeat("a", 63)},
			{"fingerprint", nil},
			{"os", "Linux"},
			{"hostname", ""},
			{"userHash", strings.Repeat("h", 257)},
			{"productId", nil},
			{"container", "true"},
			{"metadata", []map[string]string{{"key": "", "value": "v"}}},
			{"leaseDuration", -2},
			{"key", ""},
			{"floating", 1},
			{"clientVersion", 3},
		} {
			if _, ok := fx.fields[m.field]; !ok && m.value != nil {
				continue // not a field this body has
			}
			t.Run(fx.file+"/"+m.field, func(t *testing.T) {
				t.Parallel()
				fields := map[string]any{}
				for k, v := range fx.fields {
					fields[k] = v
				}
				if m.value == nil {
					delete(fields, m.field)
				} else {
					fields[m.field] = m.value
				}
				body, _ := json.Marshal(fields)
				s := newServer(t, WithProductID(fx.str(t, "productId")))
				s.AddLicense(License{Key: "TGFX01-5E7A20-C41B93-0D6F88-A2E514-7B3C09"})
				status, answer := vendorPost(t, s, fx.path, body)
				if status != http.StatusBadRequest || answer["code"] != "VALIDATION_FAILED" || !strings.Contains(answer["message"], m.field) {
					t.Fatalf("%s = %v: status %d %v", m.field, m.value, status, answer)
				}
			})
		}
	}
}

// The vendor's client signs users in, lists their licenses and asks for release updates as
// vendor-client.md records: each request gets the real API's answer from the fake.
func TestVendorClientUsersAndReleases(t *testing.T) {
	t.Parallel()
	const pid = "7c1f0a2e-5b3d-4e68-9a14-3f2b8d6e0c57"
	const key = "TGFX01-5E7A20-C41B93-0D6F88-A2E514-7B3C09"
	s := newServer(t, WithProductID(pid))
	s.AddLicense(License{Key: key})
	s.AddRelease(Release{Version: "1.3.0", Platforms: []string{"linux"}})
	var accessToken string
	for _, fx := range vendorFixtures(t) {
		if !strings.HasPrefix(fx.path, "/v3/accounts/") {
			continue
		}
		var w struct{ Email, Password, TwoFactorCode, IDToken string }
		_ = json.Unmarshal(fx.body, &w)
		u := User{Email: w.Email, Password: w.Password, SecondFactorCode: w.TwoFactorCode, Licenses: []string{key}}
		if w.IDToken != "" {
			u = User{Email: "oidc@example.com", IDTokens: []string{w.IDToken}, Licenses: []string{key}}
		}
		s.AddUser(u)
		status, answer := vendorPost(t, s, fx.path, fx.body)
		if status != http.StatusOK || answer["accessToken"] == "" {
			t.Fatalf("%s: status %d %v", fx.file, status, answer)
		}
		accessToken = answer["accessToken"]
	}
	get := func(path, bearer string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
		req.Header.Set("Accept", "*/*")
		req.Header.Set("User-Agent", "")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if status, b := get("/v3/me/licenses?productId="+pid, accessToken); status != http.StatusOK || !strings.Contains(string(b), key) {
		t.Errorf("GET /v3/me/licenses: %d %s", status, b)
	}
	// The vendor's query, in its order, accountId empty.
	status, b := get("/v3/releases/update?accountId=&productId="+pid+"&platform=linux&key="+key+"&version=1.2.3&channel=stable", "")
	var rel struct{ ID, Version string }
	if status != http.StatusOK || json.Unmarshal(b, &rel) != nil || rel.Version != "1.3.0" || rel.ID == "" {
		t.Fatalf("GET /v3/releases/update: %d %s", status, b)
	}
	if status, b := get("/v3/releases/"+rel.ID+"/allowed?accountId=&key="+key, ""); status != http.StatusOK || !strings.Contains(string(b), `"allowed":true`) {
		t.Errorf("GET /v3/releases/{id}/allowed: %d %s", status, b)
	}
}
