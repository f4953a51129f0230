package licensingtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// raw sends a request with an optional Authorization header and returns the status and body.
func raw(t *testing.T, s *Server, method, path, auth string, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header["Authorization"] = []string{auth}
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func code(body string) string {
	var m struct{ Code string }
	_ = json.Unmarshal([]byte(body), &m)
	return m.Code
}

type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestSignInEndpoints(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: time.Now()}
	s := newServer(t, WithClock(clock.Now))
	key := s.AddLicense(License{RequireAuthentication: true, Metadata: map[string]string{"k": "v"}})
	other := s.AddLicense(License{})
	s.AddUser(User{Email: "Ada@Example.com", Password: "pw", SecondFactorCode: "123456", IDTokens: []string{"id-tok"}, Licenses: []string{key}})
	s.AddUser(User{Email: "bob@example.com", Password: "pw", Licenses: []string{other}})

	for _, tc := range []struct{ name, body, code string }{
		{"unknown member", `{"accountId":"","email":"bob@example.com","password":"pw","remember":true}`, "VALIDATION_FAILED"},
		{"no accountId", `{"email":"bob@example.com","password":"pw"}`, "VALIDATION_FAILED"},
		{"empty password", `{"accountId":"","email":"bob@example.com","password":""}`, "VALIDATION_FAILED"},
		{"empty code", `{"accountId":"","email":"bob@example.com","password":"pw","twoFactorCode":""}`, "VALIDATION_FAILED"},
		{"wrong password", `{"accountId":"","email":"bob@example.com","password":"nope"}`, "AUTHENTICATION_FAILED"},
		{"unknown user", `{"accountId":"","email":"eve@example.com","password":"pw"}`, "AUTHENTICATION_FAILED"},
		{"code missing", `{"accountId":"","email":"ada@example.com","password":"pw"}`, "TWO_FACTOR_AUTHENTICATION_CODE_MISSING"},
		{"code wrong", `{"accountId":"","email":"ada@example.com","password":"pw","twoFactorCode":"000000"}`, "TWO_FACTOR_AUTHENTICATION_CODE_INVALID"},
	} {
		if st, body := raw(t, s, "POST", "/v3/accounts/login", "", tc.body); st != 400 || code(body) != tc.code {
			t.Errorf("%s: %d %s, want 400 %s", tc.name, st, body, tc.code)
		}
	}
	st, body := raw(t, s, "POST", "/v3/accounts/login", "", `{"accountId":"","email":"ADA@example.com","password":"pw","twoFactorCode":"123456"}`)
	var tok struct{ AccessToken string }
	if err := json.Unmarshal([]byte(body), &tok); st != 200 || err != nil || tok.AccessToken == "" {
		t.Fatalf("sign-in: %d %s", st, body)
	}
	if st, body := raw(t, s, "POST", "/v3/accounts/login-oidc", "", `{"accountId":"","idToken":"bad"}`); st != 400 || code(body) != "AUTHENTICATION_ID_TOKEN_INVALID" {
		t.Fatalf("bad id token: %d %s", st, body)
	}
	if st, _ := raw(t, s, "POST", "/v3/accounts/login-oidc", "", `{"accountId":"","idToken":"id-tok"}`); st != 200 {
		t.Fatalf("id token: %d", st)
	}
	if st, _ := raw(t, s, "GET", "/v3/accounts/login", "", ""); st != http.StatusMethodNotAllowed {
		t.Fatalf("GET login: %d", st)
	}

	// The list: only with a known, non-empty bearer token; only the user's licenses of the product.
	for _, auth := range []string{"", "Bearer ", "Bearer", "Basic " + tok.AccessToken, "Bearer nope"} {
		if st, body := raw(t, s, "GET", "/v3/me/licenses?productId="+s.ProductID, auth, ""); st != 401 || code(body) != "UNAUTHORIZED" {
			t.Errorf("Authorization %q: %d %s", auth, st, body)
		}
	}
	bearer := "Bearer " + tok.AccessToken
	st, body = raw(t, s, "GET", "/v3/me/licenses?productId="+s.ProductID, bearer, "")
	var list []map[string]any
	if err := json.Unmarshal([]byte(body), &list); st != 200 || err != nil || len(list) != 1 || list[0]["key"] != key ||
		list[0]["requireAuthentication"] != true || list[0]["allowedActivations"] != float64(-1) {
		t.Fatalf("list: %d %s", st, body)
	}
	if st, body := raw(t, s, "GET", "/v3/me/licenses?productId=other", bearer, ""); st != 200 || body != "[]" {
		t.Fatalf("another product: %d %s", st, body)
	}
	if st, _ := raw(t, s, "GET", "/v3/me/licenses", bearer, ""); st != 400 {
		t.Fatalf("no productId: %d", st)
	}
	// Faults apply here as everywhere.
	s.FailNext(1, 503, "")
	if st, _ := raw(t, s, "GET", "/v3/me/licenses?productId="+s.ProductID, bearer, ""); st != 503 {
		t.Fatalf("injected 503: %d", st)
	}
	s.ExpireSessions()
	if st, _ := raw(t, s, "GET", "/v3/me/licenses?productId="+s.ProductID, bearer, ""); st != 401 {
		t.Fatalf("expired: %d", st)
	}

	// Named-user activation: the credentials of a user linked to the license.
	for _, tc := range []struct {
		extra map[string]any
		ok    bool
	}{
		{nil, false},
		{map[string]any{"email": "ada@example.com", "password": "wrong"}, false},
		{map[string]any{"email": "bob@example.com", "password": "pw"}, false}, // not linked
		{map[string]any{"email": "ada@example.com", "password": "pw"}, true},
	} {
		st, body := raw(t, s, "POST", "/v3/activations", "", string(updateBody(s, key, tc.extra)))
		if tc.ok != (st == 201) || (!tc.ok && code(body) != "AUTHENTICATION_FAILED") {
			t.Errorf("%v: %d %s", tc.extra, st, body)
		}
	}
}

func TestSignInLocksAfterFailures(t *testing.T) {
	t.Parallel()
	clock := &fixedClock{t: time.Now()}
	s := newServer(t, WithClock(clock.Now))
	s.AddUser(User{Email: "bob@example.com", Password: "pw"})
	wrong, right := `{"accountId":"","email":"bob@example.com","password":"x"}`, `{"accountId":"","email":"bob@example.com","password":"pw"}`
	for range LoginLockAfter {
		raw(t, s, "POST", "/v3/accounts/login", "", wrong)
	}
	if st, body := raw(t, s, "POST", "/v3/accounts/login", "", right); st != 400 || code(body) != "LOGIN_TEMPORARILY_LOCKED" {
		t.Fatalf("locked: %d %s", st, body)
	}
	clock.Add(LoginLockFor)
	if st, body := raw(t, s, "POST", "/v3/accounts/login", "", right); st != 200 {
		t.Fatalf("after the lock: %d %s", st, body)
	}
}

func TestReleaseAllowedEndpoint(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	old := s.AddLicense(License{MaxAllowedReleaseVersion: "1.9"})
	cur := s.AddLicense(License{})
	s.AddRelease(Release{Version: "2.0"})
	for _, tc := range []struct{ query, want string }{
		{"accountId=&key=" + old, `{"allowed":false}`},
		{"accountId=&key=" + cur, `{"allowed":true}`},
	} {
		if st, body := raw(t, s, "GET", "/v3/releases/rel-2.0/allowed?"+tc.query, "", ""); st != 200 || body != tc.want {
			t.Errorf("%s: %d %s, want %s", tc.query, st, body, tc.want)
		}
	}
	for _, tc := range []struct {
		path string
		st   int
	}{
		{"/v3/releases/rel-9.9/allowed", 404},
		{"/v3/releases/rel-2.0/allowed?key=nope", 400},
		{"/v3/releases/rel-2.0/allowed?accountId=", 400}, // no key: no license to ask about
		{"/v3/releases/rel-2.0/allowed", 400},
		{"/v3/releases/rel-2.0/allowed?platform=linux", 400},
		{"/v3/releases/rel-2.0/allowed?key=a&key=b", 400},
	} {
		if st, body := raw(t, s, "GET", tc.path, "", ""); st != tc.st {
			t.Errorf("%s: %d %s, want %d", tc.path, st, body, tc.st)
		}
	}
}
